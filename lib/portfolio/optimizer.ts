/**
 * Per-decision-hour target weights, split as the pipeline needs it:
 *
 * - Path-independent (Optimize stage, per month in parallel): `TargetOptimizer.optimizeTargets` — liquidity filter,
 *   caps, budget, soft sector penalty, target-volatility band. Inputs are the hour's scores, prices, ADV, sector
 *   benchmark and the risk model in force; never the holdings, so any month can be computed alone.
 * - Path-dependent (Simulate stage): `applyTurnoverCap` (a step from the current holdings toward the target) and
 *   `scaleForRiskState` (the drawdown governor's gross and per-name scaling).
 *
 * Consistency: both path-dependent maps only move toward feasible points or shrink weights. A convex combination
 * of two portfolios that satisfy a convex constraint satisfies it too (0 ≤ w ≤ u, Σw ≤ 1, and a volatility ceiling
 * σ(w) ≤ σ_max since σ is a norm), so the traded portfolio respects every cap of the target as long as the current
 * holdings respect them (names whose cap dropped below the holding are the exception: they converge at the
 * turnover-capped pace). Shrinking by factors in [0, 1] keeps 0 ≤ w ≤ u and Σw ≤ 1 and lowers σ.
 */

import { InvalidInputError } from '../core/index.ts';
import { AdmmQpSolver, type QpOptions, type QpResult } from './admm-qp/index.ts';
import type { FactorRiskModel } from './risk-model.ts';

export interface OptimizerConfig {
  /** Per-name weight cap (blueprint 0.10). */
  readonly maxWeight: number;
  /** Σw ≤ budget (1: cash allowed, no leverage). */
  readonly budget: number;
  /** γ in ½γ wᵀΣw (Σ per bar). */
  readonly riskAversion: number;
  /** Names with ADV (currency per day) below this get weight 0. */
  readonly minAdv: number;
  /** Names with a price below this get weight 0. */
  readonly minPrice: number;
  /** Position cap as a fraction of ADV: w_i ≤ capAdvFraction · ADV_i / NAV. */
  readonly capAdvFraction: number;
  readonly sectorBand: number;
  readonly sectorPenalty: number;
  /** Annualised ex-ante volatility band; undefined disables it. */
  readonly targetVol?: { readonly low: number; readonly high: number };
  /** Bars per year for annualising the per-bar covariance (≈ 1,764 on the NYSE hourly grid). */
  readonly annualizationFactor: number;
}

export interface HourInputs {
  /** Expected-return scores per name; NaN = no view (weight 0). */
  readonly scores: Float64Array;
  /** Linear cost per unit weight, subtracted from the score (optional). */
  readonly linearCost?: Float64Array;
  readonly price: Float64Array;
  /** Average daily traded value per name (currency). */
  readonly adv: Float64Array;
  /** Portfolio value (currency) for the ADV cap. */
  readonly nav: number;
  /** Benchmark weight per sector. */
  readonly sectorBench: Float64Array;
}

export type VolAction = 'none' | 'scaled_down' | 'scaled_up' | 'below_band_capped';

export type TargetResult =
  | {
      readonly ok: true;
      readonly weights: Float64Array;
      /** Annualised ex-ante volatility of the returned weights. */
      readonly exAnteVol: number;
      readonly volAction: VolAction;
      /** Factor applied to the solver's weights by the volatility band (1 = untouched). */
      readonly volScale: number;
      readonly solve: QpResult & { ok: true };
    }
  | {
      readonly ok: false;
      readonly reason: 'infeasible' | 'degenerate_input' | 'max_iterations';
      readonly message: string;
    };

/**
 * Holds one solver (workspace and warm start) and the risk model in force. Call `setRiskModel` at each refresh,
 * then `optimizeTargets` per decision hour in time order (warm starts from the previous hour).
 */
export class TargetOptimizer {
  private readonly solver: AdmmQpSolver;
  private risk: FactorRiskModel | undefined;
  private nSectors = 0;
  private readonly config: OptimizerConfig;
  private upper: Float64Array = new Float64Array(0);
  private linear: Float64Array = new Float64Array(0);
  private fk: Float64Array = new Float64Array(0);

  constructor(config: OptimizerConfig) {
    const { maxWeight, budget, riskAversion, capAdvFraction, annualizationFactor } = config;
    if (!(maxWeight > 0 && maxWeight <= 1))
      throw new InvalidInputError(`maxWeight must be in (0, 1], received ${maxWeight}`);
    if (!(budget >= 0)) throw new InvalidInputError(`budget must be >= 0, received ${budget}`);
    if (!(riskAversion >= 0))
      throw new InvalidInputError(`riskAversion must be >= 0, received ${riskAversion}`);
    if (!(capAdvFraction > 0))
      throw new InvalidInputError(`capAdvFraction must be > 0, received ${capAdvFraction}`);
    if (!(annualizationFactor > 0)) {
      throw new InvalidInputError(`annualizationFactor must be > 0, received ${annualizationFactor}`);
    }
    if (
      config.targetVol !== undefined &&
      !(config.targetVol.low >= 0 && config.targetVol.high >= config.targetVol.low)
    ) {
      throw new InvalidInputError(
        `targetVol must satisfy 0 <= low <= high, received ${JSON.stringify(config.targetVol)}`,
      );
    }
    this.config = config;
    this.solver = new AdmmQpSolver();
  }

  setRiskModel(risk: FactorRiskModel, sector: Int16Array, nSectors: number): void {
    this.risk = risk;
    this.nSectors = nSectors;
    if (this.upper.length !== risk.nA) {
      this.upper = new Float64Array(risk.nA);
      this.linear = new Float64Array(risk.nA);
    }
    if (this.fk.length !== risk.k) this.fk = new Float64Array(risk.k);
    this.solver.setModel({
      n: risk.nA,
      k: risk.k,
      loadings: risk.loadings,
      factorCov: risk.factorCov,
      specificVar: risk.specificVar,
      riskAversion: this.config.riskAversion,
      sector,
      nSectors,
    });
  }

  /** Annualised ex-ante volatility sqrt(af · wᵀΣw) under the current risk model. */
  exAnteVol(w: Float64Array): number {
    const risk = this.requireRisk();
    return Math.sqrt(this.config.annualizationFactor * portfolioVariance(risk, w, this.fk));
  }

  /**
   * Target weights for one decision hour. Liquidity: price < minPrice, ADV < minAdv, or non-finite price/ADV → cap 0;
   * otherwise u_i = min(maxWeight, capAdvFraction·ADV_i/NAV). Volatility band: above `high` the weights are scaled
   * down to `high` (exact, since σ(αw) = ασ(w), and feasible, since shrinking toward 0 keeps every constraint);
   * below `low` with cash left they are scaled up by the largest α ≤ low/σ that keeps every name under its cap and
   * Σw ≤ budget (the mix the optimiser chose is kept; no re-solve), reported as `below_band_capped` if the caps
   * stop it short of `low`.
   */
  optimizeTargets(inputs: HourInputs, out?: Float64Array, options?: QpOptions): TargetResult {
    const risk = this.requireRisk();
    const n = risk.nA;
    const cfg = this.config;
    const { scores, price, adv, nav } = inputs;
    if (scores.length !== n || price.length !== n || adv.length !== n) {
      throw new InvalidInputError(
        `scores, price, adv must have length ${n}, received ${scores.length}, ${price.length}, ${adv.length}`,
      );
    }
    if (!(nav > 0))
      return { ok: false, reason: 'degenerate_input', message: `nav must be > 0, received ${nav}` };
    const upper = this.upper;
    const linear = this.linear;
    for (let i = 0; i < n; i++) {
      const p = price[i] as number;
      const v = adv[i] as number;
      const liquid = Number.isFinite(p) && Number.isFinite(v) && p >= cfg.minPrice && v >= cfg.minAdv;
      upper[i] = liquid ? Math.min(cfg.maxWeight, (cfg.capAdvFraction * v) / nav) : 0;
      const c = inputs.linearCost?.[i] ?? 0;
      linear[i] = (scores[i] as number) - c;
    }
    const res = this.solver.solve(
      {
        linear,
        upper,
        budget: cfg.budget,
        sectorBench: inputs.sectorBench,
        sectorBand: cfg.sectorBand,
        sectorPenalty: this.nSectors > 0 ? cfg.sectorPenalty : 0,
      },
      options,
      out,
    );
    if (!res.ok) return { ok: false, reason: res.reason, message: res.message };
    const w = res.weights;
    let vol = this.exAnteVol(w);
    let volAction: VolAction = 'none';
    let volScale = 1;
    const band = cfg.targetVol;
    if (band !== undefined && vol > 0) {
      if (vol > band.high) {
        volScale = band.high / vol;
        volAction = 'scaled_down';
      } else if (vol < band.low) {
        let alpha = band.low / vol;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const wi = w[i] as number;
          sum += wi;
          if (wi > 0) alpha = Math.min(alpha, (upper[i] as number) / wi);
        }
        if (sum > 0) alpha = Math.min(alpha, cfg.budget / sum);
        if (alpha > 1) {
          volScale = alpha;
          volAction = alpha < band.low / vol ? 'below_band_capped' : 'scaled_up';
        } else {
          volAction = 'below_band_capped';
        }
      }
      if (volScale !== 1) {
        for (let i = 0; i < n; i++) w[i] = Math.min((w[i] as number) * volScale, upper[i] as number);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += w[i] as number;
        if (sum > cfg.budget) for (let i = 0; i < n; i++) w[i] = ((w[i] as number) * cfg.budget) / sum;
        vol = this.exAnteVol(w);
      }
    }
    return { ok: true, weights: w, exAnteVol: vol, volAction, volScale, solve: res };
  }

  private requireRisk(): FactorRiskModel {
    if (this.risk === undefined)
      throw new InvalidInputError('setRiskModel must be called before optimizeTargets');
    return this.risk;
  }
}

/** One-shot form of `TargetOptimizer.optimizeTargets` (no warm start across calls). */
export function optimizeTargets(
  risk: FactorRiskModel,
  sector: Int16Array,
  nSectors: number,
  inputs: HourInputs,
  config: OptimizerConfig,
  out?: Float64Array,
): TargetResult {
  const opt = new TargetOptimizer(config);
  opt.setRiskModel(risk, sector, nSectors);
  return opt.optimizeTargets(inputs, out);
}

/** wᵀ(B F Bᵀ + diag(s))w; `fk` is scratch of length k. */
export function portfolioVariance(
  risk: FactorRiskModel,
  w: Float64Array,
  fk: Float64Array = new Float64Array(risk.k),
): number {
  const { k, nA, loadings, factorCov, specificVar } = risk;
  fk.fill(0, 0, k);
  let spec = 0;
  for (let i = 0; i < nA; i++) {
    const wi = w[i] as number;
    if (wi === 0) continue;
    for (let f = 0; f < k; f++) fk[f] = (fk[f] as number) + (loadings[i * k + f] as number) * wi;
    spec += (specificVar[i] as number) * wi * wi;
  }
  let fac = 0;
  for (let a = 0; a < k; a++) {
    let v = 0;
    for (let b = 0; b < k; b++) v += (factorCov[a * k + b] as number) * (fk[b] as number);
    fac += (fk[a] as number) * v;
  }
  return Math.max(0, fac + spec);
}

/**
 * Moves from `current` toward `target` by the largest step α ∈ [0, 1] with Σ|Δw| ≤ cap: α = min(1, cap / Σ|t − c|).
 * out = c + α(t − c) is a convex combination of two portfolios, so it satisfies every convex constraint both satisfy
 * (bounds, budget, volatility ceiling). Returns α. `out` may alias `current`.
 */
export function applyTurnoverCap(
  current: Float64Array,
  target: Float64Array,
  cap: number,
  out: Float64Array,
): number {
  const n = target.length;
  if (current.length !== n || out.length !== n) {
    throw new InvalidInputError(
      `current, target, out must have the same length, received ${current.length}, ${n}, ${out.length}`,
    );
  }
  if (!(cap >= 0)) throw new InvalidInputError(`cap must be >= 0, received ${cap}`);
  let turnover = 0;
  for (let i = 0; i < n; i++) turnover += Math.abs((target[i] as number) - (current[i] as number));
  const alpha = turnover <= cap ? 1 : cap / turnover;
  for (let i = 0; i < n; i++) {
    const c = current[i] as number;
    out[i] = alpha === 1 ? (target[i] as number) : c + alpha * ((target[i] as number) - c);
  }
  return alpha;
}

/**
 * The risk state's scaling: out_i = min(grossScale · w_i, nameCapScale · maxWeight), grossScale and nameCapScale in
 * [0, 1]. Every weight only shrinks, so bounds, budget and the volatility ceiling still hold.
 */
export function scaleForRiskState(
  target: Float64Array,
  grossScale: number,
  nameCapScale: number,
  out: Float64Array,
  maxWeight = 0.1,
): void {
  if (!(grossScale >= 0 && grossScale <= 1) || !(nameCapScale >= 0 && nameCapScale <= 1)) {
    throw new InvalidInputError(
      `grossScale and nameCapScale must be in [0, 1], received ${grossScale}, ${nameCapScale}`,
    );
  }
  if (out.length !== target.length) {
    throw new InvalidInputError(`out length must be ${target.length}, received ${out.length}`);
  }
  const cap = nameCapScale * maxWeight;
  for (let i = 0; i < target.length; i++) out[i] = Math.min(grossScale * (target[i] as number), cap);
}
