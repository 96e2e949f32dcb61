export {
  AdmmQpSolver,
  type QpInstance,
  type QpModel,
  type QpOptions,
  type QpResult,
  type QpStatus,
} from './admm-qp/index.ts';
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
