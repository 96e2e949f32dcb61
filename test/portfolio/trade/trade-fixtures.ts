/**
 * Instances for the trade-optimizer tests and bench, an objective computed from the dense covariance (independent
 * of the solver's factor-structured code), and the HiGHS oracle.
 *
 * Oracle formulation (minimisation, variables w, Δ⁺, Δ⁻ ≥ 0, sector excess e ≥ 0, impact epigraphs t⁺, t⁻ ≥ 0):
 *   min −αᵀw + (γ + μ)wᵀΣw + Σ c_i(Δ⁺_i + Δ⁻_i) + Σ (t⁺_i + t⁻_i) + λ Σ e_s²
 *   s.t. w − Δ⁺ + Δ⁻ = w₀,  Σw ≤ G,  Σ(Δ⁺ + Δ⁻) ≤ τ,  −band − e_s ≤ g_sᵀw − t_s ≤ band + e_s,  0 ≤ w ≤ u,
 *        t^±_i ≥ k_i(1.5√a Δ^±_i − 0.5a^{3/2}) for cut points a (Kelley's cutting planes; k_i = γ_trade κ_i).
 * With μ ≥ 0 fixed this is the Lagrangian relaxation of the variance ceiling wᵀΣw ≤ v_max, and the cuts under-
 * estimate |Δ|^{3/2}, so its optimum minus μ·v_max is a lower bound on the true optimum for every μ ≥ 0 (weak
 * duality); with μ at the ceiling's multiplier and enough cuts the bound is tight. With k = 0 and μ = 0 it is the
 * exact problem as a QP (the split is exact: at an optimum Δ⁺_iΔ⁻_i = 0 and any split costs at least |Δ|).
 */
import type { Highs } from 'highs';
import type { Rng } from '../../../lib/core/rng.ts';
import type { TradeInstance, TradeRiskModel, TradeSectors } from '../../../lib/portfolio/trade/index.ts';
import { denseCovariance } from '../qp-fixtures.ts';

export interface TradeCase {
  readonly model: TradeRiskModel;
  readonly sectors: TradeSectors | undefined;
  readonly inst: TradeInstance;
}

export interface RandomTradeOptions {
  readonly n: number;
  readonly k: number;
  readonly impact: boolean;
  /** Ceiling as a multiple of σ(w₀) (undefined: no ceiling). */
  readonly ceilingFactor?: number;
  readonly sectors: boolean;
}

/** A random instance at hourly scales: unit-free shapes times a return scale and a variance scale. */
export function randomTradeCase(rng: Rng, o: RandomTradeOptions): TradeCase {
  const { n, k } = o;
  const retScale = rng.next() < 0.5 ? 1e-3 : 1;
  const varScale = rng.next() < 0.5 ? 2e-5 : 1;
  const loadings = new Float64Array(n * k);
  for (let j = 0; j < n * k; j++) loadings[j] = rng.normal() + (j % k === 0 ? 1 : 0);
  const W = new Float64Array(k * k);
  for (let j = 0; j < k * k; j++) W[j] = rng.normal();
  const factorCov = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let v = 0;
      for (let p = 0; p < k; p++) v += (W[a * k + p] as number) * (W[b * k + p] as number);
      factorCov[a * k + b] = (0.3 * varScale * v) / k;
    }
  }
  const specificVar = new Float64Array(n);
  for (let i = 0; i < n; i++) specificVar[i] = varScale * (0.2 + rng.next());
  const nS = 2 + rng.int(4);
  const sector = new Int16Array(n);
  for (let i = 0; i < n; i++) sector[i] = i < nS ? i : rng.int(nS);
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = retScale * (rng.normal() + 0.3);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) upper[i] = rng.next() < 0.08 ? 0 : 0.05 + 0.25 * rng.next();
  const gross = 0.6 + 0.4 * rng.next();
  // holdings: random positive weights summing to 0.5–1.05 of the gross, a few above their caps
  const w0 = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = rng.next() < 0.3 ? 0 : -Math.log(1 - rng.next());
    w0[i] = v;
    s += v;
  }
  const invested = gross * (0.5 + 0.55 * rng.next());
  for (let i = 0; i < n; i++) w0[i] = s > 0 ? ((w0[i] as number) * invested) / s : 0;
  if (rng.next() > 0.2) for (let i = 0; i < n; i++) w0[i] = Math.min(w0[i] as number, upper[i] as number);
  const turnoverCap = rng.next() < 0.1 ? 2 : gross * 10 ** (-2 + 1.7 * rng.next());
  const linearCost = new Float64Array(n);
  const impactCoef = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    linearCost[i] = rng.next() < 0.1 ? 0 : retScale * 0.3 * rng.next();
    impactCoef[i] = o.impact ? retScale * 3 * rng.next() : 0;
  }
  // γ such that risk and return are comparable at weights ~ 1/n
  const riskAversion = ((retScale / varScale) * 10 ** (-1 + 2 * rng.next())) / 4;
  const bench = new Float64Array(nS);
  let bs = 0;
  for (let t = 0; t < nS; t++) {
    bench[t] = 0.2 + rng.next();
    bs += bench[t] as number;
  }
  for (let t = 0; t < nS; t++) bench[t] = (bench[t] as number) / bs;
  const model: TradeRiskModel = { n, k, loadings, factorCov, specificVar };
  let volCeiling: number | undefined;
  if (o.ceilingFactor !== undefined) {
    const S = denseCovariance({ ...model, riskAversion: 0 });
    volCeiling = o.ceilingFactor * Math.sqrt(quad(S, w0, n));
    if (!(volCeiling > 0)) volCeiling = Math.sqrt(varScale) * 0.05;
  }
  const inst: TradeInstance = {
    alpha,
    w0,
    upper,
    gross,
    turnoverCap,
    linearCost,
    impactCoef,
    riskAversion,
    tradeAversion: 0.5 + rng.next(),
    ...(o.sectors
      ? {
          sectorBench: bench,
          sectorBand: 0.05 * rng.next(),
          sectorPenalty: (retScale * 10 ** (1 + 2 * rng.next())) / 10,
        }
      : {}),
    ...(volCeiling !== undefined ? { volCeiling } : {}),
  };
  return { model, sectors: o.sectors ? { sector, nSectors: nS } : undefined, inst };
}

export function quad(S: Float64Array, w: Float64Array, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += (S[i * n + j] as number) * (w[j] as number);
    v += (w[i] as number) * r;
  }
  return v;
}

export function denseSigma(c: TradeCase): Float64Array {
  return denseCovariance({ ...c.model, riskAversion: 0 });
}

/** Effective cap: NaN alpha → min(u, w₀). */
export function effectiveUpper(c: TradeCase, i: number): number {
  const u = c.inst.upper[i] as number;
  return Number.isNaN(c.inst.alpha[i] as number) ? Math.min(u, c.inst.w0[i] as number) : u;
}

/** The minimised objective F(w) from the dense covariance (the solver reports −F). */
export function denseObjective(c: TradeCase, S: Float64Array, w: Float64Array): number {
  const { n } = c.model;
  const { inst } = c;
  let f = inst.riskAversion * quad(S, w, n);
  for (let i = 0; i < n; i++) {
    const a = inst.alpha[i] as number;
    if (!Number.isNaN(a)) f -= a * (w[i] as number);
    const d = Math.abs((w[i] as number) - (inst.w0[i] as number));
    f +=
      inst.tradeAversion * ((inst.linearCost[i] as number) * d + (inst.impactCoef[i] as number) * d ** 1.5);
  }
  const lambda = inst.sectorPenalty ?? 0;
  if (c.sectors !== undefined && lambda > 0) {
    const sums = new Float64Array(c.sectors.nSectors);
    for (let i = 0; i < n; i++) {
      const s = c.sectors.sector[i] as number;
      sums[s] = (sums[s] as number) + (w[i] as number);
    }
    const inv = inst.sectorInvested ?? inst.gross;
    for (let s = 0; s < sums.length; s++) {
      const dev = Math.abs((sums[s] as number) - (inst.sectorBench?.[s] as number) * inv);
      f += lambda * Math.max(0, dev - (inst.sectorBand ?? 0)) ** 2;
    }
  }
  return f;
}

/** Largest violation of the box, the gross and the (relaxed) turnover cap; the volatility's relative excess. */
export function violations(
  c: TradeCase,
  S: Float64Array,
  w: Float64Array,
  tauEff: number,
  volCap: number,
): { hard: number; volRel: number } {
  const { n } = c.model;
  let hard = 0;
  let sum = 0;
  let turn = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    if (!Number.isFinite(wi)) return { hard: Number.POSITIVE_INFINITY, volRel: Number.POSITIVE_INFINITY };
    hard = Math.max(hard, -wi, wi - effectiveUpper(c, i));
    sum += wi;
    turn += Math.abs(wi - (c.inst.w0[i] as number));
  }
  hard = Math.max(hard, sum - c.inst.gross, turn - tauEff);
  const vol = Math.sqrt(quad(S, w, n));
  return { hard, volRel: Number.isFinite(volCap) ? Math.max(0, vol / volCap - 1) : 0 };
}

export interface OracleResult {
  readonly status: string;
  /** Lower bound on the optimum of F (exact optimum when k = 0 and the ceiling is not binding). */
  readonly lowerBound: number;
  /** The oracle's w (for the Lagrangian with μ; feasible for everything but the ceiling). */
  readonly weights: Float64Array;
  readonly cutRounds: number;
}

/**
 * min F(w) + μ(wᵀΣw − v_max) over the other constraints, by HiGHS; with impact, by Kelley's cutting planes until
 * the gap between the cut model and the true Lagrangian at the oracle's point is below `gapTol` (relative).
 */
export function oracleLowerBound(
  highs: Highs,
  c: TradeCase,
  S: Float64Array,
  mu: number,
  varCap: number,
  tauEff: number,
  gapTol = 1e-9,
  seedCuts?: Float64Array,
): OracleResult {
  const { n } = c.model;
  const cuts: { i: number; side: 0 | 1; a: number }[] = [];
  // optional first cuts at a given point's trades (any tangent of a convex function is a minorant, so the bound
  // stays valid whatever the point; at the optimum's trades it is tight in one round)
  const impOf = (i: number): number => (c.inst.impactCoef[i] as number) * c.inst.tradeAversion;
  if (seedCuts !== undefined) {
    for (let i = 0; i < n; i++) {
      if (impOf(i) === 0) continue;
      const d = (seedCuts[i] as number) - (c.inst.w0[i] as number);
      if (d > 1e-14) cuts.push({ i, side: 0, a: d });
      if (d < -1e-14) cuts.push({ i, side: 1, a: -d });
    }
  }
  const imp = Float64Array.from(c.inst.impactCoef, (v) => v * c.inst.tradeAversion);
  const hasImpact = imp.some((v) => v > 0);
  let last: { status: string; obj: number; w: Float64Array; dp: Float64Array; dm: Float64Array } | undefined;
  let rounds = 0;
  for (let round = 0; round < 60; round++) {
    rounds = round + 1;
    last = solveLagrangian(highs, c, S, mu, tauEff, imp, cuts);
    if (last.status !== 'optimal' || !hasImpact) break;
    // the true Lagrangian at the oracle's point vs the cut model's value
    const trueVal = denseObjective(c, S, last.w) + mu * quad(S, last.w, n);
    const scale = Math.max(Math.abs(trueVal), Math.abs(last.obj), 1e-300);
    if (trueVal - last.obj <= gapTol * scale) break;
    for (let i = 0; i < n; i++) {
      if ((imp[i] as number) === 0) continue;
      const dp = last.dp[i] as number;
      const dm = last.dm[i] as number;
      if (dp > 1e-14) cuts.push({ i, side: 0, a: dp });
      if (dm > 1e-14) cuts.push({ i, side: 1, a: dm });
    }
  }
  if (last === undefined) throw new Error('no oracle round');
  return { status: last.status, lowerBound: last.obj - mu * varCap, weights: last.w, cutRounds: rounds };
}

type LagrangianSolution = {
  status: string;
  obj: number;
  w: Float64Array;
  dp: Float64Array;
  dm: Float64Array;
};

/**
 * The Lagrangian QP with split variables: w = w₀ + Δ⁺ − Δ⁻ substituted, so the columns are Δ⁺, Δ⁻ ≥ 0 (plus the
 * sector excess e and the impact epigraph t ≥ k(1.5√a(Δ⁺ + Δ⁻) − 0.5a^{3/2})), the Hessian 2(γ+μ)[Σ −Σ; −Σ Σ] and the
 * caps become rows −w₀ ≤ Δ⁺ − Δ⁻ ≤ u − w₀. HiGHS's QP solver reports solve errors on some of these models; then
 * the epigraph form (w and d ≥ |w − w₀|) is tried.
 */
function solveLagrangian(
  highs: Highs,
  c: TradeCase,
  S: Float64Array,
  mu: number,
  tauEff: number,
  imp: Float64Array,
  cuts: readonly { i: number; side: 0 | 1; a: number }[],
): LagrangianSolution {
  const split = solveLagrangianSplit(highs, c, S, mu, tauEff, imp, cuts);
  if (split.status !== 'error') return split;
  return solveLagrangianEpigraph(highs, c, S, mu, tauEff, imp, cuts);
}

function solveLagrangianSplit(
  highs: Highs,
  c: TradeCase,
  S: Float64Array,
  mu: number,
  tauEff: number,
  imp: Float64Array,
  cuts: readonly { i: number; side: 0 | 1; a: number }[],
): LagrangianSolution {
  const { n } = c.model;
  const { inst } = c;
  const lambda = c.sectors !== undefined ? (inst.sectorPenalty ?? 0) : 0;
  const nS = lambda > 0 && c.sectors !== undefined ? c.sectors.nSectors : 0;
  const withT = imp.some((v) => v > 0);
  const keep: number[] = [];
  const pos = new Int32Array(n).fill(-1);
  let constTurn = 0;
  let constCost = 0;
  let keptW0 = 0;
  for (let i = 0; i < n; i++) {
    const w0 = inst.w0[i] as number;
    if (effectiveUpper(c, i) > 0) {
      pos[i] = keep.length;
      keep.push(i);
      keptW0 += w0;
      continue;
    }
    constTurn += w0;
    constCost += inst.tradeAversion * (inst.linearCost[i] as number) * w0 + (imp[i] as number) * w0 ** 1.5;
  }
  const m = keep.length;
  const oP = 0;
  const oM = m;
  const oE = 2 * m;
  const oT = 2 * m + nS;
  const nCols = oT + (withT ? m : 0);
  let aMax = 0;
  for (let i = 0; i < n; i++) {
    const a = inst.alpha[i] as number;
    if (!Number.isNaN(a)) aMax = Math.max(aMax, Math.abs(a));
  }
  const scale = aMax > 0 ? 1 / aMax : 1;
  const gam = inst.riskAversion + mu;
  // w₀ restricted to the kept names (the others are 0 in w)
  const w0k = new Float64Array(n);
  for (const i of keep) w0k[i] = inst.w0[i] as number;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols).fill(highs.infinity);
  let constant = constCost;
  for (let j = 0; j < m; j++) {
    const i = keep[j] as number;
    let sw = 0;
    for (const l of keep) sw += (S[i * n + l] as number) * (w0k[l] as number);
    const a = inst.alpha[i] as number;
    const g0 = 2 * gam * sw - (Number.isNaN(a) ? 0 : a);
    const lc = inst.tradeAversion * (inst.linearCost[i] as number);
    colCost[oP + j] = (g0 + lc) * scale;
    colCost[oM + j] = (-g0 + lc) * scale;
    const w0 = inst.w0[i] as number;
    colUpper[oP + j] = Math.max(effectiveUpper(c, i) - w0, 0);
    colUpper[oM + j] = w0;
    if (withT) colCost[oT + j] = scale;
    constant += -(Number.isNaN(a) ? 0 : a) * w0 + gam * w0 * sw;
  }
  // Hessian, lower triangle CSC: blocks [Q −Q; −Q Q], Q = 2(γ+μ)Σ_kept, then 2λ on e
  const hStarts = new Int32Array(nCols + 1);
  const hIdx: number[] = [];
  const hVal: number[] = [];
  for (let col = 0; col < nCols; col++) {
    hStarts[col] = hIdx.length;
    if (col < 2 * m) {
      const jc = col % m;
      const ic = keep[jc] as number;
      const colMinus = col >= m;
      for (let row = col; row < 2 * m; row++) {
        const jr = row % m;
        const v = 2 * gam * scale * (S[(keep[jr] as number) * n + ic] as number);
        const sign = row >= m === colMinus ? 1 : -1;
        if (v !== 0) {
          hIdx.push(row);
          hVal.push(sign * v);
        }
      }
    } else if (col < oT) {
      hIdx.push(col);
      hVal.push(2 * lambda * scale);
    }
  }
  hStarts[nCols] = hIdx.length;
  const rStarts: number[] = [];
  const rIdx: number[] = [];
  const rVal: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const addRow = (entries: [number, number][], lo: number, hi: number): void => {
    rStarts.push(rIdx.length);
    for (const [j, v] of entries) {
      rIdx.push(j);
      rVal.push(v);
    }
    rowLower.push(lo);
    rowUpper.push(hi);
  };
  for (let j = 0; j < m; j++) {
    const i = keep[j] as number;
    const w0 = inst.w0[i] as number;
    addRow(
      [
        [oP + j, 1],
        [oM + j, -1],
      ],
      -w0,
      effectiveUpper(c, i) - w0,
    );
  }
  const budget: [number, number][] = [];
  const turnover: [number, number][] = [];
  for (let j = 0; j < m; j++) {
    budget.push([oP + j, 1], [oM + j, -1]);
    turnover.push([oP + j, 1], [oM + j, 1]);
  }
  addRow(budget, -highs.infinity, inst.gross - keptW0);
  addRow(turnover, -highs.infinity, tauEff - constTurn);
  if (nS > 0 && c.sectors !== undefined) {
    const band = inst.sectorBand ?? 0;
    const inv = inst.sectorInvested ?? inst.gross;
    for (let s = 0; s < nS; s++) {
      let base = 0;
      const members: [number, number][] = [];
      for (let j = 0; j < m; j++) {
        const i = keep[j] as number;
        if (c.sectors.sector[i] !== s) continue;
        base += inst.w0[i] as number;
        members.push([oP + j, 1], [oM + j, -1]);
      }
      const t = (inst.sectorBench?.[s] as number) * inv - base;
      addRow([...members, [oE + s, -1]], -highs.infinity, t + band);
      addRow([...members, [oE + s, 1]], t - band, highs.infinity);
    }
  }
  for (const cut of cuts) {
    const j = pos[cut.i] as number;
    if (j < 0) continue;
    const k = imp[cut.i] as number;
    const g = 1.5 * k * Math.sqrt(cut.a) * scale;
    addRow(
      [
        [oT + j, scale],
        [oP + j, -g],
        [oM + j, -g],
      ],
      -0.5 * k * cut.a ** 1.5 * scale,
      highs.infinity,
    );
  }
  rStarts.push(rIdx.length);
  const model = qpModel(highs, {
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    rStarts,
    rIdx,
    rVal,
    hStarts,
    hIdx,
    hVal,
  });
  try {
    model.options.set({ output_flag: false, time_limit: 20 });
    try {
      model.run();
    } catch {
      return {
        status: 'error',
        obj: Number.NaN,
        w: new Float64Array(n),
        dp: new Float64Array(n),
        dm: new Float64Array(n),
      };
    }
    const status = model.getModelStatus() === highs.constants.modelStatus.optimal ? 'optimal' : 'not optimal';
    const x = model.getSolution().colValue;
    const w = new Float64Array(n);
    const dp = new Float64Array(n);
    const dm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = pos[i] as number;
      if (j < 0) {
        dm[i] = inst.w0[i] as number;
        continue;
      }
      dp[i] = x[oP + j] as number;
      dm[i] = x[oM + j] as number;
      w[i] = (inst.w0[i] as number) + (dp[i] as number) - (dm[i] as number);
    }
    return { status, obj: model.getObjectiveValue() / scale + constant, w, dp, dm };
  } finally {
    model.dispose();
  }
}

function solveLagrangianEpigraph(
  highs: Highs,
  c: TradeCase,
  S: Float64Array,
  mu: number,
  tauEff: number,
  imp: Float64Array,
  cuts: readonly { i: number; side: 0 | 1; a: number }[],
): { status: string; obj: number; w: Float64Array; dp: Float64Array; dm: Float64Array } {
  const { n } = c.model;
  const { inst } = c;
  const lambda = c.sectors !== undefined ? (inst.sectorPenalty ?? 0) : 0;
  const nS = lambda > 0 && c.sectors !== undefined ? c.sectors.nSectors : 0;
  const withT = imp.some((v) => v > 0);
  // Names capped at 0 are sold out (w = 0, Δ = −w₀): constants, kept out of the model (HiGHS's QP solver
  // reports an error on such fixed columns tied to nonzero equality rows).
  const keep: number[] = [];
  const pos = new Int32Array(n).fill(-1);
  let constTurn = 0;
  let constCost = 0;
  for (let i = 0; i < n; i++) {
    if (effectiveUpper(c, i) > 0) {
      pos[i] = keep.length;
      keep.push(i);
      continue;
    }
    const w0 = inst.w0[i] as number;
    constTurn += w0;
    constCost += inst.tradeAversion * (inst.linearCost[i] as number) * w0 + (imp[i] as number) * w0 ** 1.5;
  }
  const m = keep.length;
  // columns: w (m), d (m), e (nS), t (m)
  const oW = 0;
  const oP = m;
  const oE = 2 * m;
  const oT = 2 * m + nS;
  const nCols = oT + (withT ? m : 0);
  let aMax = 0;
  for (let i = 0; i < n; i++) {
    const a = inst.alpha[i] as number;
    if (!Number.isNaN(a)) aMax = Math.max(aMax, Math.abs(a));
  }
  const scale = aMax > 0 ? 1 / aMax : 1;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols).fill(highs.infinity);
  for (let j = 0; j < m; j++) {
    const i = keep[j] as number;
    const a = inst.alpha[i] as number;
    colCost[oW + j] = Number.isNaN(a) ? 0 : -a * scale;
    colUpper[oW + j] = effectiveUpper(c, i);
    const lc = inst.tradeAversion * (inst.linearCost[i] as number) * scale;
    colCost[oP + j] = lc;
    if (withT) colCost[oT + j] = scale;
  }
  // Hessian (lower-triangular CSC): 2(γ+μ)Σ on w, 2λ on e
  const g2 = 2 * (inst.riskAversion + mu) * scale;
  const hStarts = new Int32Array(nCols + 1);
  const hIdx: number[] = [];
  const hVal: number[] = [];
  for (let j = 0; j < nCols; j++) {
    hStarts[j] = hIdx.length;
    if (j < m) {
      const ij = keep[j] as number;
      for (let r = j; r < m; r++) {
        const v = g2 * (S[(keep[r] as number) * n + ij] as number);
        if (v !== 0) {
          hIdx.push(r);
          hVal.push(v);
        }
      }
    } else if (j >= oE && j < oT) {
      hIdx.push(j);
      hVal.push(2 * lambda * scale);
    }
  }
  hStarts[nCols] = hIdx.length;
  // rows (CSR)
  const rStarts: number[] = [];
  const rIdx: number[] = [];
  const rVal: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const addRow = (entries: [number, number][], lo: number, hi: number): void => {
    rStarts.push(rIdx.length);
    for (const [j, v] of entries) {
      rIdx.push(j);
      rVal.push(v);
    }
    rowLower.push(lo);
    rowUpper.push(hi);
  };
  for (let j = 0; j < m; j++) {
    const w0 = inst.w0[keep[j] as number] as number;
    addRow(
      [
        [oW + j, -1],
        [oP + j, 1],
      ],
      -w0,
      highs.infinity,
    );
    addRow(
      [
        [oW + j, 1],
        [oP + j, 1],
      ],
      w0,
      highs.infinity,
    );
  }
  addRow(
    Array.from({ length: m }, (_, j) => [oW + j, 1] as [number, number]),
    -highs.infinity,
    inst.gross,
  );
  const turnEntries: [number, number][] = [];
  for (let j = 0; j < m; j++) turnEntries.push([oP + j, 1]);
  addRow(turnEntries, -highs.infinity, tauEff - constTurn);
  if (nS > 0 && c.sectors !== undefined) {
    const band = inst.sectorBand ?? 0;
    const inv = inst.sectorInvested ?? inst.gross;
    for (let s = 0; s < nS; s++) {
      const t = (inst.sectorBench?.[s] as number) * inv;
      const members: [number, number][] = [];
      for (let j = 0; j < m; j++) if (c.sectors.sector[keep[j] as number] === s) members.push([oW + j, 1]);
      addRow([...members, [oE + s, -1]], -highs.infinity, t + band);
      addRow([...members, [oE + s, 1]], t - band, highs.infinity);
    }
  }
  for (const cut of cuts) {
    const j = pos[cut.i] as number;
    if (j < 0) continue;
    const k = imp[cut.i] as number;
    const d = oP + j;
    const t = oT + j;
    // t ≥ k(1.5√a Δ − 0.5a^{3/2}), stated as (t − 1.5k√a Δ)·scale ≥ −0.5k a^{3/2}·scale
    addRow(
      [
        [t, scale],
        [d, -1.5 * k * Math.sqrt(cut.a) * scale],
      ],
      -0.5 * k * cut.a ** 1.5 * scale,
      highs.infinity,
    );
  }
  rStarts.push(rIdx.length);
  // a feasible start: the least-turnover point within the caps and the gross
  const feasibleStart = (): Float64Array => {
    const x = new Float64Array(nCols);
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const i = keep[j] as number;
      x[oW + j] = Math.min(inst.w0[i] as number, effectiveUpper(c, i));
      sum += x[oW + j] as number;
    }
    const f = sum > inst.gross ? inst.gross / sum : 1;
    for (let j = 0; j < m; j++) {
      x[oW + j] = (x[oW + j] as number) * f;
      x[oP + j] = Math.abs((x[oW + j] as number) - (inst.w0[keep[j] as number] as number));
    }
    // sector excess and impact epigraphs: large enough to satisfy their rows
    for (let s2 = 0; s2 < nS; s2++) x[oE + s2] = 10;
    if (withT) for (let j = 0; j < m; j++) x[oT + j] = 10;
    return x;
  };
  const model = qpModel(highs, {
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    rStarts,
    rIdx,
    rVal,
    hStarts,
    hIdx,
    hVal,
  });
  try {
    model.options.set({ output_flag: false, time_limit: 20 });
    // a feasible start (HiGHS's QP solver fails on fewer of these models with one)
    model.setSolution({ colValue: feasibleStart() });
    try {
      model.run();
    } catch {
      return {
        status: 'error',
        obj: Number.NaN,
        w: new Float64Array(n),
        dp: new Float64Array(n),
        dm: new Float64Array(n),
      };
    }
    const status = model.getModelStatus() === highs.constants.modelStatus.optimal ? 'optimal' : 'not optimal';
    const x = model.getSolution().colValue;
    const w = new Float64Array(n);
    const dp = new Float64Array(n);
    const dm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = pos[i] as number;
      if (j < 0) {
        dm[i] = inst.w0[i] as number;
        continue;
      }
      w[i] = x[oW + j] as number;
      const dd = (w[i] as number) - (inst.w0[i] as number);
      dp[i] = Math.max(dd, 0);
      dm[i] = Math.max(-dd, 0);
    }
    return { status, obj: model.getObjectiveValue() / scale + constCost, w, dp, dm };
  } finally {
    model.dispose();
  }
}

/**
 * A lower bound on the optimum by the first-order (Frank–Wolfe) gap of the Lagrangian L(w) = F(w) + μ(wᵀΣw − v_max):
 * g = everything in L but the linear cost c|Δ| is convex and C¹ (the 3/2-power term included), so for any w̄
 *   F* ≥ min_{w ∈ C'} L(w) ≥ g(w̄) + min_{w ∈ C'} [∇g(w̄)ᵀ(w − w̄) + Σ c_i|Δ_i|] − μ v_max,
 * C' = caps, gross, turnover (the ceiling dualised). The inner problem is an LP in (w, Δ⁺, Δ⁻), solved by HiGHS.
 * The bound holds for every w̄ and μ ≥ 0; it equals F(w̄) when w̄ is optimal and μ its ceiling multiplier.
 */
export function firstOrderLowerBound(
  highs: Highs,
  c: TradeCase,
  S: Float64Array,
  wBar: Float64Array,
  mu: number,
  varCap: number,
  tauEff: number,
): { status: string; lowerBound: number } {
  const { n } = c.model;
  const { inst } = c;
  const g = new Float64Array(n);
  const gam = inst.riskAversion + mu;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += (S[i * n + j] as number) * (wBar[j] as number);
    const a = inst.alpha[i] as number;
    const d = (wBar[i] as number) - (inst.w0[i] as number);
    const k = inst.tradeAversion * (inst.impactCoef[i] as number);
    g[i] = 2 * gam * r - (Number.isNaN(a) ? 0 : a) + 1.5 * k * Math.sign(d) * Math.sqrt(Math.abs(d));
  }
  const lambda = c.sectors !== undefined ? (inst.sectorPenalty ?? 0) : 0;
  if (c.sectors !== undefined && lambda > 0) {
    const sums = new Float64Array(c.sectors.nSectors);
    for (let i = 0; i < n; i++) {
      const s = c.sectors.sector[i] as number;
      sums[s] = (sums[s] as number) + (wBar[i] as number);
    }
    const inv = inst.sectorInvested ?? inst.gross;
    const band = inst.sectorBand ?? 0;
    for (let i = 0; i < n; i++) {
      const s = c.sectors.sector[i] as number;
      const dev = (sums[s] as number) - (inst.sectorBench?.[s] as number) * inv;
      g[i] = (g[i] as number) + 2 * lambda * Math.max(0, Math.abs(dev) - band) * Math.sign(dev);
    }
  }
  // smooth part at w̄: F(w̄) − c-terms + μ(w̄ᵀΣw̄)
  let cTerm = 0;
  for (let i = 0; i < n; i++) {
    cTerm +=
      inst.tradeAversion *
      (inst.linearCost[i] as number) *
      Math.abs((wBar[i] as number) - (inst.w0[i] as number));
  }
  const gBar = denseObjective(c, S, wBar) - cTerm + mu * quad(S, wBar, n);
  let gw = 0;
  for (let i = 0; i < n; i++) gw += (g[i] as number) * (wBar[i] as number);
  let gMax = 0;
  for (let i = 0; i < n; i++) gMax = Math.max(gMax, Math.abs(g[i] as number));
  const scale = gMax > 0 ? 1 / gMax : 1;
  const nCols = 3 * n;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols).fill(highs.infinity);
  for (let i = 0; i < n; i++) {
    colCost[i] = (g[i] as number) * scale;
    colUpper[i] = effectiveUpper(c, i);
    const lc = inst.tradeAversion * (inst.linearCost[i] as number) * scale;
    colCost[n + i] = lc;
    colCost[2 * n + i] = lc;
  }
  const starts: number[] = [];
  const idx: number[] = [];
  const val: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < n; i++) {
    starts.push(idx.length);
    idx.push(i, n + i, 2 * n + i);
    val.push(1, -1, 1);
    lo.push(inst.w0[i] as number);
    hi.push(inst.w0[i] as number);
  }
  starts.push(idx.length);
  for (let i = 0; i < n; i++) {
    idx.push(i);
    val.push(1);
  }
  lo.push(-highs.infinity);
  hi.push(inst.gross);
  starts.push(idx.length);
  for (let i = 0; i < n; i++) {
    idx.push(n + i, 2 * n + i);
    val.push(1, 1);
  }
  lo.push(-highs.infinity);
  hi.push(tauEff);
  starts.push(idx.length);
  const nRows = lo.length;
  const model = highs.createModel({
    numCols: nCols,
    numRows: nRows,
    colCost,
    colLower,
    colUpper,
    rowLower: Float64Array.from(lo),
    rowUpper: Float64Array.from(hi),
    matrix: {
      format: 'csr',
      numRows: nRows,
      numCols: nCols,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(idx),
      values: Float64Array.from(val),
    },
  });
  try {
    model.options.set({
      output_flag: false,
      time_limit: 20,
      primal_feasibility_tolerance: 1e-10,
      dual_feasibility_tolerance: 1e-10,
    });
    model.run();
    const ok = model.getModelStatus() === highs.constants.modelStatus.optimal;
    const lp = model.getObjectiveValue() / scale;
    return { status: ok ? 'optimal' : 'not optimal', lowerBound: gBar + lp - gw - mu * varCap };
  } finally {
    model.dispose();
  }
}

/** A HiGHS QP from the oracles' row-wise (CSR) constraints and lower-triangular Hessian. */
function qpModel(
  highs: Highs,
  m: {
    readonly colCost: Float64Array;
    readonly colLower: Float64Array;
    readonly colUpper: Float64Array;
    readonly rowLower: readonly number[];
    readonly rowUpper: readonly number[];
    readonly rStarts: readonly number[];
    readonly rIdx: readonly number[];
    readonly rVal: readonly number[];
    readonly hStarts: Int32Array;
    readonly hIdx: readonly number[];
    readonly hVal: readonly number[];
  },
) {
  const numCols = m.colCost.length;
  const numRows = m.rowLower.length;
  return highs.createModel({
    numCols,
    numRows,
    colCost: m.colCost,
    colLower: m.colLower,
    colUpper: m.colUpper,
    rowLower: Float64Array.from(m.rowLower),
    rowUpper: Float64Array.from(m.rowUpper),
    matrix: {
      format: 'csr',
      numRows,
      numCols,
      starts: Int32Array.from(m.rStarts),
      indices: Int32Array.from(m.rIdx),
      values: Float64Array.from(m.rVal),
    },
    hessian: {
      format: 'triangular',
      dimension: numCols,
      starts: m.hStarts,
      indices: Int32Array.from(m.hIdx),
      values: Float64Array.from(m.hVal),
    },
  });
}
