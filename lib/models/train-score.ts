/**
 * The TrainScore unit of work for one walk-forward fold: fit the spec's route on the fold's training months and
 * score its test months (diagnostics: fold-diagnostics.ts).
 *
 * - `fitFold(trainBlocks, fold, options)` builds the training rows (labels known by `fold.cutoffMs`, hours up to
 *   `fold.lastTrainBarMs`), asserts that no label is known after the cutoff (LookaheadError otherwise), holds out
 *   the last hours as a purged validation slice, and fits the route (routes/registry.ts). It returns the artifact
 *   (plain JSON) and training diagnostics.
 * - `scoreBlock(artifact, block)` scores every member with a bar in a feature block: time-major nOut × nA
 *   arrays of μ̂, p̂ and the score (NaN elsewhere). A score at hour t reads only the block's features at hour t.
 */
import { hashString, InvalidInputError, LookaheadError } from '../core/index.ts';
import type { FeatureBlock } from '../features/index.ts';
import { MODEL_SCHEMA, MODEL_SCHEMA_VERSION, type ModelArtifact } from './artifact.ts';
import { scoringMatrix, splitValidation, type TrainingMatrix, trainingMatrix } from './dataset.ts';
import { ModelParams, type ModelParamsInput, type Route } from './model-params.ts';
import type { RouteAReport, RouteBReport, RouteOutput } from './routes/model-route.ts';
import { modelRoute } from './routes/registry.ts';
import { combineScore } from './scores.ts';
import { assertLabelsKnownBy, type Fold } from './walk-forward.ts';

export interface FitFoldOptions {
  readonly route: Route;
  readonly features: readonly string[];
  readonly params?: ModelParamsInput | Readonly<Record<string, unknown>>;
  /** The run's seed; the fold's seed derives from it and the fold id. */
  readonly seed: number;
}

export interface TrainingReport {
  readonly foldId: string;
  readonly rows: number;
  readonly hours: number;
  readonly routeA: RouteAReport | null;
  readonly routeB: RouteBReport | null;
}

export interface FoldFit {
  readonly artifact: ModelArtifact;
  readonly report: TrainingReport;
}

function parseParams(params: FitFoldOptions['params']): ModelParams {
  const r = ModelParams.safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InvalidInputError(`model.params.${issue.path.join('.')}: ${issue.message}`, {
      field: `model.params.${issue.path.join('.')}`,
    });
  }
  return r.data;
}

/** The fold's training rows, guarded: no label known after the cutoff, no hour after the last training bar. */
function foldTrainingRows(
  trainBlocks: readonly FeatureBlock[],
  fold: Fold,
  features: readonly string[],
  params: ModelParams,
): { readonly all: TrainingMatrix; readonly lastHourMs: number; readonly maxLabelKnownMs: number } {
  const all = trainingMatrix(trainBlocks, {
    features,
    fromMs: fold.trainStartMs,
    toMs: fold.lastTrainBarMs,
    clipZ: params.clipZ,
    cutoffMs: fold.cutoffMs,
  });
  if (all.n === 0)
    throw new InvalidInputError(`${fold.id}: no training rows with known labels before the cutoff`, {
      field: 'blocks',
      fold: fold.id,
    });
  assertLabelsKnownBy(all.labelKnownMs, all.n, fold.cutoffMs, fold.id);
  const lastHourMs = all.hourMs[all.hourMs.length - 1]!;
  if (lastHourMs > fold.lastTrainBarMs)
    throw new LookaheadError(`${fold.id}: training hour ${lastHourMs} is after the last training bar`, {
      fold: fold.id,
    });
  let maxLabelKnownMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < all.n; i++) maxLabelKnownMs = Math.max(maxLabelKnownMs, all.labelKnownMs[i]!);
  return { all, lastHourMs, maxLabelKnownMs };
}

/** Fits the fold's model. @throws LookaheadError if any training label is known after the fold's cutoff. */
export function fitFold(trainBlocks: readonly FeatureBlock[], fold: Fold, options: FitFoldOptions): FoldFit {
  const params = parseParams(options.params);
  const features = [...options.features];
  if (features.length === 0)
    throw new InvalidInputError('features must list at least one feature', { field: 'features' });
  const seed = hashString(fold.id, options.seed);
  const { all, lastHourMs, maxLabelKnownMs } = foldTrainingRows(trainBlocks, fold, features, params);
  const { fit, valid } = splitValidation(all, params.validationFraction);
  const route = modelRoute(options.route).fit({ fit, valid, params, features, seed });
  const artifact: ModelArtifact = {
    schema: MODEL_SCHEMA,
    schemaVersion: MODEL_SCHEMA_VERSION,
    route: options.route,
    seed: options.seed,
    fold,
    features,
    normalization: { kind: 'cross_sectional_z', clipZ: params.clipZ },
    score: { formula: 'mu - downsidePenalty * pDown', downsidePenalty: params.downsidePenalty },
    params,
    training: {
      rows: fit.n,
      hours: fit.hourMs.length,
      validRows: valid?.n ?? 0,
      validHours: valid?.hourMs.length ?? 0,
      maxLabelKnownMs,
      lastHourMs,
    },
    routeA: route.sections.routeA,
    routeB: route.sections.routeB,
  };
  return {
    artifact,
    report: {
      foldId: fold.id,
      rows: all.n,
      hours: all.hourMs.length,
      routeA: route.reports.routeA,
      routeB: route.reports.routeB,
    },
  };
}

/** Scored rows: the route's μ̂, p̂ (and its members' when it combines routes) and the score μ̂ − λ p̂. */
export interface RowScores extends RouteOutput {
  readonly score: Float64Array;
}

/** Scores of rows of a standardised matrix by the artifact's route, and the combined score. */
export function scoreRows(artifact: ModelArtifact, x: Float32Array, n: number): RowScores {
  const r = modelRoute(artifact.route).score(artifact, x, n);
  const score = new Float64Array(n);
  combineScore(r.mu, r.pDown, n, artifact.score.downsidePenalty, score);
  return { ...r, score };
}

/** Time-major scores of one feature block (nOut × nA, NaN where not scored). */
export interface ScoreBlock {
  readonly nOut: number;
  readonly nA: number;
  readonly closeMs: Float64Array;
  readonly mu: Float64Array;
  readonly pDown: Float64Array;
  readonly score: Float64Array;
  /** Per-route scores (μ̂ − λ p̂ of each member route) when the route combines routes (the ensemble). */
  readonly scoreA: Float64Array | null;
  readonly scoreB: Float64Array | null;
}

/** Scores every member with a bar in `block` (all its hours, or those in [fromMs, toMs]). */
export function scoreBlock(
  artifact: ModelArtifact,
  block: FeatureBlock,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
): ScoreBlock {
  const m = scoringMatrix([block], {
    features: artifact.features,
    fromMs,
    toMs,
    clipZ: artifact.normalization.clipZ,
  });
  const r = scoreRows(artifact, m.x, m.n);
  const size = block.nOut * block.nA;
  const mk = (): Float64Array => new Float64Array(size).fill(Number.NaN);
  const mu = mk();
  const pDown = mk();
  const score = mk();
  const members = r.members;
  const scoreA = members ? mk() : null;
  const scoreB = members ? mk() : null;
  const lam = artifact.score.downsidePenalty;
  for (let i = 0; i < m.n; i++) {
    const c = m.rowCell[i]!;
    mu[c] = r.mu[i]!;
    pDown[c] = r.pDown[i]!;
    score[c] = r.score[i]!;
    if (scoreA && scoreB && members) {
      scoreA[c] = members.A.mu[i]! - lam * members.A.pDown[i]!;
      scoreB[c] = members.B.mu[i]! - lam * members.B.pDown[i]!;
    }
  }
  return { nOut: block.nOut, nA: block.nA, closeMs: block.closeMs, mu, pDown, score, scoreA, scoreB };
}
