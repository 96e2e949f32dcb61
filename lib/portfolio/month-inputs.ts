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
 * `universe.minAdvDollars` and a known sector. The risk model is estimated on the members at the month's first
 * decision hour only (non-members' returns are NaN), so index leavers do not shape the market factor.
 *
 * Sectors are read point in time (`sectorsAt`) at the month's first decision hour; a name without a known sector
 * is not eligible (it is never lumped into sector 0). The benchmark sector mix is cap-weighted with dollar volume as
 * the capitalisation proxy (ADV of the eligible members; the data has no shares outstanding), applied to the
 * invested fraction (the risk state's gross scale) by the hour's decision.
 */

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
