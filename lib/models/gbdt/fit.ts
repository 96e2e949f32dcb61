/** Boosting: the fit loop (gradients, row and feature subsampling, tree growth, early stopping). */
import { InvalidInputError, Rng } from '../../core/index.ts';
import { type BinnedMatrix, binMatrix, findBinThresholds } from './binning.ts';
import { binnedLeaf, type GrowContext, type GrownTree, growTree } from './growth.ts';
import { meanLoss, sigmoid } from './losses.ts';
import type { GbdtData, GbdtFit, GbdtTree } from './model.ts';
import { checkGbdtParams, DEFAULT_GBDT_PARAMS, type GbdtObjective, type GbdtParams } from './params.ts';

function checkData(d: GbdtData, objective: GbdtObjective, what: string): void {
  if (d.x.length !== d.n * d.p)
    throw new InvalidInputError(`${what}.x must have n * p = ${d.n * d.p} values, received ${d.x.length}`, {
      field: `${what}.x`,
    });
  if (d.y.length < d.n)
    throw new InvalidInputError(`${what}.y must have n = ${d.n} values, received ${d.y.length}`, {
      field: `${what}.y`,
    });
  for (let i = 0; i < d.n; i++) {
    const v = d.y[i]!;
    if (!Number.isFinite(v) || (objective === 'binary' && v !== 0 && v !== 1)) {
      throw new InvalidInputError(
        `${what}.y[${i}] must be ${objective === 'binary' ? '0 or 1' : 'finite'}, received ${v}`,
        { field: `${what}.y`, row: i },
      );
    }
  }
}

function checkInputs(train: GbdtData, params: GbdtParams, valid: GbdtData | undefined): void {
  checkGbdtParams(params);
  checkData(train, params.objective, 'train');
  if (train.n < 1)
    throw new InvalidInputError('train must hold at least one row, received 0', { field: 'train' });
  if (valid) {
    checkData(valid, params.objective, 'valid');
    if (valid.p !== train.p)
      throw new InvalidInputError(`valid.p must equal train.p = ${train.p}, received ${valid.p}`, {
        field: 'valid.p',
      });
  }
}

/** The constant start: the mean target (regression) or its logit (binary). */
function baselineOf(y: ArrayLike<number>, n: number, objective: GbdtObjective): number {
  let baseline = 0;
  for (let i = 0; i < n; i++) baseline += y[i]!;
  baseline /= n;
  if (objective === 'binary') {
    const pm = Math.min(Math.max(baseline, 1e-15), 1 - 1e-15);
    baseline = Math.log(pm / (1 - pm));
  }
  return baseline;
}

/** Gradients (and, for `binary`, hessians) of the loss at the current raw scores. */
function setGradients(ctx: GrowContext, raw: Float64Array, y: ArrayLike<number>, n: number): void {
  const { grad, hess } = ctx;
  if (ctx.constHess) for (let i = 0; i < n; i++) grad[i] = raw[i]! - y[i]!;
  else {
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(raw[i]!);
      grad[i] = pr - y[i]!;
      hess[i] = pr * (1 - pr);
    }
  }
}

/** The tree's rows into ctx.rows (each row drawn with probability rowSubsample, marked in inBag); their count. */
function drawRows(ctx: GrowContext, rng: Rng, n: number, inBag: Uint8Array): number {
  const { rows } = ctx;
  const share = ctx.params.rowSubsample;
  if (share >= 1) {
    for (let i = 0; i < n; i++) rows[i] = i;
    return n;
  }
  let nRows = 0;
  inBag.fill(0);
  for (let i = 0; i < n; i++) {
    if (rng.next() < share) {
      rows[nRows++] = i;
      inBag[i] = 1;
    }
  }
  return nRows;
}

/** The tree's nFeat features (a partial Fisher-Yates draw when fewer than p), sorted. */
function drawFeatures(rng: Rng, p: number, nFeat: number, perm: Int32Array): Int32Array {
  for (let f = 0; f < p; f++) perm[f] = f;
  if (nFeat < p) {
    for (let i = 0; i < nFeat; i++) {
      const j = i + rng.int(p - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
  }
  return perm.slice(0, nFeat).sort();
}

/** Adds a new tree's values to the raw scores: in-bag rows through their leaf ranges, the others by traversal. */
function addTree(
  grown: GrownTree,
  ctx: GrowContext,
  nRows: number,
  inBag: Uint8Array,
  raw: Float64Array,
): void {
  const n = ctx.binned.n;
  for (const l of grown.leaves) {
    const v = grown.tree.value[l.node]!;
    for (let k = l.begin; k < l.end; k++) {
      const r = ctx.rows[k]!;
      raw[r] = raw[r]! + v;
    }
  }
  if (nRows < n) {
    for (let i = 0; i < n; i++) {
      if (inBag[i] === 1) continue;
      raw[i] = raw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, ctx.binned.bins, n, i)]!;
    }
  }
}

/** The shared state of the boosting loop: bins, gradients, row buffers, a pool of histograms. */
function growContext(
  binned: BinnedMatrix,
  thresholds: readonly Float64Array[],
  params: GbdtParams,
): GrowContext {
  const { n, p } = binned;
  const constHess = params.objective === 'regression';
  const width = constHess ? 2 : 3;
  const nBins = new Int32Array(p);
  for (let f = 0; f < p; f++) nBins[f] = thresholds[f]!.length + 1;
  return {
    binned,
    grad: new Float32Array(n),
    hess: new Float32Array(constHess ? 0 : n),
    constHess,
    params,
    nBins,
    hasMissing: binned.hasMissing,
    features: new Int32Array(0),
    rows: new Uint32Array(n),
    tmp: new Uint32Array(n),
    width,
    orderedGrad: new Float64Array(n),
    orderedHess: new Float64Array(constHess ? 0 : n),
    pool: [],
    histSize: p * 256 * width,
  };
}

/** Total split gain per feature over the first `kept` trees. */
function sumGains(gains: readonly Float64Array[], kept: number, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let t = 0; t < kept; t++) {
    const g = gains[t]!;
    for (let f = 0; f < p; f++) out[f] = out[f]! + g[f]!;
  }
  return out;
}

/** Fits a GBDT; `valid` (optional) drives early stopping. Deterministic in `params.seed`. */
export function fitGbdt(train: GbdtData, paramsIn: Partial<GbdtParams>, valid?: GbdtData): GbdtFit {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...paramsIn };
  checkInputs(train, params, valid);
  const { n, p, y } = train;
  const rng = Rng.derive(params.seed, 'gbdt');
  const thresholds = findBinThresholds(train.x, n, p, params.maxBins, params.binSampleRows, rng);
  const ctx = growContext(binMatrix(train.x, n, p, thresholds), thresholds, params);
  const vBinned = valid ? binMatrix(valid.x, valid.n, p, thresholds) : null;
  const baseline = baselineOf(y, n, params.objective);
  const raw = new Float64Array(n).fill(baseline);
  const vRaw = valid ? new Float64Array(valid.n).fill(baseline) : null;
  const nFeat = Math.max(1, Math.round(p * params.featureSubsample));
  const featPerm = new Int32Array(p);
  const inBag = new Uint8Array(n);
  const trees: GbdtTree[] = [];
  const gains: Float64Array[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestIter = 0;
  for (let it = 0; it < params.numTrees; it++) {
    setGradients(ctx, raw, y, n);
    const nRows = drawRows(ctx, rng, n, inBag);
    const features = drawFeatures(rng, p, nFeat, featPerm);
    const gain = new Float64Array(p);
    const grown = growTree({ ...ctx, features }, nRows, thresholds, gain);
    trees.push(grown.tree);
    gains.push(gain);
    addTree(grown, ctx, nRows, inBag, raw);
    trainLoss.push(meanLoss(params.objective, raw, y, n));
    if (valid && vBinned && vRaw) {
      for (let i = 0; i < valid.n; i++) {
        vRaw[i] =
          vRaw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, vBinned.bins, valid.n, i)]!;
      }
      const vl = meanLoss(params.objective, vRaw, valid.y, valid.n);
      validLoss.push(vl);
      if (vl < best - params.tol) {
        best = vl;
        bestIter = it + 1;
      } else if (params.earlyStoppingRounds > 0 && it + 1 - bestIter >= params.earlyStoppingRounds) break;
    } else bestIter = it + 1;
  }
  const kept = params.earlyStoppingRounds > 0 && valid ? Math.max(1, bestIter) : trees.length;
  return {
    model: { objective: params.objective, nFeatures: p, baseline, trees: trees.slice(0, kept) },
    bestIteration: kept,
    trainLoss,
    validLoss,
    gainImportance: sumGains(gains, kept, p),
    binThresholds: thresholds,
  };
}
