/**
 * Columnar in-memory tables: what the Parquet files decode into and what validation, the point-in-time view
 * and the panel builders read. Row i of a table is index i of every column. Symbols are indices into the
 * dataset's sorted symbol list (`Universe.symbols`).
 */

/** Hourly bars, one row per (symbol, bar close), sorted by (symbol, ts). Prices are raw (not split-adjusted). */
export interface BarTable {
  readonly n: number;
  /** Bar close, epoch ms UTC (on the NYSE hourly grid). */
  readonly ts: Float64Array;
  readonly symbol: Int32Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Optional columns: present for every row or absent. */
  readonly vwap?: Float64Array;
  readonly spreadBps?: Float64Array;
}

/** The point-in-time series a dataset may carry, each row with the four timestamps. */
export type PitSeriesName = 'fundamentals' | 'macro' | 'sentiment' | 'analyst' | 'corporate_actions' | 'trap';

/**
 * A point-in-time series. Each row is a fact about an entity (`entity`: a symbol index, or for macro a series
 * index into `entityNames`) for a period (`eventTime`), published at `publicReleaseTime`, received at
 * `ingestTime`; `knownTime = max(publicReleaseTime, ingestTime)`. A revision is a later row with the same
 * (entity, eventTime) and a later knownTime. Sorted by (entity, knownTime, eventTime).
 */
export interface PitTable {
  readonly name: PitSeriesName;
  readonly n: number;
  readonly entity: Int32Array;
  /** What `entity` indexes: the dataset's symbols, or series names (macro). */
  readonly entityNames: readonly string[];
  readonly eventTime: Float64Array;
  readonly publicReleaseTime: Float64Array;
  readonly ingestTime: Float64Array;
  readonly knownTime: Float64Array;
  /** Value columns, NaN where a row does not carry the field. */
  readonly fields: Readonly<Record<string, Float64Array>>;
}
