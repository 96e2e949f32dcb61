import { describe, expect, it } from 'vitest';
import { BacktestSpec, parseBacktestSpec, specHash } from '../../lib/backtest/index.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';

const MINIMAL = {
  specVersion: 1,
  dataset: { name: 'demo' },
  period: { start: '2020-01-02', end: '2020-12-31' },
};

describe('backtest spec: parseBacktestSpec / specHash', () => {
  it('fills the blueprint defaults once, including the embedded execution and risk configs', () => {
    const s = parseBacktestSpec(structuredClone(MINIMAL));
    expect(s.portfolio.maxWeight).toBe(0.1);
    expect(s.labels.horizonBars).toBe(5);
    expect(s.execution).toMatchObject({
      slippageBps: 1,
      halfSpreadBps: 0.5,
      participationCap: 0.1,
      lotSize: 1,
    });
    expect(s.risk.thresholds).toEqual({ conservative: 0.08, riskOff: 0.15 });
    expect(s.universe.index).toBe('sp500');
    expect(s.model.route).toBe('ensemble');
  });

  it('names the first bad field path, and rejects unknown keys (strict)', () => {
    const bad = (input: unknown, field: string) => {
      try {
        parseBacktestSpec(input);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        expect((e as InvalidInputError).details.field).toBe(field);
        return;
      }
      throw new Error('expected a failure');
    };
    bad({ ...MINIMAL, portfolio: { maxWeight: 2 } }, 'portfolio.maxWeight');
    bad({ ...MINIMAL, execution: { slipageBps: 1 } }, 'execution');
    bad({ ...MINIMAL, extra: 1 }, '(root)');
    bad({ ...MINIMAL, specVersion: 2 }, 'specVersion');
    bad({ ...MINIMAL, period: { start: '2020-05-01', end: '2020-01-01' } }, 'period.end');
    bad({ ...MINIMAL, risk: { volatility: { conservativeAbove: 0.3, exitBelow: 0.2 } } }, 'risk.volatility');
  });

  it('hashes the canonical JSON: key order and explicit defaults do not matter, values do', () => {
    const a = specHash(parseBacktestSpec(MINIMAL));
    const reordered = { period: MINIMAL.period, dataset: MINIMAL.dataset, specVersion: 1, seed: 0 };
    expect(specHash(parseBacktestSpec(reordered))).toBe(a);
    expect(specHash(parseBacktestSpec({ ...MINIMAL, seed: 1 }))).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(BacktestSpec.safeParse(MINIMAL).success).toBe(true);
  });
});
