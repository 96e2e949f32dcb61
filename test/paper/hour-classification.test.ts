import { describe, expect, it } from 'vitest';
import { initialSimState } from '../../lib/backtest/sim-state.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import {
  classifyHour,
  gridHoursBetween,
  locateHour,
  strategyBarOf,
} from '../../lib/paper/hour-classification.ts';
import type { PaperDecisionRecord, PaperStrategyRecord } from '../../lib/paper/paper-record.ts';

const START = '2023-07-03';
const CLOSES = Array.from(buildBarGrid(START, '2023-07-07').closeMs);
const hour = (bar: number): number => CLOSES[bar] as number;

const strategy = (extra: Partial<PaperStrategyRecord> = {}): PaperStrategyRecord => ({
  tenantId: 'acme',
  strategyId: 's-1',
  status: 'ACTIVE',
  version: 1,
  createdAtMs: 1,
  updatedAtMs: 1,
  specHash: 'h',
  codeVersion: 'c',
  model: { runId: 'run-1', fold: 0, key: 'k' },
  capital: 1_000_000,
  startDate: START,
  firstHourMs: hour(0),
  lastHourMs: null,
  stateJson: JSON.stringify(initialSimState(1_000_000)),
  ...extra,
});

const decision = (bar: number, status: PaperDecisionRecord['status']): PaperDecisionRecord => ({
  tenantId: 'acme',
  strategyId: 's-1',
  hourMs: hour(bar),
  bar,
  status,
  logKey: 'k',
  recordedAtMs: 1,
});

const stateAt = (nextBar: number) => JSON.stringify({ ...initialSimState(1_000_000), nextBar });

describe('paper hour classification', () => {
  it('locates bar closes of the strategy grid, and nothing else', () => {
    expect(strategyBarOf(START, hour(9))).toBe(9);
    expect(locateHour(strategy(), hour(3))).toEqual({ kind: 'ON_GRID', bar: 3 });
    expect(locateHour(strategy(), hour(3) + 60_000)).toEqual({ kind: 'NOT_A_BAR' });
    expect(locateHour(strategy({ firstHourMs: hour(4) }), hour(3))).toEqual({ kind: 'BEFORE_START' });
    expect(gridHoursBetween(START, hour(2), hour(5))).toEqual(
      [2, 3, 4].map((b) => ({ bar: b, hourMs: hour(b) })),
    );
  });

  it('answers an applied hour, or a MISSED/STOPPED one, from its record', () => {
    const applied = strategy({ lastHourMs: hour(5), stateJson: stateAt(6) });
    expect(classifyHour(applied, hour(5), 5, decision(5, 'DECIDED')).kind).toBe('RECORDED');
    expect(classifyHour(strategy(), hour(0), 0, decision(0, 'MISSED')).kind).toBe('RECORDED');
    expect(classifyHour(applied, hour(4), 4, undefined).kind).toBe('LOST');
  });

  it('records STOPPED for a stopped strategy', () => {
    expect(classifyHour(strategy({ status: 'STOPPED' }), hour(2), 2, undefined)).toEqual({
      kind: 'STOPPED',
      bar: 2,
    });
  });

  it('is DUE when the state stands at the hour, CRASHED when it was decided but not applied', () => {
    const rec = strategy({ lastHourMs: hour(2), stateJson: stateAt(3) });
    expect(classifyHour(rec, hour(3), 3, undefined)).toMatchObject({ kind: 'DUE', bar: 3 });
    expect(classifyHour(rec, hour(3), 3, decision(3, 'DECIDED'))).toMatchObject({ kind: 'CRASHED', bar: 3 });
  });

  it('is BEHIND with the unprocessed hours when the state stands before the hour', () => {
    const rec = strategy({ lastHourMs: hour(2), stateJson: stateAt(3) });
    const c = classifyHour(rec, hour(6), 6, undefined);
    expect(c.kind).toBe('BEHIND');
    if (c.kind === 'BEHIND') expect(c.gap.map((g) => g.bar)).toEqual([3, 4, 5]);
    const fresh = classifyHour(strategy(), hour(2), 2, undefined);
    if (fresh.kind !== 'BEHIND') throw new Error('expected BEHIND');
    expect(fresh.gap.map((g) => g.bar)).toEqual([0, 1]);
  });
});
