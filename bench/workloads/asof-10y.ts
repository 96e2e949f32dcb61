/**
 * As-of join of every point-in-time series of a synthetic 10-year dataset onto an hourly decision grid:
 * fundamentals (quarterly, with restatements), sentiment (daily), analyst snapshots (weekly) for 750 symbols,
 * and 6 macro series (monthly, with revisions), onto 17,640 decision times (2,520 sessions × 7 bars).
 * The target is <= 5 s for the whole run. The output panels (about 2.4 GB of Float64Array) are allocated once in
 * setup and passed as `opts.out`, as a caller that joins month after month would: on this machine a fresh
 * allocation of that size costs more in page faults than the join itself, and that is not what is measured.
 */
import { Rng } from '../../lib/core/rng.ts';
import { type AsOfJoinBuffers, asOfJoin } from '../../lib/data/pit-join.ts';
import { PIT_SERIES } from '../../lib/data/schemas.ts';
import type { PitSeriesName, PitTable } from '../../lib/data/tables.ts';
import type { Workload } from '../workload.ts';

const N_SYMBOLS = 750;
const N_SESSIONS = 2520;
const MACRO_SERIES = ['CPI', 'CORE_CPI', 'NFP', 'UNRATE', 'ISM_PMI', 'RETAIL_SALES'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2015-01-05 00:00 UTC. */
const ORIGIN_MS = Date.UTC(2015, 0, 5);
/** Bar closes in UTC hours after midnight (10:30 … 15:30, 16:00 New York time, ignoring DST). */
const CLOSE_OFFSETS_MS = [15.5, 16.5, 17.5, 18.5, 19.5, 20.5, 21].map((h) => h * HOUR);

interface State {
  readonly grid: Float64Array;
  readonly tables: readonly PitTable[];
  /** Output buffers per table, reused by every run; emptied in teardown. */
  readonly buffers: AsOfJoinBuffers[];
}

/** Weekday session days (ms at 00:00 UTC), no holidays: the shape of the calendar, not the calendar. */
function sessionDays(): Float64Array {
  const days = new Float64Array(N_SESSIONS);
  let d = ORIGIN_MS;
  for (let s = 0; s < N_SESSIONS; ) {
    const dow = (Math.floor((d - ORIGIN_MS) / DAY) + 1) % 7; // origin is a Monday (1)
    if (dow !== 0 && dow !== 6) days[s++] = d;
    d += DAY;
  }
  return days;
}

function decisionGrid(days: Float64Array): Float64Array {
  const grid = new Float64Array(days.length * CLOSE_OFFSETS_MS.length);
  let t = 0;
  for (const day of days) for (const off of CLOSE_OFFSETS_MS) grid[t++] = day + off;
  return grid;
}

/** Collects rows entity by entity and sorts each entity's rows by (knownTime, eventTime). */
class PitBuilder {
  private readonly entity: number[] = [];
  private readonly eventTime: number[] = [];
  private readonly release: number[] = [];
  private readonly ingest: number[] = [];
  private readonly values: number[][];
  private pending: { ev: number; rel: number; ing: number; v: number[] }[] = [];
  private current = -1;

  constructor(
    private readonly name: PitSeriesName,
    private readonly entityNames: readonly string[],
  ) {
    this.values = PIT_SERIES[name].valueColumns.map(() => []);
  }

  add(e: number, ev: number, rel: number, ing: number, v: number[]): void {
    if (e !== this.current) this.flush();
    this.current = e;
    this.pending.push({ ev, rel, ing, v });
  }

  private flush(): void {
    const known = (r: { rel: number; ing: number }): number => Math.max(r.rel, r.ing);
    this.pending.sort((a, b) => known(a) - known(b) || a.ev - b.ev);
    for (const r of this.pending) {
      this.entity.push(this.current);
      this.eventTime.push(r.ev);
      this.release.push(r.rel);
      this.ingest.push(r.ing);
      for (let j = 0; j < this.values.length; j++) (this.values[j] as number[]).push(r.v[j] as number);
    }
    this.pending = [];
  }

  build(): PitTable {
    this.flush();
    const fields: Record<string, Float64Array> = {};
    PIT_SERIES[this.name].valueColumns.forEach((c, j) => {
      fields[c] = Float64Array.from(this.values[j] as number[]);
    });
    const publicReleaseTime = Float64Array.from(this.release);
    const ingestTime = Float64Array.from(this.ingest);
    return {
      name: this.name,
      n: this.entity.length,
      entityNames: this.entityNames,
      entity: Int32Array.from(this.entity),
      eventTime: Float64Array.from(this.eventTime),
      publicReleaseTime,
      ingestTime,
      knownTime: publicReleaseTime.map((r, i) => Math.max(r, ingestTime[i] as number)),
      fields,
    };
  }
}

function buildTables(seed: number, days: Float64Array): PitTable[] {
  const symbols = Array.from({ length: N_SYMBOLS }, (_, a) => `S${String(a).padStart(3, '0')}`);
  const first = days[0] as number;
  const last = days[days.length - 1] as number;

  const fundRng = Rng.derive(seed, 'fundamentals');
  const fund = new PitBuilder('fundamentals', symbols);
  for (let a = 0; a < N_SYMBOLS; a++) {
    for (let q = 0; q < 41; q++) {
      const ev = Date.UTC(2014, 11 + 3 * q, 31); // quarter ends (Date.UTC normalises the month)
      const rel = ev + (25 + fundRng.int(35)) * DAY + 21 * HOUR + 30 * MINUTE;
      if (rel > last) break;
      const eps = 1 + fundRng.normal();
      const values = () => [
        eps + 0.05 * fundRng.normal(),
        20 + 5 * fundRng.next(),
        40 + 10 * fundRng.next(),
        0.1 + 0.05 * fundRng.normal(),
        0.4 + 0.1 * fundRng.next(),
        0.02 * fundRng.normal(),
        eps + 0.1 * fundRng.normal(),
        1e9 * (1 + fundRng.next()),
      ];
      fund.add(a, ev, rel, rel + fundRng.int(120) * MINUTE, [...values(), 0]);
      if (fundRng.next() < 0.2) {
        const relRev = rel + (30 + fundRng.int(90)) * DAY;
        fund.add(a, ev, relRev, relRev + fundRng.int(600) * MINUTE, [...values(), 1]);
      }
    }
  }

  const sentRng = Rng.derive(seed, 'sentiment');
  const sent = new PitBuilder('sentiment', symbols);
  const analystRng = Rng.derive(seed, 'analyst');
  const analyst = new PitBuilder('analyst', symbols);
  for (let a = 0; a < N_SYMBOLS; a++) {
    for (const day of days) {
      const ev = day + 21 * HOUR;
      const rel = ev + HOUR + sentRng.int(120) * MINUTE;
      sent.add(a, ev, rel, rel - 30 * MINUTE + sentRng.int(60) * MINUTE, [
        Math.tanh(0.5 * sentRng.normal()),
        sentRng.int(40),
      ]);
    }
    for (let ev = first + 4 * DAY + 21 * HOUR; ev < last; ev += 7 * DAY) {
      const rel = ev + 2 * DAY + analystRng.int(12) * HOUR;
      analyst.add(a, ev, rel, rel + analystRng.int(30) * MINUTE, [
        1 + analystRng.normal(),
        0.1 + 0.05 * analystRng.next(),
        analystRng.int(5),
        analystRng.int(5),
        1 + 4 * analystRng.next(),
        0.2 * analystRng.normal(),
      ]);
    }
  }

  const macroRng = Rng.derive(seed, 'macro');
  const macro = new PitBuilder('macro', MACRO_SERIES);
  MACRO_SERIES.forEach((_, s) => {
    for (let m = 0; m < 120; m++) {
      const ev = Date.UTC(2015, m + 1, 1) - 1; // month end
      const rel = ev + (5 + macroRng.int(15)) * DAY + 13.5 * HOUR;
      const actual = 100 + macroRng.normal();
      macro.add(s, ev, rel, rel + macroRng.int(10) * MINUTE, [actual, actual + macroRng.normal(), 0]);
      const relRev = rel + 30 * DAY;
      macro.add(s, ev, relRev, relRev + macroRng.int(10) * MINUTE, [
        actual + 0.1 * macroRng.normal(),
        Number.NaN,
        1,
      ]);
    }
  });

  return [fund.build(), sent.build(), analyst.build(), macro.build()];
}

export const workload: Workload<State> = {
  name: 'asof-10y',
  description:
    'As-of join of fundamentals, sentiment, analyst (750 symbols) and 6 macro series over 10 synthetic years onto a 17,640-bar decision grid, every value column',
  runs: 3,
  setup(): State {
    const days = sessionDays();
    const grid = decisionGrid(days);
    const tables = buildTables(20240101, days);
    const buffers = tables.map((table): AsOfJoinBuffers => {
      const size = grid.length * table.entityNames.length;
      const fields: Record<string, Float64Array> = {};
      // Filled here so that setup, not the first run, pays the page faults.
      const panel = () => new Float64Array(size).fill(Number.NaN);
      for (const c of PIT_SERIES[table.name].valueColumns) fields[c] = panel();
      return { fields, knownAt: panel(), eventAt: panel(), row: new Int32Array(size).fill(-1) };
    });
    return { grid, tables, buffers };
  },
  run({ state }) {
    const start = performance.now();
    let cells = 0;
    let knownCells = 0;
    for (let s = 0; s < state.tables.length; s++) {
      const table = state.tables[s] as PitTable;
      const nA = table.entityNames.length;
      const res = asOfJoin(table, state.grid, nA, PIT_SERIES[table.name].valueColumns, {
        out: state.buffers[s] as AsOfJoinBuffers,
      });
      cells += res.nT * nA * (Object.keys(res.fields).length + 2);
      for (let k = 0; k < res.row.length; k++) if ((res.row[k] as number) >= 0) knownCells++;
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      nT: state.grid.length,
      rows: Object.fromEntries(state.tables.map((t) => [t.name, t.n])),
      cells,
      knownCells,
      seconds,
      cellsPerSecond: cells / seconds,
    };
  },
  teardown(state) {
    state.buffers.length = 0;
  },
};
