/**
 * What the tick of one (strategy, scheduled hour) has to do, as pure functions of what it read: the strategy
 * record and the hour's stored decision. The tick (`tick.ts`) reads, classifies, then acts on the class.
 *
 * 1. `locateHour`: is the hour a bar close of the strategy's grid (NYSE hourly bars from its start date), and
 *    not before its first hour?
 * 2. `classifyHour`, in this order:
 *    - RECORDED: the hour's decision is final (the state was applied past it, or it is MISSED or STOPPED): a
 *      duplicate or late call answers from it;
 *    - STOPPED: the strategy was stopped: the hour is recorded STOPPED, nothing else changes;
 *    - LOST: the state was applied past the hour but no decision exists: the store lost one;
 *    - BEHIND: hours after the last applied one were never processed: they are recorded MISSED (never computed
 *      later with data known later), then the hour is decided;
 *    - CRASHED: a tick decided the hour and stopped before applying it: re-derive, check equal, complete;
 *    - DUE: the state stands just before the hour: decide it.
 */
import { parseSimState, type SimState } from '../backtest/index.ts';
import { barIndexAtOrBefore, buildBarGrid, utcMsToNyDate } from '../core/index.ts';
import type { PaperDecisionRecord, PaperStrategyRecord } from './paper-record.ts';

/** A bar close of the strategy's grid. */
export interface GridHour {
  readonly bar: number;
  readonly hourMs: number;
}

export type HourPlace =
  | { readonly kind: 'NOT_A_BAR' }
  | { readonly kind: 'BEFORE_START' }
  | { readonly kind: 'ON_GRID'; readonly bar: number };

export type HourClass =
  | { readonly kind: 'RECORDED'; readonly decision: PaperDecisionRecord }
  | { readonly kind: 'STOPPED'; readonly bar: number }
  | { readonly kind: 'LOST' }
  | {
      readonly kind: 'BEHIND';
      readonly bar: number;
      readonly state: SimState;
      /** The unprocessed hours before this one, oldest first. */
      readonly gap: readonly GridHour[];
    }
  | {
      readonly kind: 'CRASHED';
      readonly bar: number;
      readonly state: SimState;
      readonly decision: PaperDecisionRecord;
    }
  | { readonly kind: 'DUE'; readonly bar: number; readonly state: SimState };

/** Bar index of `hourMs` on the strategy's grid (NYSE bars from `startDate`), or -1 if it is not a bar close. */
export function strategyBarOf(startDate: string, hourMs: number): number {
  const date = utcMsToNyDate(hourMs);
  if (date < startDate) return -1;
  const grid = buildBarGrid(startDate, date);
  const t = barIndexAtOrBefore(grid, hourMs);
  return t >= 0 && grid.closeMs[t] === hourMs ? t : -1;
}

/** The bar closes of the strategy's grid in [fromMs, toMs). */
export function gridHoursBetween(startDate: string, fromMs: number, toMs: number): GridHour[] {
  const grid = buildBarGrid(startDate, utcMsToNyDate(toMs));
  const out: GridHour[] = [];
  grid.closeMs.forEach((c, t) => {
    if (c >= fromMs && c < toMs) out.push({ bar: t, hourMs: c });
  });
  return out;
}

/** Where `hourMs` is on the strategy's grid. */
export function locateHour(rec: PaperStrategyRecord, hourMs: number): HourPlace {
  const bar = strategyBarOf(rec.startDate, hourMs);
  if (bar < 0) return { kind: 'NOT_A_BAR' };
  if (hourMs < rec.firstHourMs) return { kind: 'BEFORE_START' };
  return { kind: 'ON_GRID', bar };
}

/** The class of the hour at `bar` (see the module comment), given its stored decision if any. */
export function classifyHour(
  rec: PaperStrategyRecord,
  hourMs: number,
  bar: number,
  existing: PaperDecisionRecord | undefined,
): HourClass {
  const applied = rec.lastHourMs !== null && rec.lastHourMs >= hourMs;
  if (existing !== undefined && (applied || existing.status !== 'DECIDED')) {
    return { kind: 'RECORDED', decision: existing };
  }
  if (rec.status === 'STOPPED') return { kind: 'STOPPED', bar };
  if (applied) return { kind: 'LOST' };
  const state = parseSimState(JSON.parse(rec.stateJson));
  if (bar > state.nextBar) {
    const fromMs = rec.lastHourMs === null ? rec.firstHourMs : rec.lastHourMs + 1;
    return { kind: 'BEHIND', bar, state, gap: gridHoursBetween(rec.startDate, fromMs, hourMs) };
  }
  if (existing !== undefined) return { kind: 'CRASHED', bar, state, decision: existing };
  return { kind: 'DUE', bar, state };
}
