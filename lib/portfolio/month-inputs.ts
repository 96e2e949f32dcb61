/**
 * The path-independent inputs of one month's hourly trade decisions (issue #13): what the Optimize Map stage
 * computes per month (in parallel, knowing nothing of the holdings) and the Simulate chunks and the paper tick read
 * to solve each decision hour from the current holdings (`lib/portfolio/trade`, `lib/backtest/decide.ts`).
 *
 * Horizon and units. The model's score is an expected excess return over H = `labels.horizonBars` bars; the
 * decision works in that horizon: α̂ = score (per H bars), Σ_H = H · Σ_bar (the factor risk model is estimated per
 * bar; `horizonBars` scales its factor covariance and specific variances), the volatility band's annualised
 * σ maps to σ_H = σ_ann · √(H / barsPerYear). Weights are fractions of NAV; ADV in dollars per session.
 *
 * Universe. A name is eligible at hour h when it is an index member at that hour's close, is not the benchmark
 * (SPY is never a name of the book nor of the risk model), has a score, a close ≥ `universe.minPrice`, an ADV ≥
 * `universe.minAdvDollars` (and > 0: it traded in the window) and a known sector. The risk model is estimated on
 * the members at the month's first decision hour only (non-members' returns are NaN), so index leavers do not
 * shape the market factor.
 *
 * Liquidity and volatility, per hour from the sessions completed before the hour's session: ADV = mean session
 * dollar volume of the last `liquidity.advWindowSessions` sessions; daily volatility = sample std of the last
 * `DAILY_VOL_SESSIONS` (20) close-to-close returns of split-adjusted session closes (the fill model's `sqrt_vol`
 * impact reads it).
 *
 * Sectors are read point in time at the month's first decision hour (`sectorCodesAt`, the semantics of
 * `sectorsAt` in `lib/data/sectors.ts`); a name without a known sector is not eligible (it is never lumped into
 * sector 0). The benchmark sector mix is cap-weighted with dollar volume as the capitalisation proxy (ADV of the
 * eligible members; the data has no shares outstanding), applied to the invested fraction (the risk state's gross
 * scale) by the hour's decision.
 */

import { barsPerYear, InvalidInputError, utcMsToNyDate } from '../core/index.ts';
import type { BarPanels, DatasetReader, PitTable } from '../data/index.ts';
import {
  BENCHMARK_SYMBOL,
  GICS_SECTORS,
  type MembershipSpells,
  membershipMask,
  splitFactors,
} from '../data/index.ts';
import { estimateFactorRiskModel } from './risk-model.ts';

const N_SECTORS = GICS_SECTORS.length;

/** The factor risk model in force for the month, already scaled to the decision horizon (Σ_H = H · Σ_bar). */
export interface HorizonRiskModel {
  readonly nA: number;
  readonly k: number;
  /** nA×k, name-major: `loadings[a * k + f]`. */
  readonly loadings: Float64Array;
  /** k×k factor covariance per horizon. */
  readonly factorCov: Float64Array;
  /** nA specific variances per horizon. */
  readonly specificVar: Float64Array;
}

export interface MonthInputs {
  /** Run-grid bar of the month's first decision hour, and the number of decision hours. */
  readonly firstBar: number;
  readonly nHours: number;
  readonly nA: number;
  /** nHours: the close (epoch ms) of each decision hour. */
  readonly closeMs: Float64Array;
  /** Decision horizon H in bars (`labels.horizonBars`). */
  readonly horizonBars: number;
  /** Bars per year used to map the annualised volatility band to the horizon. */
  readonly barsPerYear: number;
  readonly risk: HorizonRiskModel;
  /** Sector code per name in [0, nSectors), −1 = unknown (then never eligible). */
  readonly sector: Int16Array;
  readonly nSectors: number;
  /** nHours × nA, time-major: expected excess return over H bars; NaN = no view or not eligible. */
  readonly alpha: Float64Array;
  /** nHours × nA: 1 when the name may be held at that hour (see above), else 0 (it may only be sold). */
  readonly eligible: Uint8Array;
  /** nHours × nA: mean dollar volume of the last `liquidity.advWindowSessions` completed sessions (0 = none). */
  readonly advDollars: Float64Array;
  /** nHours × nA: daily return volatility known at the hour (last completed sessions), NaN when unknown. */
  readonly dailyVol: Float64Array;
  /** nHours × nSectors: the benchmark sector mix (sums to 1 over sectors with eligible members, or all 0). */
  readonly sectorBench: Float64Array;
}

/** Bars of trailing returns the monthly risk model is estimated on (~6 months of sessions). */
export const RISK_LOOKBACK_BARS = 882;
/** Statistical (PCA) factors beside the market and the 11 sectors (fewer when the estimation has fewer names). */
export const RISK_STAT_FACTORS = 3;
/** Completed sessions whose close-to-close returns give the daily volatility (about one month). */
export const DAILY_VOL_SESSIONS = 20;
/** Fewest valid daily returns in that window for a volatility (else NaN: unknown). */
export const DAILY_VOL_MIN_RETURNS = 10;

/** The spec fields the month inputs depend on (a `BacktestSpec` satisfies it). */
export interface MonthInputSpec {
  /** The run's period: its years set `barsPerYear`. */
  readonly period: { readonly start: string; readonly end: string };
  readonly decisionLagMs: number;
  readonly universe: { readonly minPrice: number; readonly minAdvDollars: number };
  readonly labels: { readonly horizonBars: number };
  readonly portfolio: { readonly liquidity: { readonly advWindowSessions: number } };
}

/** The dataset's sector rows (`readSectors`): static, or point in time with `effectiveDate` (New York dates). */
export interface SectorRows {
  readonly symbol: readonly string[];
  readonly sector: readonly string[];
  readonly effectiveDate?: readonly string[] | undefined;
}

/** What `computeMonthInputs` reads; Optimize and the paper tick build it from the same dataset reads. */
export interface MonthInputSource {
  readonly spec: MonthInputSpec;
  /**
   * Bars from `warmupStartDate(firstDate, RISK_LOOKBACK_BARS)` through (at least) the last hour to compute; rows
   * after that hour, if loaded, are never read.
   */
  readonly bars: BarPanels;
  /** The local date of the month's first decision hour: the month's first day, or the run's start if later. */
  readonly firstDate: string;
  /** Run-grid bar of the month's first decision hour (stored as `MonthInputs.firstBar`). */
  readonly firstBar: number;
  readonly actions: PitTable | undefined;
  readonly sectors: SectorRows;
  readonly membership: MembershipSpells;
}

/** The dataset reads besides the bars that `computeMonthInputs` needs (Optimize and the paper tick read the same). */
export async function readMonthInputData(
  reader: DatasetReader,
): Promise<Pick<MonthInputSource, 'actions' | 'sectors' | 'membership'>> {
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  return { actions, sectors: await reader.readSectors(), membership: await reader.readMembership() };
}

/** The index in `grid` of the first bar on or after `firstDate` (nT when there is none). */
export function firstBarOnOrAfter(bars: BarPanels, firstDate: string): number {
  const { grid } = bars;
  let t0 = 0;
  while (t0 < grid.nT && grid.sessions[grid.sessionOfBar[t0]!]!.date < firstDate) t0++;
  return t0;
}

/** Bars per year over the spec's period years (maps the annualised volatility band to the horizon). */
export const periodBarsPerYear = (spec: Pick<MonthInputSpec, 'period'>): number =>
  barsPerYear(Number(spec.period.start.slice(0, 4)), Number(spec.period.end.slice(0, 4)));

/**
 * The inputs of the month's first `nHours` decision hours (grid bars t0 .. t0 + nHours − 1, t0 the first bar on
 * or after `firstDate`) from their scores (`scores`: nHours × nA time-major, NaN = no view). Every hour's rows
 * depend only on data known at that hour's decision, so the inputs of a prefix of the month are the prefix of the
 * month's inputs, bit for bit (the paper tick computes the month up to its hour). Deterministic.
 */
export function computeMonthInputs(
  source: MonthInputSource,
  scores: Float64Array,
  nHours: number,
): MonthInputs {
  const { spec, bars } = source;
  const { nT, nA, grid } = bars;
  const t0 = firstBarOnOrAfter(bars, source.firstDate);
  checkShape(source, scores, nHours, t0, nT, nA);
  const factor = new Float64Array((t0 + nHours) * nA);
  splitFactors(source.actions, { ...grid, nT: t0 + nHours }, nA, spec.decisionLagMs, factor);
  const sector = sectorCodesAt(source.sectors, bars.symbols, grid.closeMs[t0]!);
  const risk = monthRiskModel(source, factor, sector, t0);
  const closeMs = grid.closeMs.slice(t0, t0 + nHours);
  const member = membershipMask(source.membership, closeMs, nA);
  const stats = sessionStats(bars, factor, t0, nHours, spec.portfolio.liquidity.advWindowSessions);
  const out = {
    alpha: new Float64Array(nHours * nA),
    eligible: new Uint8Array(nHours * nA),
    advDollars: new Float64Array(nHours * nA),
    dailyVol: new Float64Array(nHours * nA),
    sectorBench: new Float64Array(nHours * N_SECTORS),
  };
  const spy = bars.symbols.indexOf(BENCHMARK_SYMBOL);
  const { minPrice, minAdvDollars } = spec.universe;
  for (let h = 0; h < nHours; h++) {
    const t = t0 + h;
    const row = (grid.sessionOfBar[t]! - stats.firstSession) * nA;
    out.advDollars.set(stats.adv.subarray(row, row + nA), h * nA);
    out.dailyVol.set(stats.vol.subarray(row, row + nA), h * nA);
    let total = 0;
    for (let a = 0; a < nA; a++) {
      const i = h * nA + a;
      const score = scores[i]!;
      const adv = out.advDollars[i]!;
      const ok =
        a !== spy &&
        member[i] === 1 &&
        sector[a]! >= 0 &&
        Number.isFinite(score) &&
        bars.close[t * nA + a]! >= minPrice &&
        adv >= minAdvDollars &&
        adv > 0;
      out.alpha[i] = ok ? score : Number.NaN;
      if (!ok) continue;
      out.eligible[i] = 1;
      const k = h * N_SECTORS + sector[a]!;
      out.sectorBench[k] = out.sectorBench[k]! + adv;
      total += adv;
    }
    if (total > 0) {
      for (let k = h * N_SECTORS; k < (h + 1) * N_SECTORS; k++)
        out.sectorBench[k] = out.sectorBench[k]! / total;
    }
  }
  return {
    firstBar: source.firstBar,
    nHours,
    nA,
    closeMs,
    horizonBars: spec.labels.horizonBars,
    barsPerYear: periodBarsPerYear(spec),
    risk,
    sector,
    nSectors: N_SECTORS,
    ...out,
  };
}

function checkShape(
  source: MonthInputSource,
  scores: Float64Array,
  nHours: number,
  t0: number,
  nT: number,
  nA: number,
): void {
  if (!(Number.isInteger(nHours) && nHours >= 1 && t0 + nHours <= nT)) {
    throw new InvalidInputError(
      `nHours must be an integer in [1, ${nT - t0}] (bars loaded from ${source.firstDate}), received ${nHours}`,
      { field: 'nHours' },
    );
  }
  if (t0 < 2) {
    throw new InvalidInputError(
      `the bars must start before ${source.firstDate} (the risk model's look-back), found ${t0} bars before it`,
      { field: 'bars' },
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
  const { horizonBars } = source.spec.labels;
  if (!(Number.isInteger(horizonBars) && horizonBars >= 1)) {
    throw new InvalidInputError(`labels.horizonBars must be an integer >= 1, received ${horizonBars}`, {
      field: 'labels.horizonBars',
    });
  }
}

/**
 * Sector codes (index into GICS_SECTORS) of `symbols` in force at `ms` (its New York date): a dated table's latest
 * row on or before that date, a static table's only row; −1 when no row is in force or the sector is unknown.
 */
function sectorCodesAt(rows: SectorRows, symbols: readonly string[], ms: number): Int16Array {
  const date = utcMsToNyDate(ms);
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const out = new Int16Array(symbols.length).fill(-1);
  const best = new Array<string>(symbols.length).fill('');
  const dates = rows.effectiveDate;
  for (let k = 0; k < rows.symbol.length; k++) {
    const a = index.get(rows.symbol[k]!);
    if (a === undefined) continue;
    const d = dates?.[k] ?? '';
    if (d > date || (dates !== undefined && d <= best[a]!)) continue;
    best[a] = d;
    out[a] = GICS_SECTORS.indexOf(rows.sector[k] as (typeof GICS_SECTORS)[number]);
  }
  return out;
}

/**
 * The factor risk model at the month's first decision hour t0, scaled to the horizon. Estimated on the
 * split-adjusted close-to-close returns of the bars before t0, of the names that are index members at t0's close
 * and have a known sector (the benchmark never): a non-member's returns are NaN, so it moves no factor. Names of
 * the estimation without enough history (e.g. not members at t0) get their sector's median risk (the
 * estimator's imputation); names outside it (the benchmark, unknown sector) get the median market beta and the
 * median specific variance and no other loading, so a held one can still be valued when it is sold.
 */
function monthRiskModel(
  source: MonthInputSource,
  factor: Float64Array,
  sector: Int16Array,
  t0: number,
): HorizonRiskModel {
  const { bars, membership } = source;
  const { nA, close } = bars;
  const spy = bars.symbols.indexOf(BENCHMARK_SYMBOL);
  const memberAt0 = membershipMask(membership, [bars.grid.closeMs[t0]!], nA);
  const names: number[] = [];
  for (let a = 0; a < nA; a++) if (a !== spy && sector[a]! >= 0) names.push(a);
  const nE = names.length;
  if (nE === 0) {
    throw new InvalidInputError(
      'no name has a known sector at the month start: no risk model can be estimated',
      {
        field: 'sectors',
      },
    );
  }
  const returns = new Float64Array(t0 * nE).fill(Number.NaN);
  for (let e = 0; e < nE; e++) {
    const a = names[e]!;
    if (memberAt0[a] !== 1) continue;
    for (let t = 1; t < t0; t++) {
      const c1 = close[t * nA + a]! * factor[t * nA + a]!;
      const c0 = close[(t - 1) * nA + a]! * factor[(t - 1) * nA + a]!;
      returns[t * nE + e] = c1 / c0 - 1;
    }
  }
  const model = estimateFactorRiskModel({
    returns,
    nT: t0,
    nA: nE,
    sector: Int16Array.from(names, (a) => sector[a]!),
    nSectors: N_SECTORS,
    nStatFactors: Math.min(RISK_STAT_FACTORS, nE),
    halfLifeBars: RISK_LOOKBACK_BARS / 2,
  });
  const { k } = model;
  const H = source.spec.labels.horizonBars;
  const loadings = new Float64Array(nA * k);
  const specificVar = new Float64Array(nA);
  const outside = { beta: median(names.map((_, e) => model.loadings[e * k]!)), s: median(model.specificVar) };
  for (let a = 0; a < nA; a++) {
    loadings[a * k] = outside.beta;
    specificVar[a] = outside.s * H;
  }
  for (let e = 0; e < nE; e++) {
    const a = names[e]!;
    loadings.set(model.loadings.subarray(e * k, (e + 1) * k), a * k);
    specificVar[a] = model.specificVar[e]! * H;
  }
  const factorCov = Float64Array.from(model.factorCov, (v) => v * H);
  return { nA, k, loadings, factorCov, specificVar };
}

/** The median of finite values (NaN when none); the mean of the two middle values for an even count. */
function median(values: ArrayLike<number>): number {
  const xs = Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort((x, y) => x - y);
  const n = xs.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

/** ADV and daily volatility per session of the month's hours (rows from `firstSession`), nA per row. */
interface SessionStats {
  readonly firstSession: number;
  readonly adv: Float64Array;
  readonly vol: Float64Array;
}

/**
 * Per session s of the month's hours, from the sessions completed before s only (never the current session,
 * even at its last bar, so every hour of a session sees the same values):
 * - ADV: the mean session dollar volume (Σ close × volume of the session's bars; splits leave it unchanged) over
 *   the last `advWindow` sessions of the loaded grid (a session without bars counts 0); 0 when none is loaded.
 * - daily volatility: the sample standard deviation of the last `DAILY_VOL_SESSIONS` close-to-close returns of
 *   split-adjusted session closes (a session's close = its last bar with a close); NaN with fewer than
 *   `DAILY_VOL_MIN_RETURNS` valid returns.
 */
function sessionStats(
  bars: BarPanels,
  factor: Float64Array,
  t0: number,
  nHours: number,
  advWindow: number,
): SessionStats {
  const { nA, grid, close, volume } = bars;
  const firstSession = grid.sessionOfBar[t0]!;
  const lastSession = grid.sessionOfBar[t0 + nHours - 1]!;
  // completed sessions 0 .. lastSession − 1: dollar volume and adjusted close
  const dollars = new Float64Array(lastSession * nA);
  const sessionClose = new Float64Array(lastSession * nA).fill(Number.NaN);
  for (let t = 0; grid.sessionOfBar[t]! < lastSession; t++) {
    const row = grid.sessionOfBar[t]! * nA;
    for (let a = 0; a < nA; a++) {
      const c = close[t * nA + a]!;
      const dv = c * volume[t * nA + a]!;
      if (dv > 0) dollars[row + a] = dollars[row + a]! + dv;
      if (c > 0) sessionClose[row + a] = c * factor[t * nA + a]!;
    }
  }
  const nRows = lastSession - firstSession + 1;
  const adv = new Float64Array(nRows * nA);
  const vol = new Float64Array(nRows * nA);
  const r = new Float64Array(DAILY_VOL_SESSIONS);
  for (let s = firstSession; s <= lastSession; s++) {
    const row = (s - firstSession) * nA;
    const from = Math.max(0, s - advWindow);
    for (let a = 0; a < nA; a++) {
      let sum = 0;
      for (let j = s - 1; j >= from; j--) sum += dollars[j * nA + a]!;
      adv[row + a] = s > from ? sum / (s - from) : 0;
      let n = 0;
      for (let j = s - 1; j >= 1 && j >= s - DAILY_VOL_SESSIONS; j--) {
        const x = sessionClose[j * nA + a]! / sessionClose[(j - 1) * nA + a]! - 1;
        if (Number.isFinite(x)) r[n++] = x;
      }
      vol[row + a] = n >= DAILY_VOL_MIN_RETURNS ? sampleStd(r, n) : Number.NaN;
    }
  }
  return { firstSession, adv, vol };
}

/** Sample standard deviation (n − 1) of x[0 .. n), two passes. */
function sampleStd(x: Float64Array, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}
