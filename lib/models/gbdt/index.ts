/**
 * Histogram gradient-boosted decision trees in the LightGBM / scikit-learn HistGradientBoosting style
 * (Ke et al., "LightGBM", NeurIPS 2017; sklearn.ensemble.HistGradientBoosting*):
 *
 * - features binned to at most `maxBins` (≤ 255) quantile bins computed on a sample of rows (midpoints of the
 *   distinct values when there are fewer), plus one bin (255) for missing values;
 * - per node, gradient / hessian / count histograms (the smaller child built, the larger by subtraction);
 * - best-first (leaf-wise) growth to `numLeaves` leaves, optional `maxDepth`, `minDataInLeaf`,
 *   `minHessianInLeaf`, L2 regularisation of leaf values, learning rate;
 * - missing values: each split learns whether they go left or right (both directions scanned);
 * - row subsampling (per tree, without replacement) and feature subsampling (per tree);
 * - early stopping on a validation slice (loss not improved by `tol` for `earlyStoppingRounds` trees; the
 *   model is truncated to the best iteration).
 *
 * Objectives: `regression` (half squared error: g = ŷ − y, h = 1) and `binary` (log loss on the logit:
 * g = σ(ŷ) − y, h = σ(1 − σ)). Split gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaf value
 * = −η·G/(H+λ) — the same formulas as scikit-learn, whose results `test/fixtures/gbdt` records.
 *
 * Data are row-major Float32Array (n × p, NaN = missing). Performance layout (results are bit-identical to the
 * straightforward algorithm): bins column-major (Uint8Array, feature f of row i at f·n + i) found by a per-feature
 * lookup on the float's top 16 bits; threshold values sorted by a radix sort of their bits; histograms with a
 * bin's sums interleaved, built four features per pass over the leaf's rows (stably partitioned in place) from
 * gradients gathered in row order; prediction over trees flattened into typed arrays, eight rows at a time.
 *
 * Files: params.ts (hyper-parameters), model.ts (data and model types), binning.ts, histograms.ts, growth.ts
 * (one tree), losses.ts, fit.ts (boosting), predict.ts.
 */
export {
  type BinnedMatrix,
  binMatrix,
  binThresholdsOf,
  findBinThresholds,
} from './binning.ts';
export { fitGbdt } from './fit.ts';
export { ALMOST_INF, type GbdtData, type GbdtFit, type GbdtModel, type GbdtTree } from './model.ts';
export { DEFAULT_GBDT_PARAMS, type GbdtObjective, type GbdtParams } from './params.ts';
export { predictGbdt, predictGbdtRaw } from './predict.ts';
