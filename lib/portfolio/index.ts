/**
 * lib/portfolio: risk model, optimizers, monthly portfolio inputs.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/portfolio may import lib/core, lib/data, lib/execution, lib/risk,
 * each through its index.ts; other folders of lib import lib/portfolio through this file only; nothing in lib imports lib/api.
 */
export {
  AdmmQpSolver,
  type QpInstance,
  type QpModel,
  type QpOptions,
  type QpResult,
  type QpStatus,
} from './admm-qp/index.ts';
export type { HorizonRiskModel } from './month-inputs.ts';
export {
  computeMonthInputs,
  firstBarOnOrAfter,
  type MonthInputSource,
  type MonthInputs,
  RISK_LOOKBACK_BARS,
  RISK_STAT_FACTORS,
  readMonthInputData,
} from './month-inputs.ts';
export {
  applyTurnoverCap,
  type HourInputs,
  type OptimizerConfig,
  optimizeTargets,
  portfolioVariance,
  scaleForRiskState,
  TargetOptimizer,
  type TargetResult,
  type VolAction,
} from './optimizer.ts';
export { estimateFactorRiskModel, type FactorRiskModel, type RiskModelInput } from './risk-model.ts';
export {
  type TradeBinding,
  type TradeInstance,
  TradeOptimizer,
  type TradeOptions,
  type TradeResult,
  type TradeRiskModel,
  type TradeSectors,
  type TradeStatus,
} from './trade/index.ts';
