import type { App, Environment } from 'aws-cdk-lib';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface HtsStacksOptions {
  /** @default { region: 'us-east-1' } */
  readonly env?: Environment;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly codeVersion: string;
  /** @default the StatefulStack's default (30 days) */
  readonly intermediateRetentionDays?: number;
}

/** The app's two stacks: the stateful one (bucket, tables) and the stateless one that uses it. */
export function buildStacks(
  app: App,
  options: HtsStacksOptions,
): { stateful: StatefulStack; stateless: StatelessStack } {
  const env = options.env ?? { region: 'us-east-1' };
  const stateful = new StatefulStack(app, 'HtsStateful', {
    env,
    description: 'hts: data lake bucket, runs table, idempotency table',
    ...(options.intermediateRetentionDays !== undefined && {
      intermediateRetentionDays: options.intermediateRetentionDays,
    }),
  });
  const stateless = new StatelessStack(app, 'HtsStateless', {
    env,
    description: 'hts: API, step functions, backtest state machine, alarms',
    dataBucket: stateful.dataBucket,
    runsTable: stateful.runsTable,
    idempotencyTable: stateful.idempotencyTable,
    jwtIssuer: options.jwtIssuer,
    jwtAudience: options.jwtAudience,
    codeVersion: options.codeVersion,
  });
  return { stateful, stateless };
}
