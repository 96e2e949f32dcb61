/**
 * metrics.json of a run. Annualisation (stated in metrics.json): hourly figures use the mean number of bars per
 * calendar year over the run's years (`barsPerYear`, ≈ 1,754), daily figures the mean number of NYSE sessions
 * per year over the same years (≈ 251).
 */
import { computeMetrics, type MetricsReport } from '../analytics/index.ts';
import type { BarGrid } from '../core/index.ts';
import { barsPerYear, sessionsBetween } from '../core/index.ts';
import type { ArtifactInput } from './artifact.ts';

/** `YYYYMM` (New York calendar month) and session index of each bar of the run. */
export function barCalendarKeys(
  grid: BarGrid,
  bars: Int32Array,
): { sessionIndex: Int32Array; monthKey: Int32Array } {
  const n = bars.length;
  const sessionIndex = new Int32Array(n);
  const monthKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = grid.sessionOfBar[bars[i]!]!;
    sessionIndex[i] = s;
    const d = grid.sessions[s]!.date;
    monthKey[i] = Number(d.slice(0, 4)) * 100 + Number(d.slice(5, 7));
  }
  return { sessionIndex, monthKey };
}

/** Mean NYSE sessions per calendar year over `startYear..endYear`: the daily annualisation factor. */
export function sessionsPerYear(startYear: number, endYear: number): number {
  let total = 0;
  for (let y = startYear; y <= endYear; y++) total += sessionsBetween(`${y}-01-01`, `${y}-12-31`).length;
  return total / (endYear - startYear + 1);
}

/** Shares requested and filled by the order fills (kind 0) of the run. */
function fillTotals(fills: ArtifactInput['outputs']['fills']): { requested: number; filled: number } {
  let requested = 0;
  let filled = 0;
  for (let i = 0; i < fills.n; i++) {
    if (fills.kind[i] !== 0) continue;
    requested += Math.abs(fills.requested[i]!);
    filled += Math.abs(fills.filled[i]!);
  }
  return { requested, filled };
}

/** metrics.json: `computeMetrics` on the hourly NAV returns with SPY buy-and-hold as the benchmark, plus provenance. */
export function runMetrics(
  input: ArtifactInput,
): MetricsReport & { readonly provenance: Record<string, unknown> } {
  const { outputs, grid } = input;
  const b = outputs.bars;
  const { sessionIndex, monthKey } = barCalendarKeys(grid, b.bar);
  const firstYear = Number(grid.sessions[0]?.date.slice(0, 4));
  const lastYear = Number(grid.sessions[grid.sessions.length - 1]?.date.slice(0, 4));
  const { requested, filled } = fillTotals(outputs.fills);
  let hasBenchmark = false;
  for (let i = 0; i < b.n && !hasBenchmark; i++) hasBenchmark = !Number.isNaN(b.benchmarkNav[i]!);
  const report = computeMetrics({
    returns: b.ret,
    ...(hasBenchmark ? { benchmarkReturns: b.benchmarkRet } : {}),
    sessionIndex,
    monthKey,
    periodsPerYear: barsPerYear(firstYear, lastYear),
    sessionsPerYear: sessionsPerYear(firstYear, lastYear),
    trading: {
      turnover: b.turnover,
      grossExposure: b.grossExposure,
      nav: b.nav,
      tradedNotional: b.tradedNotional,
      slippageCost: b.slippageCost,
      spreadCost: b.spreadCost,
      impactCost: b.impactCost,
      fillsRequested: requested,
      fillsFilled: filled,
    },
  });
  const last = b.n - 1;
  return {
    ...report,
    provenance: {
      specHash: input.specHash,
      datasetId: input.datasetId,
      codeVersion: input.codeVersion,
      capital: input.capital,
      finalNav: last >= 0 ? b.nav[last]! : input.capital,
      benchmark: hasBenchmark
        ? 'SPY buy-and-hold, bought at the open after the first decision, same costs'
        : null,
      annualization: `hourly: mean bars per calendar year ${firstYear}-${lastYear} from the NYSE calendar; daily: mean sessions per year`,
    },
  };
}
