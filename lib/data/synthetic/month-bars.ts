import type { BarTable } from '../tables.ts';

/** One month of simulated bars, time-major (`(t - t0) * nA + a`), NaN where a name has no bar. */
export class MonthBars {
  t0 = 0;
  nBars = 0;
  open = new Float64Array(0);
  high = new Float64Array(0);
  low = new Float64Array(0);
  close = new Float64Array(0);
  volume = new Float64Array(0);
  vwap = new Float64Array(0);
  spread = new Float64Array(0);

  constructor(readonly nA: number) {}

  /** Starts a month of `nBars` bars from bar `t0`, every cell NaN. */
  start(t0: number, nBars: number): void {
    this.t0 = t0;
    this.nBars = nBars;
    const size = nBars * this.nA;
    for (const k of ['open', 'high', 'low', 'close', 'volume', 'vwap', 'spread'] as const) {
      this[k] = new Float64Array(size).fill(Number.NaN);
    }
  }

  /** The month's bars as a table in (symbol, ts) order, `ts` from the grid's bar closes. */
  toTable(gridCloseMs: Float64Array): BarTable {
    const nA = this.nA;
    let rows = 0;
    for (let i = 0; i < this.nBars * nA; i++) if (!Number.isNaN(this.close[i]!)) rows++;
    const table = {
      n: rows,
      ts: new Float64Array(rows),
      symbol: new Int32Array(rows),
      open: new Float64Array(rows),
      high: new Float64Array(rows),
      low: new Float64Array(rows),
      close: new Float64Array(rows),
      volume: new Float64Array(rows),
      vwap: new Float64Array(rows),
      spreadBps: new Float64Array(rows),
    } satisfies BarTable;
    let j = 0;
    for (let a = 0; a < nA; a++) {
      for (let b = 0; b < this.nBars; b++) {
        const i = b * nA + a;
        if (Number.isNaN(this.close[i]!)) continue;
        table.ts[j] = gridCloseMs[this.t0 + b]!;
        table.symbol[j] = a;
        table.open[j] = this.open[i]!;
        table.high[j] = this.high[i]!;
        table.low[j] = this.low[i]!;
        table.close[j] = this.close[i]!;
        table.volume[j] = this.volume[i]!;
        table.vwap[j] = this.vwap[i]!;
        table.spreadBps[j] = this.spread[i]!;
        j++;
      }
    }
    return table;
  }
}
