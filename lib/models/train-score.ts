/**
 * The TrainScore unit of work for one walk-forward fold: fit the route(s) on the fold's training months, score
 * its test months, and report diagnostics.
 *
 * - `fitFold(trainBlocks, fold, options)` builds the training rows (labels known by `fold.cutoffMs`, hours up to
 *   `fold.lastTrainBarMs`), asserts that no label is known after the cutoff (LookaheadError otherwise), holds out
 *   the last hours as a purged validation slice, and fits Route A (network), Route B (ridge + GBDT on its
 *   residual + GBDT classifier) or both. It returns the artifact (plain JSON) and training diagnostics.
 * - `scoreBlock(artifact, block)` scores every member with a bar in a feature block: time-major nOut × nA
 *   arrays of μ̂, p̂ and the score (NaN elsewhere). A score at hour t reads only the block's features at hour t.
 * - `foldDiagnostics(...)` computes IC, rank IC, decile spreads and IC decay of the test scores, and feature
 *   importance (GBDT gain, ridge coefficients, network permutation importance).
 */
import { InvalidInputError, LookaheadError } from '../core/errors.ts';
import { hashString } from '../core/rng.ts';
import type { FeatureBlock } from '../features/build.ts';
import { MODEL_SCHEMA, MODEL_SCHEMA_VERSION, type ModelArtifact } from './artifact.ts';
import {
  scoringMatrix,
  sliceHours,
  splitValidation,
  type TrainingMatrix,
  trainingMatrix,
} from './dataset.ts';
import { type SignalDiagnostics, signalDiagnostics } from './diagnostics.ts';
import { fitGbdt, type GbdtModel, predictGbdt } from './gbdt/index.ts';
import { ModelParams, type ModelParamsInput, type Route } from './model-params.ts';
import { type Net, netPermutationImportance, predictNet, trainNet } from './net.ts';
import { fitRidge, predictRidge } from './ridge.ts';
import { averageInto, combineScore } from './scores.ts';
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
  readonly routeA: {
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly trainLoss: number[];
    readonly validLoss: number[];
    /** Rise in return-head MSE when the feature is shuffled within hours (validation slice). */
    readonly permutationImportance: Record<string, number>;
  } | null;
  readonly routeB: {
    readonly ridgeCoef: Record<string, number>;
    readonly gbdtReturnTrees: number;
    readonly gbdtDownsideTrees: number;
    readonly gbdtReturnValidLoss: number[];
    readonly gbdtDownsideValidLoss: number[];
    /** Total split gain per feature (return trees + downside trees reported apart). */
    readonly gbdtReturnGain: Record<string, number>;
    readonly gbdtDownsideGain: Record<string, number>;
  } | null;
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

const named = (names: readonly string[], v: ArrayLike<number>): Record<string, number> => {
  const out: Record<string, number> = {};
  names.forEach((n, j) => {
    out[n] = v[j]!;
  });
  return out;
};

/** Every k-th hour so that at most maxRows rows remain (all when fewer). */
function thinHours(m: TrainingMatrix, maxRows: number): TrainingMatrix {
  if (m.n <= maxRows) return m;
  const k = Math.ceil(m.n / maxRows);
  const nH = m.hourMs.length;
  const keep: number[] = [];
  for (let h = 0; h < nH; h += k) keep.push(h);
  const parts = keep.map((h) => sliceHours(m, h, h + 1));
  let n = 0;
  for (const q of parts) n += q.n;
  const p = m.p;
  const x = new Float32Array(n * p);
  const yRet = new Float64Array(n);
  const yRaw = new Float64Array(n);
  const yDown = new Float32Array(n);
  const labelKnownMs = new Float64Array(n);
  const asset = new Int32Array(n);
  const hourOffsets = new Int32Array(parts.length + 1);
  const hourMs = new Float64Array(parts.length);
  let o = 0;
  parts.forEach((q, i) => {
    hourOffsets[i] = o;
    hourMs[i] = q.hourMs[0]!;
    x.set(q.x, o * p);
    yRet.set(q.yRet, o);
    yRaw.set(q.yRaw, o);
    yDown.set(q.yDown, o);
    labelKnownMs.set(q.labelKnownMs, o);
    asset.set(q.asset, o);
    o += q.n;
  });
  hourOffsets[parts.length] = o;
  return { n, p, features: m.features, x, hourOffsets, hourMs, asset, yRet, yRaw, yDown, labelKnownMs };
}

/** Fits the fold's model. @throws LookaheadError if any training label is known after the fold's cutoff. */
export function fitFold(trainBlocks: readonly FeatureBlock[], fold: Fold, options: FitFoldOptions): FoldFit {
  const params = parseParams(options.params);
  const features = [...options.features];
  if (features.length === 0)
    throw new InvalidInputError('features must list at least one feature', { field: 'features' });
  const seed = hashString(fold.id, options.seed);
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
  // the guard: no label known after the cutoff, no hour after the last training bar
  assertLabelsKnownBy(all.labelKnownMs, all.n, fold.cutoffMs, fold.id);
  const lastHourMs = all.hourMs[all.hourMs.length - 1]!;
  if (lastHourMs > fold.lastTrainBarMs)
    throw new LookaheadError(`${fold.id}: training hour ${lastHourMs} is after the last training bar`, {
      fold: fold.id,
    });
  let maxKnown = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < all.n; i++) maxKnown = Math.max(maxKnown, all.labelKnownMs[i]!);
  const { fit, valid } = splitValidation(all, params.validationFraction);

  let routeA: ModelArtifact['routeA'] = null;
  let routeB: ModelArtifact['routeB'] = null;
  let reportA: TrainingReport['routeA'] = null;
  let reportB: TrainingReport['routeB'] = null;

  if (options.route !== 'B') {
    const { importanceRows, ...netParams } = params.net;
    const nf = trainNet(fit, { ...netParams, seed: hashString('A', seed) }, valid);
    const perm =
      importanceRows > 0
        ? netPermutationImportance(nf.net, valid ?? fit, importanceRows, hashString('perm', seed))
        : new Float64Array(features.length);
    routeA = {
      hidden: [...nf.net.hidden],
      yScale: nf.net.yScale,
      theta: Array.from(nf.net.theta),
      epochs: nf.epochs,
      bestEpoch: nf.bestEpoch,
    };
    reportA = {
      epochs: nf.epochs,
      bestEpoch: nf.bestEpoch,
      trainLoss: nf.trainLoss,
      validLoss: nf.validLoss,
      permutationImportance: named(features, perm),
    };
  }
  if (options.route !== 'A') {
    const { maxRows, ...gbdtParams } = params.gbdt;
    const ridge = fitRidge(fit.x, fit.n, fit.p, fit.yRet, params.ridge.lambda, params.ridge.maxRows);
    const g = thinHours(fit, maxRows);
    const lin = new Float64Array(g.n);
    predictRidge(ridge, g.x, g.n, lin);
    const resid = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++) resid[i] = g.yRet[i]! - lin[i]!;
    let vResid: Float64Array | null = null;
    if (valid) {
      const vl = new Float64Array(valid.n);
      predictRidge(ridge, valid.x, valid.n, vl);
      vResid = new Float64Array(valid.n);
      for (let i = 0; i < valid.n; i++) vResid[i] = valid.yRet[i]! - vl[i]!;
    }
    const es = valid ? gbdtParams.earlyStoppingRounds : 0;
    const ret = fitGbdt(
      { n: g.n, p: g.p, x: g.x, y: resid },
      { ...gbdtParams, earlyStoppingRounds: es, objective: 'regression', seed: hashString('B:ret', seed) },
      valid && vResid ? { n: valid.n, p: valid.p, x: valid.x, y: vResid } : undefined,
    );
    const down = fitGbdt(
      { n: g.n, p: g.p, x: g.x, y: g.yDown },
      { ...gbdtParams, earlyStoppingRounds: es, objective: 'binary', seed: hashString('B:down', seed) },
      valid ? { n: valid.n, p: valid.p, x: valid.x, y: valid.yDown } : undefined,
    );
    routeB = { ridge, gbdtReturn: ret.model, gbdtDownside: down.model };
    reportB = {
      ridgeCoef: named(features, ridge.coef),
      gbdtReturnTrees: ret.model.trees.length,
      gbdtDownsideTrees: down.model.trees.length,
      gbdtReturnValidLoss: ret.validLoss,
      gbdtDownsideValidLoss: down.validLoss,
      gbdtReturnGain: named(features, ret.gainImportance),
      gbdtDownsideGain: named(features, down.gainImportance),
    };
  }
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
      maxLabelKnownMs: maxKnown,
      lastHourMs,
    },
    routeA,
    routeB,
  };
  return {
    artifact,
    report: { foldId: fold.id, rows: all.n, hours: all.hourMs.length, routeA: reportA, routeB: reportB },
  };
}

/** Route outputs for scored rows. */
export interface RouteScores {
  readonly mu: Float64Array;
  readonly pDown: Float64Array;
}

/** Scores of rows of a standardised matrix by each route the artifact holds, and the combined μ̂, p̂, score. */
export function scoreRows(
  artifact: ModelArtifact,
  x: Float32Array,
  n: number,
): {
  mu: Float64Array;
  pDown: Float64Array;
  score: Float64Array;
  A: RouteScores | null;
  B: RouteScores | null;
} {
  let A: RouteScores | null = null;
  let B: RouteScores | null = null;
  if (artifact.routeA) {
    const net: Net = {
      nIn: artifact.features.length,
      hidden: artifact.routeA.hidden,
      theta: Float32Array.from(artifact.routeA.theta),
      yScale: artifact.routeA.yScale,
    };
    A = { mu: new Float64Array(n), pDown: new Float64Array(n) };
    predictNet(net, x, n, A.mu, A.pDown);
  }
  if (artifact.routeB) {
    const rb = artifact.routeB;
    B = { mu: new Float64Array(n), pDown: new Float64Array(n) };
    const tmp = new Float64Array(n);
    predictRidge(rb.ridge, x, n, B.mu);
    predictGbdt(rb.gbdtReturn as GbdtModel, x, n, tmp);
    for (let i = 0; i < n; i++) B.mu[i] = B.mu[i]! + tmp[i]!;
    predictGbdt(rb.gbdtDownside as GbdtModel, x, n, B.pDown);
  }
  let mu: Float64Array;
  let pDown: Float64Array;
  if (A && B) {
    mu = new Float64Array(n);
    pDown = new Float64Array(n);
    averageInto(A.mu, B.mu, n, mu);
    averageInto(A.pDown, B.pDown, n, pDown);
  } else {
    const r = (A ?? B)!;
    mu = r.mu;
    pDown = r.pDown;
  }
  const score = new Float64Array(n);
  combineScore(mu, pDown, n, artifact.score.downsidePenalty, score);
  return { mu, pDown, score, A, B };
}

/** Time-major scores of one feature block (nOut × nA, NaN where not scored). */
export interface ScoreBlock {
  readonly nOut: number;
  readonly nA: number;
  readonly closeMs: Float64Array;
  readonly mu: Float64Array;
  readonly pDown: Float64Array;
  readonly score: Float64Array;
  /** Per-route scores (μ̂ − λ p̂ of each route) when the artifact holds both. */
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
  const both = r.A !== null && r.B !== null;
  const scoreA = both ? mk() : null;
  const scoreB = both ? mk() : null;
  const lam = artifact.score.downsidePenalty;
  for (let i = 0; i < m.n; i++) {
    const c = m.rowCell[i]!;
    mu[c] = r.mu[i]!;
    pDown[c] = r.pDown[i]!;
    score[c] = r.score[i]!;
    if (scoreA && scoreB && r.A && r.B) {
      scoreA[c] = r.A.mu[i]! - lam * r.A.pDown[i]!;
      scoreB[c] = r.B.mu[i]! - lam * r.B.pDown[i]!;
    }
  }
  return { nOut: block.nOut, nA: block.nA, closeMs: block.closeMs, mu, pDown, score, scoreA, scoreB };
}

export interface FoldDiagnostics {
  readonly foldId: string;
  readonly fold: Fold;
  readonly route: Route;
  /** Test-period diagnostics of the score, μ̂ and, with both routes, of each route's score. */
  readonly test: {
    readonly score: SignalDiagnostics;
    readonly mu: SignalDiagnostics;
    readonly routeA: SignalDiagnostics | null;
    readonly routeB: SignalDiagnostics | null;
    /** Downside probability vs the realised downside event: rank IC (higher p̂ should mean more events). */
    readonly pDownRankIc: number | null;
  };
  readonly training: TrainingReport;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Diagnostics of a fold's test scores against the labels of the same blocks (same order, same symbols). */
export function foldDiagnostics(
  fit: FoldFit,
  scored: readonly ScoreBlock[],
  testBlocks: readonly FeatureBlock[],
): FoldDiagnostics {
  if (scored.length !== testBlocks.length)
    throw new InvalidInputError(
      `scored blocks (${scored.length}) and test blocks (${testBlocks.length}) differ`,
      {
        field: 'scored',
      },
    );
  const nA = testBlocks[0]?.nA ?? 0;
  let nT = 0;
  for (const b of testBlocks) {
    if (!b.labels)
      throw new InvalidInputError('test blocks need labels for diagnostics', { field: 'labels' });
    if (b.nA !== nA)
      throw new InvalidInputError('test blocks must share one symbol list', { field: 'blocks' });
    nT += b.nOut;
  }
  const label = concat(testBlocks.map((b) => b.labels!.fwdExcess));
  const down = concat(testBlocks.map((b) => b.labels!.downside));
  const score = concat(scored.map((s) => s.score));
  const mu = concat(scored.map((s) => s.mu));
  const pDown = concat(scored.map((s) => s.pDown));
  const sa = scored.every((s) => s.scoreA) ? concat(scored.map((s) => s.scoreA!)) : null;
  const sb = scored.every((s) => s.scoreB) ? concat(scored.map((s) => s.scoreB!)) : null;
  const pd = signalDiagnostics(pDown, down, nT, nA, { lags: [0] });
  return {
    foldId: fit.artifact.fold.id,
    fold: fit.artifact.fold,
    route: fit.artifact.route,
    test: {
      score: signalDiagnostics(score, label, nT, nA),
      mu: signalDiagnostics(mu, label, nT, nA),
      routeA: sa ? signalDiagnostics(sa, label, nT, nA) : null,
      routeB: sb ? signalDiagnostics(sb, label, nT, nA) : null,
      pDownRankIc: pd.rankIc.mean,
    },
    training: fit.report,
  };
}
