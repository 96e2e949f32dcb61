/**
 * A test-only Prepare handler for the local stack's `stepModules` seam: runs of tenant `spin` never return (a
 * synchronous loop, like Prepare on `walkForward.trainMonths: 1e10` or TrainScore on `gbdt.numTrees: 1e9`); runs
 * of tenant `fail` fail at once; every other run gets the real Prepare.
 */
import type { Context } from 'aws-lambda';
import { handler as prepare } from '../../../lambdas/steps/prepare.ts';

export const SPIN_TENANT = 'spin';
export const FAIL_TENANT = 'fail';

const tenantOf = (event: unknown): unknown =>
  typeof event === 'object' && event !== null && 'tenantId' in event ? event.tenantId : undefined;

export const handler = async (event: unknown, context: Context): Promise<unknown> => {
  const tenant = tenantOf(event);
  if (tenant === SPIN_TENANT) {
    let x = 0;
    for (;;) x = (x + 1) % 1_000_003;
  }
  if (tenant === FAIL_TENANT) throw new Error('test-prepare: this tenant fails at Prepare');
  return prepare(event, context);
};
