/**
 * The paper routes' composition: `HandlerDeps` (logger, metrics, clock, ids, the backtest API's ports) plus the
 * paper use cases' ports, built from what `lambdas/shared/deps.ts` exports. The paper store is `DynamoPaperStore`
 * on the runs table (`RUNS_TABLE`); nothing new in the environment. (`deps.ts` can absorb `paperApi` into
 * `HandlerDeps` later; the handlers only use `PaperHandlerDeps`.)
 */
import { makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import { DynamoPaperStore } from '../../lib/adapters/dynamo-paper-store.ts';
import type { ApiDeps } from '../../lib/workflow/api.ts';
import type { PaperApiDeps } from '../../lib/workflow/paper-api.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { parseApiEnv } from '../shared/env.ts';

export interface PaperHandlerDeps extends HandlerDeps {
  /** The paper use cases' ports; called on every request, so it must memoise. */
  readonly paperApi: () => PaperApiDeps;
}

/** The paper ports over the backtest API's ports (same store, runs, catalog, idempotency guard). */
export const paperApiDepsOf = (api: ApiDeps, paper: PaperApiDeps['paper']): PaperApiDeps => ({
  paper,
  store: api.store,
  runs: api.runs,
  datasets: api.datasets,
  idempotency: api.idempotency,
  codeVersion: api.codeVersion,
});

let value: PaperHandlerDeps | undefined;

/** The deployed paper Lambdas' dependencies (one instance per process; the environment is read on first use). */
export const paperLambdaDeps = (): PaperHandlerDeps => {
  if (value !== undefined) return value;
  const base = lambdaDeps();
  let paperApi: PaperApiDeps | undefined;
  value = {
    ...base,
    paperApi: () => {
      if (paperApi === undefined) {
        const env = parseApiEnv(process.env);
        const client = makeDynamoDocumentClient({
          region: env.AWS_REGION,
          ...(env.DYNAMODB_ENDPOINT !== undefined && { endpoint: env.DYNAMODB_ENDPOINT }),
        });
        paperApi = paperApiDepsOf(base.api(), new DynamoPaperStore({ client, tableName: env.RUNS_TABLE }));
      }
      return paperApi;
    },
  };
  return value;
};
