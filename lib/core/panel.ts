/**
 * The data structures every stage shares. Columns are typed arrays; panels are time-major (`x[t * nA + a]`)
 * with NaN for missing values and a membership mask beside them.
 */

/** One NYSE regular session. Times are epoch ms UTC. */
export interface Session {
  /** Local (America/New_York) calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly openMs: number;
  readonly closeMs: number;
  /** A 13:00 early close (4 hourly bars instead of 7). */
  readonly earlyClose: boolean;
}

/**
 * The hourly bar grid of a period: bars stamped at their close (10:30 … 15:30, 16:00 ET; 4 bars on an early
 * close). Bar t covers [openMs[t], closeMs[t]). Bars of consecutive sessions are adjacent in the grid, so the
 * open that executes a decision taken at bar t is always `openMs[t + 1]`.
 */
export interface BarGrid {
  readonly nT: number;
  readonly closeMs: Float64Array;
  readonly openMs: Float64Array;
  /** Index into `sessions` of each bar. */
  readonly sessionOfBar: Int32Array;
  /** Position of the bar in its session, 0 = first bar (the one that opens with the overnight gap). */
  readonly barInSession: Uint8Array;
  readonly sessions: readonly Session[];
}

/** The run's symbols in a stable order (index `a`), with point-in-time membership. */
export interface Universe {
  readonly nA: number;
  /** Sorted ascending; `symbols[a]`. */
  readonly symbols: readonly string[];
  /** Sector code per symbol, an index into `sectorNames`. */
  readonly sector: Int16Array;
  readonly sectorNames: readonly string[];
  /** 1 where the sector was assigned deterministically because the source had none. */
  readonly sectorAssigned: Uint8Array;
}

/** Index membership on a grid: `member[t * nA + a] = 1` when symbol a is in the index at bar t. */
export interface MembershipMask {
  readonly nT: number;
  readonly nA: number;
  readonly member: Uint8Array;
}

export type FloatColumn = Float64Array | Float32Array;

/** Named time-major fields sharing one grid and one universe. */
export interface Panel<F extends string = string> {
  readonly nT: number;
  readonly nA: number;
  readonly fields: Readonly<Record<F, FloatColumn>>;
}

export function allocPanelField(nT: number, nA: number, fill = Number.NaN): Float64Array {
  const out = new Float64Array(nT * nA);
  if (fill !== 0) out.fill(fill);
  return out;
}
