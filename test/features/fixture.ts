/** Shared test fixtures: a small synthetic dataset in memory and hand-made feature inputs. */
import { readFileSync } from 'node:fs';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import type { PitSeriesName, PitTable } from '../../lib/data/tables.ts';
import { loadMembershipSource, symbolsActiveBetween } from '../../lib/data/universe.ts';
import { absoluteBarIndex } from '../../lib/features/build.ts';
import type { FeatureInputs } from '../../lib/features/context.ts';

const cache = new Map<string, Promise<DatasetReader>>();

/** A synthetic dataset over [start, end] on every `stride`-th symbol active in the period (plus SPY). */
export function smallDataset(start: string, end: string, stride = 25, seed = 3): Promise<DatasetReader> {
  const key = `${start}|${end}|${stride}|${seed}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = (async () => {
      const src = new URL('../../data/sp500/', import.meta.url);
      const source = loadMembershipSource(
        readFileSync(new URL('membership_spells.csv', src), 'utf8'),
        readFileSync(new URL('constituents_sectors.csv', src), 'utf8'),
      );
      const active = symbolsActiveBetween(source.spells, start, end);
      const symbols = active.filter((_, i) => i % stride === 0);
      // names that leave or join inside the period, so listings and delistings are exercised
      for (const c of source.spells) {
        if (
          c.endDate !== null &&
          c.endDate > start &&
          c.endDate < end &&
          symbols.length < active.length / stride + 4
        )
          symbols.push(c.symbol);
      }
      const store = new MemoryObjectStore();
      await generateSyntheticMarket({ start, end, seed, symbols, leadInSessions: 20 }, source, store);
      return DatasetReader.open(store);
    })();
    cache.set(key, p);
  }
  return p;
}

export interface TinyBars {
  open: number[][];
  high?: number[][];
  low?: number[][];
  close: number[][];
  volume?: number[][];
}

/**
 * Feature inputs on the grid of [start, end] from per-bar rows (`close[t][a]`); missing rows are NaN.
 * high/low default to max/min(open, close), volume to 1000.
 */
export function tinyInputs(
  start: string,
  end: string,
  nA: number,
  bars: TinyBars,
  opts: {
    benchmark?: number;
    sector?: number[];
    member?: (t: number, a: number) => boolean;
    series?: Partial<Record<PitSeriesName, PitTable>>;
    decisionLagMs?: number;
  } = {},
): FeatureInputs {
  const grid = buildBarGrid(start, end);
  const size = grid.nT * nA;
  const mk = (rows: number[][] | undefined, dflt: (t: number, a: number) => number): Float64Array => {
    const x = new Float64Array(size).fill(Number.NaN);
    for (let t = 0; t < grid.nT; t++)
      for (let a = 0; a < nA; a++) {
        const c = bars.close[t]?.[a];
        if (c === undefined || Number.isNaN(c)) continue;
        x[t * nA + a] = rows?.[t]?.[a] ?? dflt(t, a);
      }
    return x;
  };
  const close = mk(bars.close, () => Number.NaN);
  const open = mk(bars.open, () => Number.NaN);
  const high = mk(bars.high, (t, a) => Math.max(open[t * nA + a]!, close[t * nA + a]!));
  const low = mk(bars.low, (t, a) => Math.min(open[t * nA + a]!, close[t * nA + a]!));
  const volume = mk(bars.volume, () => 1000);
  const member = new Uint8Array(size);
  for (let t = 0; t < grid.nT; t++)
    for (let a = 0; a < nA; a++)
      member[t * nA + a] = (opts.member ?? ((_t, x) => x !== opts.benchmark))(t, a) ? 1 : 0;
  return {
    grid,
    anchorBar: absoluteBarIndex(grid),
    nA,
    symbols: Array.from({ length: nA }, (_, a) => `S${a}`),
    sector: Int16Array.from(opts.sector ?? Array.from({ length: nA }, () => 0)),
    member,
    bars: { open, high, low, close, volume },
    series: opts.series ?? {},
    decisionLagMs: opts.decisionLagMs ?? 60_000,
    benchmark: opts.benchmark ?? -1,
  };
}

/** A PIT table from row objects (sorted by entity, knownTime, eventTime by the caller). */
export function pitTable(
  name: PitSeriesName,
  entityNames: readonly string[],
  rows: { e: number; event: number; known: number; values: Record<string, number> }[],
  fieldNames: readonly string[],
): PitTable {
  const fields: Record<string, Float64Array> = {};
  for (const f of fieldNames) fields[f] = Float64Array.from(rows, (r) => r.values[f] ?? Number.NaN);
  return {
    name,
    n: rows.length,
    entity: Int32Array.from(rows, (r) => r.e),
    entityNames,
    eventTime: Float64Array.from(rows, (r) => r.event),
    publicReleaseTime: Float64Array.from(rows, (r) => r.known),
    ingestTime: Float64Array.from(rows, (r) => r.known),
    knownTime: Float64Array.from(rows, (r) => r.known),
    fields,
  };
}
