/** Boosting: the fit loop (gradients, row and feature subsampling, tree growth, early stopping). */
import { InvalidInputError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { binMatrix, findBinThresholds } from './binning.ts';
import { binnedLeaf, type GrowContext, growTree } from './growth.ts';
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

/** Fits a GBDT; `valid` (optional) drives early stopping. Deterministic in `params.seed`. */
export function fitGbdt(train: GbdtData, paramsIn: Partial<GbdtParams>, valid?: GbdtData): GbdtFit {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...paramsIn };
  checkGbdtParams(params);
  const { n, p } = train;
  checkData(train, params.objective, 'train');
  if (n < 1) throw new InvalidInputError('train must hold at least one row, received 0', { field: 'train' });
  if (valid) {
    checkData(valid, params.objective, 'valid');
    if (valid.p !== p)
      throw new InvalidInputError(`valid.p must equal train.p = ${p}, received ${valid.p}`, {
        field: 'valid.p',
      });
  }
  const rng = Rng.derive(params.seed, 'gbdt');
  const thresholds = findBinThresholds(train.x, n, p, params.maxBins, params.binSampleRows, rng);
  const binned = binMatrix(train.x, n, p, thresholds);
  const nBins = new Int32Array(p);
  const hasMissing = binned.hasMissing;
  for (let f = 0; f < p; f++) nBins[f] = thresholds[f]!.length + 1;
  const vBinned = valid ? binMatrix(valid.x, valid.n, p, thresholds) : null;

  const y = train.y;
  let baseline = 0;
  for (let i = 0; i < n; i++) baseline += y[i]!;
  baseline /= n;
  if (params.objective === 'binary') {
    const pm = Math.min(Math.max(baseline, 1e-15), 1 - 1e-15);
    baseline = Math.log(pm / (1 - pm));
  }
  const raw = new Float64Array(n).fill(baseline);
  const vRaw = valid ? new Float64Array(valid.n).fill(baseline) : null;
  const constHess = params.objective === 'regression';
  const grad = new Float32Array(n);
  const hess = new Float32Array(constHess ? 0 : n);
  const ctx: GrowContext = {
    binned,
    grad,
    hess,
    constHess,
    params,
    nBins,
    hasMissing,
    features: new Int32Array(0),
    rows: new Uint32Array(n),
    tmp: new Uint32Array(n),
    width: constHess ? 2 : 3,
    orderedGrad: new Float64Array(n),
    orderedHess: new Float64Array(constHess ? 0 : n),
    pool: [],
    histSize: p * 256 * (constHess ? 2 : 3),
  };
  const nFeat = Math.max(1, Math.round(p * params.featureSubsample));
  const featPerm = new Int32Array(p);
  const trees: GbdtTree[] = [];
  const binThrs: number[][] = [];
  const gains: Float64Array[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestIter = 0;
  const inBag = new Uint8Array(n);
  for (let it = 0; it < params.numTrees; it++) {
    // gradients
    if (constHess) for (let i = 0; i < n; i++) grad[i] = raw[i]! - y[i]!;
    else {
      for (let i = 0; i < n; i++) {
        const pr = sigmoid(raw[i]!);
        grad[i] = pr - y[i]!;
        hess[i] = pr * (1 - pr);
      }
    }
    // rows of this tree
    let nRows = 0;
    if (params.rowSubsample < 1) {
      inBag.fill(0);
      for (let i = 0; i < n; i++) {
        if (rng.next() < params.rowSubsample) {
          ctx.rows[nRows++] = i;
          inBag[i] = 1;
        }
      }
    } else {
      for (let i = 0; i < n; i++) ctx.rows[i] = i;
      nRows = n;
    }
    // features of this tree
    for (let f = 0; f < p; f++) featPerm[f] = f;
    if (nFeat < p) {
      for (let i = 0; i < nFeat; i++) {
        const j = i + rng.int(p - i);
        const t = featPerm[i]!;
        featPerm[i] = featPerm[j]!;
        featPerm[j] = t;
      }
    }
    const features = featPerm.slice(0, nFeat).sort();
    const gain = new Float64Array(p);
    const grown = growTree({ ...ctx, features }, nRows, thresholds, gain);
    trees.push(grown.tree);
    binThrs.push(grown.binThr);
    gains.push(gain);
    // update predictions: in-bag rows through their leaf ranges, out-of-bag rows by traversal
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
        raw[i] = raw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, binned.bins, n, i)]!;
      }
    }
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
  const gainImportance = new Float64Array(p);
  for (let t = 0; t < kept; t++) {
    const g = gains[t]!;
    for (let f = 0; f < p; f++) gainImportance[f] = gainImportance[f]! + g[f]!;
  }
  return {
    model: { objective: params.objective, nFeatures: p, baseline, trees: trees.slice(0, kept) },
    bestIteration: kept,
    trainLoss,
    validLoss,
    gainImportance,
    binThresholds: thresholds,
  };
}
