/**
 * Instances for the optimizer tests and bench, and their dense-covariance statement for HiGHS (the oracle).
 * The sector penalty λ Σ max(0, |g_sᵀw − b_s| − band)² is stated with auxiliary excess variables e_s ≥ 0:
 * −band − e_s ≤ g_sᵀw − b_s ≤ band + e_s, objective + λ Σ e_s² (Hessian entry 2λ).
 */
import type { Highs } from 'highs';
import type { Rng } from '../../lib/core/rng.ts';
import type { QpInstance, QpModel } from '../../lib/portfolio/admm-qp/index.ts';

export interface QpCase {
  readonly label: string;
  readonly model: QpModel;
  readonly instance: QpInstance;
}

function sectorsOf(n: number, nS: number, rng: Rng): Int16Array {
  const sector = new Int16Array(n);
  for (let i = 0; i < n; i++) sector[i] = i < nS ? i : rng.int(nS);
  return sector;
}

/** A random instance: Gaussian loadings, F = WWᵀ/k, random bounds, budget, penalties. */
export function randomCase(rng: Rng, n: number, label = 'random'): QpCase {
  const k = 1 + rng.int(6);
  const loadings = new Float64Array(n * k);
  for (let j = 0; j < n * k; j++) loadings[j] = rng.normal();
  const W = new Float64Array(k * k);
  for (let j = 0; j < k * k; j++) W[j] = rng.normal();
  const factorCov = new Float64Array(k * k);
  const rankDef = rng.next() < 0.2;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let v = 0;
      for (let p = 0; p < (rankDef ? 1 : k); p++) v += (W[a * k + p] as number) * (W[b * k + p] as number);
      factorCov[a * k + b] = v / k;
    }
  }
  const specificVar = new Float64Array(n);
  const zeroSpec = rng.next() < 0.1;
  for (let i = 0; i < n; i++) specificVar[i] = zeroSpec ? 0 : 0.1 + rng.next();
  const withDiag = rng.next() < 0.3;
  const diagPenalty = new Float64Array(n);
  for (let i = 0; i < n; i++) diagPenalty[i] = withDiag ? rng.next() : 0;
  const riskAversion = 10 ** (rng.next() * 3 - 1);
  const linear = new Float64Array(n);
  const shift = rng.normal() * 0.5;
  for (let i = 0; i < n; i++) linear[i] = rng.normal() + shift;
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) upper[i] = rng.next() < 0.1 ? 0 : rng.next() * 0.3;
  const budget = rng.next() < 0.1 ? 10 : 0.2 + 0.8 * rng.next();
  const withSectors = rng.next() < 0.6;
  const nSectors = 2 + rng.int(6);
  const sector = sectorsOf(n, nSectors, rng);
  const bench = new Float64Array(nSectors);
  for (let s = 0; s < nSectors; s++) bench[s] = rng.next() / nSectors;
  const model: QpModel = {
    n,
    k,
    loadings,
    factorCov,
    specificVar,
    riskAversion,
    ...(withDiag ? { diagPenalty } : {}),
    ...(withSectors ? { sector, nSectors } : {}),
  };
  const instance: QpInstance = {
    linear,
    upper,
    budget,
    ...(withSectors
      ? { sectorBench: bench, sectorBand: rng.next() * 0.05, sectorPenalty: 10 ** (rng.next() * 3 - 1) }
      : {}),
  };
  return { label, model, instance };
}

/** A realistic hourly instance: market + sector dummies + statistical factors, hourly variances, small scores. */
export function realisticCase(rng: Rng, n: number, opts: { nSectors?: number; nStat?: number } = {}): QpCase {
  const nSectors = opts.nSectors ?? 11;
  const nStat = opts.nStat ?? 3;
  const k = 1 + nSectors + nStat;
  const sector = sectorsOf(n, nSectors, rng);
  const loadings = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    loadings[i * k] = 0.6 + 0.8 * rng.next();
    loadings[i * k + 1 + (sector[i] as number)] = 1;
    for (let p = 0; p < nStat; p++) loadings[i * k + 1 + nSectors + p] = rng.normal();
  }
  const bars = 1764;
  const factorCov = new Float64Array(k * k);
  const vol = new Float64Array(k);
  vol[0] = 0.16 / Math.sqrt(bars);
  for (let s = 0; s < nSectors; s++) vol[1 + s] = 0.08 / Math.sqrt(bars);
  for (let p = 0; p < nStat; p++) vol[1 + nSectors + p] = 0.05 / Math.sqrt(bars);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const corr = a === b ? 1 : a > 0 && b > 0 && a <= nSectors && b <= nSectors ? 0.2 : 0;
      factorCov[a * k + b] = corr * (vol[a] as number) * (vol[b] as number);
    }
  }
  const specificVar = new Float64Array(n);
  for (let i = 0; i < n; i++) specificVar[i] = ((0.15 + 0.25 * rng.next()) / Math.sqrt(bars)) ** 2;
  const linear = new Float64Array(n);
  for (let i = 0; i < n; i++) linear[i] = 0.002 * rng.normal() - 0.0002;
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const filtered = rng.next() < 0.05;
    const liqCap = 0.02 + 0.2 * rng.next();
    upper[i] = filtered ? 0 : Math.min(0.1, liqCap);
  }
  const bench = new Float64Array(nSectors);
  for (let i = 0; i < n; i++) bench[sector[i] as number] = (bench[sector[i] as number] as number) + 1 / n;
  const model: QpModel = {
    n,
    k,
    loadings,
    factorCov,
    specificVar,
    riskAversion: 50 + 200 * rng.next(),
    sector,
    nSectors,
  };
  const instance: QpInstance = {
    linear,
    upper,
    budget: 1,
    sectorBench: bench,
    sectorBand: 0.03,
    sectorPenalty: 0.01 + 0.1 * rng.next(),
  };
  return { label: 'realistic', model, instance };
}

/** Dense Σ = B F Bᵀ + diag(s), row-major n×n. */
export function denseCovariance(model: QpModel): Float64Array {
  const { n, k, loadings: B, factorCov: F, specificVar } = model;
  const BF = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < k; b++) {
      let v = 0;
      for (let a = 0; a < k; a++) v += (B[i * k + a] as number) * (F[a * k + b] as number);
      BF[i * k + b] = v;
    }
  }
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let b = 0; b < k; b++) v += (BF[i * k + b] as number) * (B[j * k + b] as number);
      if (i === j) v += specificVar[i] as number;
      S[i * n + j] = v;
      S[j * n + i] = v;
    }
  }
  return S;
}

/** Objective of w computed from the dense covariance (independent of the solver's factor-structured code). */
export function denseObjective(c: QpCase, S: Float64Array, w: Float64Array): number {
  const { n } = c.model;
  const g = c.model.riskAversion;
  let quad = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += (S[i * n + j] as number) * (w[j] as number);
    quad += (w[i] as number) * (g * v + (c.model.diagPenalty?.[i] ?? 0) * (w[i] as number));
  }
  let lin = 0;
  for (let i = 0; i < n; i++) {
    const q = c.instance.linear[i] as number;
    if (!Number.isNaN(q)) lin += q * (w[i] as number);
  }
  let pen = 0;
  const { sector, nSectors } = c.model;
  const lambda = c.instance.sectorPenalty ?? 0;
  if (sector !== undefined && nSectors !== undefined && lambda > 0) {
    const sums = new Float64Array(nSectors);
    for (let i = 0; i < n; i++)
      sums[sector[i] as number] = (sums[sector[i] as number] as number) + (w[i] as number);
    for (let s = 0; s < nSectors; s++) {
      const dev = Math.abs((sums[s] as number) - (c.instance.sectorBench?.[s] as number));
      const e = Math.max(0, dev - (c.instance.sectorBand ?? 0));
      pen += e * e;
    }
  }
  return 0.5 * quad - lin + lambda * pen;
}

/** Largest violation of 0 ≤ w ≤ u (u = 0 for NaN scores) and Σw ≤ budget; NaN weights count as infinite. */
export function maxViolation(c: QpCase, w: Float64Array): number {
  const { n } = c.model;
  let v = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    if (!Number.isFinite(wi)) return Number.POSITIVE_INFINITY;
    const ui = Number.isNaN(c.instance.linear[i] as number) ? 0 : (c.instance.upper[i] as number);
    v = Math.max(v, -wi, wi - ui);
    sum += wi;
  }
  return Math.max(v, sum - c.instance.budget);
}

export interface OracleSolution {
  readonly status: string;
  readonly objective: number;
  readonly weights: Float64Array;
  readonly ms: number;
}

/** Solves the dense formulation with HiGHS (persistent API, structured input, no LP-text rounding). */
export function solveWithHighs(
  highs: Highs,
  c: QpCase,
  S: Float64Array = denseCovariance(c.model),
): OracleSolution {
  const { n, sector, nSectors: nSec } = c.model;
  const lambda = c.instance.sectorPenalty ?? 0;
  const nS = sector !== undefined && nSec !== undefined && lambda > 0 ? nSec : 0;
  const nCols = n + nS;
  // HiGHS's tolerances are absolute: state the problem with the objective scaled so that max |cost| = 1.
  let qMax = 0;
  for (let i = 0; i < n; i++) {
    const q = c.instance.linear[i] as number;
    if (!Number.isNaN(q)) qMax = Math.max(qMax, Math.abs(q));
  }
  const scale = qMax > 0 ? 1 / qMax : 1;
  const g = c.model.riskAversion * scale;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols);
  for (let i = 0; i < n; i++) {
    const q = c.instance.linear[i] as number;
    colCost[i] = Number.isNaN(q) ? 0 : -q * scale;
    colUpper[i] = Number.isNaN(q) ? 0 : (c.instance.upper[i] as number);
  }
  for (let s = 0; s < nS; s++) colUpper[n + s] = highs.infinity;
  // Hessian, lower-triangular CSC
  const starts = new Int32Array(nCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < n; j++) {
    starts[j] = indices.length;
    for (let i = j; i < n; i++) {
      let v = g * (S[i * n + j] as number);
      if (i === j) v += (c.model.diagPenalty?.[i] ?? 0) * scale;
      if (v !== 0) {
        indices.push(i);
        values.push(v);
      }
    }
  }
  for (let s = 0; s < nS; s++) {
    starts[n + s] = indices.length;
    indices.push(n + s);
    values.push(2 * lambda * scale);
  }
  starts[nCols] = indices.length;
  // Rows (CSR): budget, then per sector the upper and lower band rows.
  const nRows = 1 + 2 * nS;
  const rowLower = new Float64Array(nRows);
  const rowUpper = new Float64Array(nRows);
  const rStarts = new Int32Array(nRows + 1);
  const rIdx: number[] = [];
  const rVal: number[] = [];
  rowLower[0] = -highs.infinity;
  rowUpper[0] = c.instance.budget;
  for (let i = 0; i < n; i++) {
    rIdx.push(i);
    rVal.push(1);
  }
  const band = c.instance.sectorBand ?? 0;
  for (let s = 0; s < nS; s++) {
    const b = c.instance.sectorBench?.[s] as number;
    for (const side of [1, -1]) {
      const r = 1 + 2 * s + (side === 1 ? 0 : 1);
      rStarts[r] = rIdx.length;
      for (let i = 0; i < n; i++) {
        if (sector?.[i] === s) {
          rIdx.push(i);
          rVal.push(1);
        }
      }
      rIdx.push(n + s);
      rVal.push(-side);
      rowLower[r] = side === 1 ? -highs.infinity : b - band;
      rowUpper[r] = side === 1 ? b + band : highs.infinity;
    }
  }
  rStarts[nRows] = rIdx.length;
  const t0 = performance.now();
  const model = highs.createModel({
    numCols: nCols,
    numRows: nRows,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: {
      format: 'csr',
      numRows: nRows,
      numCols: nCols,
      starts: rStarts,
      indices: Int32Array.from(rIdx),
      values: Float64Array.from(rVal),
    },
    hessian: {
      format: 'triangular',
      dimension: nCols,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
  });
  try {
    model.options.set({ output_flag: process.env.HIGHS_LOG === '1', time_limit: 20 });
    model.run();
    const ms = performance.now() - t0;
    const status = model.getModelStatus();
    const sol = model.getSolution();
    const weights = Float64Array.from(sol.colValue.subarray(0, n));
    return {
      status: status === highs.constants.modelStatus.optimal ? 'optimal' : `status ${status}`,
      objective: model.getObjectiveValue() / scale,
      weights,
      ms,
    };
  } finally {
    model.dispose();
  }
}
