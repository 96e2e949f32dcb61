/**
 * lib/models: walk-forward folds, model routes (a {fit, score} registry), diagnostics.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/models may import lib/core, lib/data, lib/features, lib/labels,
 * each through its index.ts; other folders of lib import lib/models through this file only; nothing in lib imports lib/api.
 */
/**
 * Walk-forward folds, the model routes (routes/: Route A multitask network, Route B factor + GBDT, their ensemble),
 * scores, diagnostics, artifacts.
 */
export {
  MODEL_SCHEMA,
  MODEL_SCHEMA_VERSION,
  ModelArtifact,
  parseModel,
  RouteAArtifact,
  RouteBArtifact,
  serializeModel,
} from './artifact.ts';
export {
  type MatrixOptions,
  type ModelMatrix,
  scoringMatrix,
  sliceHours,
  splitValidation,
  type TrainingMatrix,
  thinHours,
  trainingMatrix,
} from './dataset.ts';
export { type IcSummary, type SignalDiagnostics, signalDiagnostics } from './diagnostics.ts';
export { type FoldDiagnostics, foldDiagnostics } from './fold-diagnostics.ts';
export {
  ALMOST_INF,
  DEFAULT_GBDT_PARAMS,
  fitGbdt,
  type GbdtData,
  type GbdtFit,
  type GbdtModel,
  type GbdtObjective,
  type GbdtParams,
  type GbdtTree,
  predictGbdt,
  predictGbdtRaw,
} from './gbdt/index.ts';
export {
  GbdtConfig,
  ModelParams,
  type ModelParamsInput,
  NetConfig,
  RidgeParams,
  ROUTE_PARAMS,
  Route,
} from './model-params.ts';
export {
  DEFAULT_NET_PARAMS,
  initNet,
  type Net,
  type NetData,
  type NetFit,
  type NetParams,
  netPermutationImportance,
  predictNet,
  trainNet,
} from './net.ts';
export { fitRidge, predictRidge, type RidgeModel } from './ridge.ts';
export type {
  ModelRoute,
  RouteAReport,
  RouteBReport,
  RouteFit,
  RouteOutput,
  RouteScores,
  RouteSection,
  RouteTrainingData,
} from './routes/model-route.ts';
export { MODEL_ROUTES, modelRoute } from './routes/registry.ts';
export { averageInto, combineScore } from './scores.ts';
export {
  type FitFoldOptions,
  type FoldFit,
  fitFold,
  type RowScores,
  type ScoreBlock,
  scoreBlock,
  scoreRows,
  type TrainingReport,
} from './train-score.ts';
export { assertLabelsKnownBy, Fold, planFolds, type WalkForwardSpec } from './walk-forward.ts';
