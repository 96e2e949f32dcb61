/**
 * TRANSITIONAL (issue #13; replaced by `month-inputs.ts` and the per-hour trade solve in Simulate, then removed).
 * The path-independent target weights of the decision hours of one month: the one computation shared by the
 * backtest's Optimize step (a whole month, `steps/optimize.ts`) and the hourly paper tick (the month's hours up
 * to the scheduled one, `paper-tick.ts`), so both decide the same weights by construction.
 *
 * Per month: the factor risk model is estimated once, at the month's first decision hour, from split-adjusted
 * returns of the bars before it (known at that decision). Per decision hour, in time order: scores of index
 * members (NaN elsewhere → weight 0), the liquidity filter (price, ADV of the last completed sessions), the ADV
 * position cap against the spec's capital (the path-dependent NAV is not used: targets stay path independent),
 * sector bands around the members' equal-weight sector mix, the volatility band. A failed solve keeps the
 * previous hour's target (itself feasible) and is counted.
 *
 * Why whole month-prefixes and not single hours: one `TargetOptimizer` solves the month's hours in sequence and
 * warm-starts each solve from the previous hour's (ADMM iterates and active set), and a failed solve falls back
 * to the previous hour's target. Both make the target of hour t a function of the month's hours before t. The
 * paper tick therefore recomputes the month's prefix [first hour of the month, t] with the same code, which
 * reproduces the backtest's sequence exactly (bit for bit), whatever the warm start does to the last digits.
 */
import { barsPerYear, InvalidInputError } from '../core/index.ts';
import type { BarPanels, PitTable } from '../data/index.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS, membershipMask, splitFactors } from '../data/index.ts';
import { estimateFactorRiskModel, type QpOptions, TargetOptimizer } from './index.ts';
import { firstBarOnOrAfter, RISK_LOOKBACK_BARS, RISK_STAT_FACTORS } from './month-inputs.ts';

export { RISK_LOOKBACK_BARS, RISK_STAT_FACTORS };

/** The spec fields the targets depend on (a `BacktestSpec` satisfies it). */
export interface TargetSpec {
  readonly period: { readonly start: string; readonly end: string };
  readonly decisionLagMs: number;
  readonly capital: number;
  readonly universe: { readonly minPrice: number; readonly minAdvDollars: number };
  readonly portfolio: {
    readonly maxWeight: number;
    readonly riskAversion: number;
    readonly targetVol: { readonly low: number; readonly high: number };
    readonly sectors: { readonly band: number; readonly penalty: number };
    readonly liquidity: { readonly maxAdvFraction: number; readonly advWindowSessions: number };
  };
}

export interface MonthTargetInputs {
  readonly spec: TargetSpec;
  /**
   * Bars from `warmupStartDate(firstDate, RISK_LOOKBACK_BARS)` through the last hour to decide (bars after that
   * hour, if loaded, are never read).
   */
  readonly bars: BarPanels;
  /** The local date of the month's first decision hour: the month's first day, or the run's start if later. */
  readonly firstDate: string;
  readonly actions: PitTable | undefined;
  readonly sectors: { readonly symbol: readonly string[]; readonly sector: readonly string[] };
  readonly membership: {
    readonly symbol: Int32Array;
    readonly startMs: Float64Array;
    readonly endMs: Float64Array;
  };
}

export interface MonthTargets {
  /** Index in `bars.grid` of the month's first decision hour. */
  readonly t0: number;
  readonly nHours: number;
  readonly nA: number;
  /** nHours × nA target weights (time-major). */
  readonly target: Float64Array;
  /** Per hour: 1 when the solve succeeded, 0 when the previous hour's target was kept. */
  readonly solvedMask: Uint8Array;
  readonly solved: number;
  readonly failed: number;
}

/** The optimizer's annualisation: bars per year over the spec's period years. */
export const targetAnnualization = (spec: TargetSpec): number =>
  barsPerYear(Number(spec.period.start.slice(0, 4)), Number(spec.period.end.slice(0, 4)));

/**
 * Targets of the month's first `nHours` decision hours (grid bars t0 .. t0 + nHours − 1) from their scores
 * (`scores`: nHours × nA, NaN = no view). Deterministic: the same inputs give the same bytes.
 */
export function computeMonthTargets(
  inputs: MonthTargetInputs,
  scores: Float64Array,
  nHours: number,
  /** Solver options for every hour (tests compare warm and cold starts with `{ warmStart: false }`). */
  qpOptions?: QpOptions,
): MonthTargets {
  const { spec, bars, membership } = inputs;
  const { nT, nA, grid, symbols } = bars;
  const t0 = firstBarOnOrAfter(bars, inputs.firstDate);
  if (!(Number.isInteger(nHours) && nHours >= 0 && t0 + nHours <= nT)) {
    throw new InvalidInputError(
      `nHours must be an integer in [0, ${nT - t0}] (bars loaded after ${inputs.firstDate}), received ${nHours}`,
      { field: 'nHours' },
    );
  }
  if (scores.length < nHours * nA) {
    throw new InvalidInputError(
      `scores must hold nHours × nA = ${nHours * nA} values, received ${scores.length}`,
      {
        field: 'scores',
      },
    );
  }

  // split-adjusted close-to-close returns before the month (forward adjustment, point in time)
  const factor = new Float64Array(nT * nA);
  splitFactors(inputs.actions, grid, nA, spec.decisionLagMs, factor);
  const returns = new Float64Array(t0 * nA).fill(Number.NaN);
  for (let t = 1; t < t0; t++) {
    for (let a = 0; a < nA; a++) {
      const c1 = bars.close[t * nA + a]! * factor[t * nA + a]!;
      const c0 = bars.close[(t - 1) * nA + a]! * factor[(t - 1) * nA + a]!;
      returns[t * nA + a] = c1 / c0 - 1;
    }
  }
  const sectorByName = new Map(
    inputs.sectors.symbol.map(
      (s, i) => [s, GICS_SECTORS.indexOf(inputs.sectors.sector[i] as never)] as const,
    ),
  );
  const sector = Int16Array.from(symbols, (s) => Math.max(0, sectorByName.get(s) ?? 0));
  const nSectors = GICS_SECTORS.length;
  const risk = estimateFactorRiskModel({
    returns,
    nT: t0,
    nA,
    sector,
    nSectors,
    nStatFactors: RISK_STAT_FACTORS,
    halfLifeBars: RISK_LOOKBACK_BARS / 2,
  });

  const member = membershipMask(membership, grid.closeMs.subarray(t0, t0 + nHours), nA);

  // ADV: mean dollar volume of the last completed sessions (known at any bar of the current session)
  const advWindow = spec.portfolio.liquidity.advWindowSessions;
  const nS = grid.sessions.length;
  const sessionDollars = new Float64Array(nS * nA);
  for (let t = 0; t < nT; t++) {
    const s = grid.sessionOfBar[t]!;
    for (let a = 0; a < nA; a++) {
      const dv = bars.close[t * nA + a]! * bars.volume[t * nA + a]!;
      if (dv > 0) sessionDollars[s * nA + a] = sessionDollars[s * nA + a]! + dv;
    }
  }

  const optimizer = new TargetOptimizer({
    maxWeight: spec.portfolio.maxWeight,
    budget: 1,
    riskAversion: spec.portfolio.riskAversion,
    minAdv: spec.universe.minAdvDollars,
    minPrice: spec.universe.minPrice,
    capAdvFraction: spec.portfolio.liquidity.maxAdvFraction,
    sectorBand: spec.portfolio.sectors.band,
    sectorPenalty: spec.portfolio.sectors.penalty,
    targetVol: spec.portfolio.targetVol,
    annualizationFactor: targetAnnualization(spec),
  });
  optimizer.setRiskModel(risk, sector, nSectors);
  const spy = symbols.indexOf(BENCHMARK_SYMBOL);
  const target = new Float64Array(nHours * nA);
  const solvedMask = new Uint8Array(nHours);
  const hourScores = new Float64Array(nA);
  const price = new Float64Array(nA);
  const adv = new Float64Array(nA);
  const bench = new Float64Array(nSectors);
  const out = new Float64Array(nA);
  let prev = new Float64Array(nA);
  let solved = 0;
  let failed = 0;
  for (let h = 0; h < nHours; h++) {
    const t = t0 + h;
    const s = grid.sessionOfBar[t]!;
    bench.fill(0);
    let members = 0;
    for (let a = 0; a < nA; a++) {
      const isMember = a !== spy && member[h * nA + a] === 1;
      const sc = scores[h * nA + a]!;
      hourScores[a] = isMember ? sc : Number.NaN;
      price[a] = bars.close[t * nA + a]!;
      let sum = 0;
      let k = 0;
      for (let j = s - 1; j >= 0 && k < advWindow; j--, k++) sum += sessionDollars[j * nA + a]!;
      adv[a] = k > 0 ? sum / k : 0;
      if (isMember) {
        bench[sector[a]!] = bench[sector[a]!]! + 1;
        members++;
      }
    }
    for (let k = 0; k < nSectors; k++) bench[k] = members > 0 ? bench[k]! / members : 0;
    const r = optimizer.optimizeTargets(
      { scores: hourScores, price, adv, nav: spec.capital, sectorBench: bench },
      out,
      qpOptions,
    );
    if (r.ok) {
      solved++;
      solvedMask[h] = 1;
      prev = Float64Array.from(r.weights);
    } else failed++;
    target.set(prev, h * nA);
  }
  return { t0, nHours, nA, target, solvedMask, solved, failed };
}
