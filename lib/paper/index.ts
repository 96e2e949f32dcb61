/**
 * lib/paper: the hourly paper tick, decision log, PaperStore and Broker ports, replay.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/paper may import lib/core, lib/data, lib/labels, lib/features, lib/models, lib/execution, lib/risk, lib/portfolio, lib/analytics, lib/backtest, lib/artifacts, lib/runs, lib/pipeline,
 * each through its index.ts; other folders of lib import lib/paper through this file only; nothing in lib imports lib/api.
 */
export type { Broker, BrokerFill, FillReport, OrderTicket, SettleRequest } from './broker.ts';
export {
  applyPatch,
  PaperDecisionRecord,
  PaperStrategyRecord,
  type StrategyPatch,
  strategyUpdateConflict,
} from './paper-record.ts';
export {
  BasePaperStore,
  DEFAULT_DECISION_PAGE,
  MAX_DECISION_PAGE,
  type PaperStore,
  type StrategyRef,
} from './paper-store.ts';
