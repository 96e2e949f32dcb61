/**
 * metrics-10y: `computeMetrics` on ten years of hourly bars (17,640 = 10 × 252 sessions × 7 bars) with a
 * benchmark, session index, month keys and per-bar trading statistics. Target: ≤ 100 ms a run.
 */
import { computeMetrics, type MetricsInput } from '../../lib/analytics/index.ts';
import { Rng } from '../../lib/core/rng.ts';
import type { Workload } from '../workload.ts';

const BARS_PER_SESSION = 7;
const SESSIONS_PER_YEAR = 252;
const SESSIONS_PER_MONTH = 21;
const YEARS = 10;
const BARS = YEARS * SESSIONS_PER_YEAR * BARS_PER_SESSION;

function makeInput(): MetricsInput {
  const rng = Rng.fromSeed(7);
  const returns = new Float64Array(BARS);
  const benchmarkReturns = new Float64Array(BARS);
  const sessionIndex = new Int32Array(BARS);
  const monthKey = new Int32Array(BARS);
  const turnover = new Float64Array(BARS);
  const grossExposure = new Float64Array(BARS);
  const nav = new Float64Array(BARS);
  const tradedNotional = new Float64Array(BARS);
  const slippageCost = new Float64Array(BARS);
  const spreadCost = new Float64Array(BARS);
  const impactCost = new Float64Array(BARS);
  let wealth = 1e7;
  for (let t = 0; t < BARS; t++) {
    const b = 0.00004 + 0.0025 * rng.normal();
    const r = 0.00005 + 0.85 * b + 0.0012 * rng.normal();
    benchmarkReturns[t] = b;
    returns[t] = r;
    const session = Math.floor(t / BARS_PER_SESSION);
    const month = Math.floor(session / SESSIONS_PER_MONTH);
    sessionIndex[t] = session;
    monthKey[t] = (2015 + Math.floor(month / 12)) * 100 + (month % 12) + 1;
    nav[t] = wealth;
    turnover[t] = 0.02 * Math.abs(rng.normal());
    tradedNotional[t] = 2 * turnover[t]! * wealth;
    grossExposure[t] = 0.95 + 0.04 * rng.next();
    slippageCost[t] = tradedNotional[t]! * 1e-4;
    spreadCost[t] = tradedNotional[t]! * 0.5e-4;
    impactCost[t] = tradedNotional[t]! * 0.3e-4 * rng.next();
    wealth *= 1 + r;
  }
  return {
    returns,
    benchmarkReturns,
    sessionIndex,
    monthKey,
    periodsPerYear: SESSIONS_PER_YEAR * BARS_PER_SESSION,
    sessionsPerYear: SESSIONS_PER_YEAR,
    trading: {
      turnover,
      grossExposure,
      nav,
      tradedNotional,
      slippageCost,
      spreadCost,
      impactCost,
      fillsRequested: 1_000_000,
      fillsFilled: 987_654,
    },
  };
}

export const workload: Workload<MetricsInput> = {
  name: 'metrics-10y',
  description: 'computeMetrics on 17,640 seeded hourly returns + benchmark (10 years, 7 bars a session)',
  runs: 10,
  setup: makeInput,
  run({ state }) {
    const report = computeMetrics(state);
    return {
      bars: state.returns.length,
      bytes: JSON.stringify(report).length,
      nulls: Object.keys(report.nullReasons).length,
      hourlySharpe: report.hourly.sharpeRatio,
    };
  },
};
