/**
 * Point-in-time split adjustment. Bars hold raw prices; a `corporate_actions` row (entity = symbol, ratio,
 * event_time = the ex-date's open, known_time = when the split was known) multiplies the share count by `ratio`
 * and divides the raw price by it from the ex-date on.
 *
 * The cumulative factor F[t, a] is the product of the ratios of the splits of a that are in effect at bar t and
 * known at its decision time: `eventTime <= openMs[t]` and `knownTime <= closeMs[t] + decisionLagMs`. Adjusted
 * price = raw × F, adjusted volume = raw / F: a forward adjustment that never uses a split before it is known,
 * and keeps returns across an ex-date correct. Ratios are small integers, so F is an exact product and the same
 * in any chunk (a chunk reads the whole corporate-actions series, not a window of it).
 */
import type { BarGrid } from '../core/index.ts';
import type { PitTable } from './tables.ts';

/** Writes F (nT × nA, 1 where no split applies) into `out`. */
export function splitFactors(
  actions: PitTable | undefined,
  grid: BarGrid,
  nA: number,
  decisionLagMs: number,
  out: Float64Array,
): void {
  out.fill(1);
  if (actions === undefined) return;
  const ratio = actions.fields.ratio;
  if (ratio === undefined) return;
  const { nT, openMs, closeMs } = grid;
  for (let i = 0; i < actions.n; i++) {
    const a = actions.entity[i]!;
    if (a < 0 || a >= nA) continue;
    const r = ratio[i]!;
    if (!(r > 0) || r === 1) continue;
    const ev = actions.eventTime[i]!;
    const known = actions.knownTime[i]!;
    // first bar with openMs >= ev and closeMs + lag >= known (both monotone in t)
    let lo = 0;
    let hi = nT;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (openMs[mid]! >= ev && closeMs[mid]! + decisionLagMs >= known) hi = mid;
      else lo = mid + 1;
    }
    for (let t = lo; t < nT; t++) out[t * nA + a] = out[t * nA + a]! * r;
  }
}

/** The cumulative factor of symbol `a` for facts known at `ms`: splits with eventTime and knownTime <= ms. */
export function splitFactorAt(actions: PitTable | undefined, a: number, ms: number): number {
  if (actions === undefined) return 1;
  const ratio = actions.fields.ratio;
  if (ratio === undefined) return 1;
  let f = 1;
  for (let i = 0; i < actions.n; i++) {
    if (actions.entity[i] !== a) continue;
    if (actions.eventTime[i]! <= ms && actions.knownTime[i]! <= ms && ratio[i]! > 0) f *= ratio[i]!;
  }
  return f;
}
