import type { BarGrid } from '../core/index.ts';
import { addDays, buildBarGrid } from '../core/index.ts';

/** First and last local date of a month clipped to the run's period. */
export function monthRange(
  month: string,
  period: { start: string; end: string },
): { start: string; end: string } {
  const first = `${month}-01`;
  const last = addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1);
  return { start: first < period.start ? period.start : first, end: last > period.end ? period.end : last };
}

/** The run-grid bars of one month of the run. */
export function monthGrid(month: string, period: { start: string; end: string }): BarGrid {
  const r = monthRange(month, period);
  return buildBarGrid(r.start, r.end);
}
