/**
 * Training labels. They are the only code that reads after t, by design.
 *
 * - `fwd_excess_5h` at bar t: the return from the open of bar t+1 (where an order decided at t executes) to the
 *   open of bar t+1+h (h = 5), minus SPY's return over the same window. Prices are split-adjusted (the same
 *   cumulative factor as the features). NaN when either open is missing (a delisting or a halt inside the window).
 *   Known from `closeMs[t+1+h]`: the close of the bar whose open is the last price (a bar record is published at
 *   its close), so a label is usable for training only from then on.
 * - `downside_event` at bar t: 1 when fwd_excess < -k × σ × sqrt(h), σ = the trailing std of 1-bar log returns over
 *   `volWindowBars` bars known at t (feature vol_35 by default), else 0; NaN when either is NaN.
 */
import { z } from 'zod';
import type { BarGrid } from '../core/index.ts';

export const LabelSpec = z
  .object({
    horizonBars: z.number().int().min(1).default(5),
    /** Downside threshold in trailing-volatility units (scaled by sqrt(horizon)). */
    downsideK: z.number().positive().default(1.5),
    /** Trailing volatility window in bars (std of 1-bar log returns). */
    volWindowBars: z.number().int().min(2).default(35),
  })
  .strict();
export type LabelSpec = z.infer<typeof LabelSpec>;

/** out[t, a] = (open[t+1+h, a] / open[t+1, a] - 1) - (open[t+1+h, b] / open[t+1, b] - 1), b = benchmark. */
export function forwardExcessReturn(
  adjOpen: ArrayLike<number>,
  nT: number,
  nA: number,
  benchmark: number,
  horizonBars: number,
  out: Float64Array,
): void {
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    const t1 = t + 1;
    const t2 = t + 1 + horizonBars;
    if (t2 >= nT || benchmark < 0) {
      out.fill(Number.NaN, base, base + nA);
      continue;
    }
    const m = adjOpen[t2 * nA + benchmark]! / adjOpen[t1 * nA + benchmark]! - 1;
    for (let a = 0; a < nA; a++) {
      const r = adjOpen[t2 * nA + a]! / adjOpen[t1 * nA + a]! - 1;
      out[base + a] = r - m;
    }
  }
}

/** When the label of each bar becomes known: closeMs[t + 1 + h], NaN when past the grid. */
export function labelKnownMs(grid: BarGrid, horizonBars: number): Float64Array {
  const out = new Float64Array(grid.nT);
  for (let t = 0; t < grid.nT; t++) {
    const t2 = t + 1 + horizonBars;
    out[t] = t2 < grid.nT ? grid.closeMs[t2]! : Number.NaN;
  }
  return out;
}

/** 1 when fwd < -k × vol × sqrt(h), 0 otherwise, NaN when either input is NaN or vol <= 0. */
export function downsideEvent(
  fwd: ArrayLike<number>,
  trailingVol: ArrayLike<number>,
  n: number,
  horizonBars: number,
  k: number,
  out: Float64Array,
): void {
  const s = Math.sqrt(horizonBars);
  for (let i = 0; i < n; i++) {
    const f = fwd[i]!;
    const v = trailingVol[i]!;
    out[i] = !Number.isNaN(f) && v > 0 ? (f < -k * v * s ? 1 : 0) : Number.NaN;
  }
}
