import type { BarGrid } from '../core/index.ts';
import {
  barIndexAtOrAfter,
  buildBarGrid,
  DataIntegrityError,
  InvalidInputError,
  monthsBetween,
} from '../core/index.ts';
import type { DatasetReader } from './dataset.ts';
import type { BarTable } from './tables.ts';

/** Bars of a period as time-major panels (`x[t * nA + a]`, NaN where a symbol has no bar) on the NYSE grid. */
export interface BarPanels {
  readonly grid: BarGrid;
  readonly nT: number;
  readonly nA: number;
  /** The dataset's symbol list: index a. */
  readonly symbols: readonly string[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly vwap: Float64Array;
  readonly spreadBps: Float64Array;
  /** Bytes of decoded columns read (for throughput figures). */
  readonly decodedBytes: number;
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume', 'vwap', 'spreadBps'] as const;

/**
 * Reads the months covering `[startDate, endDate]` and scatters them into panels. Rows must be on the grid:
 * a bar whose close is not a grid bar close fails with DataIntegrityError naming the month file and the row.
 */
export async function loadBarPanels(
  reader: DatasetReader,
  startDate: string,
  endDate: string,
): Promise<BarPanels> {
  if (endDate < startDate) {
    throw new InvalidInputError(`endDate ${endDate} is before startDate ${startDate}`, { field: 'end' });
  }
  const grid = buildBarGrid(startDate, endDate);
  const { nT } = grid;
  const symbols = reader.manifest.symbols;
  const nA = symbols.length;
  const out = Object.fromEntries(
    FIELDS.map((f) => [f, new Float64Array(nT * nA).fill(Number.NaN)]),
  ) as Record<(typeof FIELDS)[number], Float64Array>;
  let decodedBytes = 0;
  const available = new Set(reader.manifest.months);
  for (const month of monthsBetween(startDate, endDate)) {
    if (!available.has(month)) continue;
    const table = await reader.readBarsMonth(month);
    decodedBytes += table.n * (8 * (table.vwap ? 8 : 6) + (table.spreadBps ? 8 : 0) + 4);
    scatterBars(table, grid, nA, out, `bars/month=${month}`);
  }
  return { grid, nT, nA, symbols, ...out, decodedBytes };
}

/** Writes the rows of `table` that fall inside the grid into the panels; rows before/after the grid are skipped. */
export function scatterBars(
  table: BarTable,
  grid: BarGrid,
  nA: number,
  out: Record<(typeof FIELDS)[number], Float64Array>,
  dataset: string,
): void {
  const { ts, symbol } = table;
  const first = grid.closeMs[0] ?? Number.POSITIVE_INFINITY;
  const last = grid.closeMs[grid.nT - 1] ?? Number.NEGATIVE_INFINITY;
  let t = 0;
  let prevTs = Number.NaN;
  for (let i = 0; i < table.n; i++) {
    const x = ts[i]!;
    if (x < first || x > last) continue;
    // rows are sorted by (symbol, ts): walk t forward within a symbol, search again when ts jumps back
    if (!(x >= prevTs) || grid.closeMs[t] !== x) {
      if (x >= prevTs) while (t < grid.nT && grid.closeMs[t]! < x) t++;
      else t = barIndexAtOrAfter(grid, x);
      if (grid.closeMs[t] !== x) {
        throw new DataIntegrityError(
          `${dataset}: row ${i}: ts ${new Date(x).toISOString()} is not a bar close of the grid`,
          {
            dataset,
            row: i,
            rule: 'on_grid',
          },
        );
      }
    }
    prevTs = x;
    const k = t * nA + symbol[i]!;
    out.open[k] = table.open[i]!;
    out.high[k] = table.high[i]!;
    out.low[k] = table.low[i]!;
    out.close[k] = table.close[i]!;
    out.volume[k] = table.volume[i]!;
    if (table.vwap) out.vwap[k] = table.vwap[i]!;
    if (table.spreadBps) out.spreadBps[k] = table.spreadBps[i]!;
  }
}
