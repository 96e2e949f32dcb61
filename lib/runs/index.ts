/**
 * lib/runs: run records and their status machine, the RunStore port, object keys, execution and idempotency ports.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/runs may import lib/core, lib/data,
 * each through its index.ts; other folders of lib import lib/runs through this file only; nothing in lib imports lib/api.
 */

export { type ExecutionInput, type ExecutionStarter, executionInputJson } from './execution-starter.ts';
export {
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyGuard,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  type IdempotentRequest,
  type IdempotentResult,
  payloadHashOf,
  scopedIdempotencyKey,
} from './idempotency.ts';
export { paperKeys, type RunKeys, runKeys } from './keys.ts';
export {
  applyRunUpdate,
  compareRunsNewestFirst,
  epochMs,
  isTerminalStatus,
  type MetricsSummary,
  newRunRecord,
  parseOrInvalid,
  RUN_ID_PATTERN,
  RUN_STAGES,
  RunRecord,
  type RunStage,
  RunStatus,
  type RunUpdate,
  TENANT_ID_PATTERN,
  text,
} from './run-record.ts';
export { BaseRunStore, MAX_LIST_LIMIT, type RunPage, type RunStore } from './run-store.ts';
export { type StageSeconds, stageWallSeconds } from './stage-seconds.ts';
