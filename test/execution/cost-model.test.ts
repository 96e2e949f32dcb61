import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExecutionConfig,
  fillCost,
  halfSpreadCostBps,
  impactCostBps,
  MAX_DAILY_VOL,
  MAX_HALF_SPREAD_BPS,
} from '../../lib/execution/index.ts';

const DEFAULT = ExecutionConfig.parse({});
const SQRT_VOL = ExecutionConfig.parse({ impact: { kind: 'sqrt_vol' } });

describe('cost-model: ExecutionConfig', () => {
  it('fills the blueprint defaults', () => {
    expect(DEFAULT).toEqual({
      slippageBps: 1,
      halfSpreadBps: 0.5,
      useBarSpread: true,
      impact: { kind: 'sqrt', etaBps: 25 },
      participationCap: 0.1,
      remainder: 'cancel',
      lotSize: 1,
      minTradeNotional: 0,
      minTicketDollars: 2000,
      feePerOrder: 0,
    });
    expect(SQRT_VOL.impact).toEqual({ kind: 'sqrt_vol', eta: 0.2, fallbackDailyVol: 0.02 });
  });

  it.each<[string, unknown]>([
    ['an unknown key', { slipageBps: 1 }],
    ['an unknown impact kind', { impact: { kind: 'linear' } }],
    ['a key of the other impact kind', { impact: { kind: 'sqrt', eta: 0.2 } }],
    ['a negative slippage', { slippageBps: -1 }],
    ['a participation cap of 0', { participationCap: 0 }],
    ['a participation cap above 1', { participationCap: 1.5 }],
    ['a fractional lot', { lotSize: 2.5 }],
    ['an unknown remainder policy', { remainder: 'queue' }],
    ['an etaBps above the bound', { impact: { kind: 'sqrt', etaBps: 5000 } }],
  ])('rejects %s', (_label, input) => {
    expect(ExecutionConfig.safeParse(input).success).toBe(false);
  });
});

describe('cost-model: fillCost', () => {
  it('10,000 shares at $100 on a 1,000,000-share bar: 1% participation', () => {
    // notional $1,000,000; slippage 1 bp = $100; half-spread 0.5 bp = $50; impact 25 · sqrt(0.01) = 2.5 bps = $250.
    const c = fillCost(DEFAULT, 10_000, 100, 1_000_000, Number.NaN, Number.NaN);
    expect(c.notional).toBe(1_000_000);
    expect(c.participation).toBe(0.01);
    expect(c.slippageBps).toBe(1);
    expect(c.spreadBps).toBe(0.5);
    expect(c.impactBps).toBeCloseTo(2.5, 12);
    expect(c.slippage).toBeCloseTo(100, 9);
    expect(c.spread).toBeCloseTo(50, 9);
    expect(c.impact).toBeCloseTo(250, 9);
    expect(c.total).toBeCloseTo(400, 9);
    expect(c.totalBps).toBeCloseTo(4, 12);
  });

  it('is symmetric in the sign of the shares (a sell costs the same)', () => {
    expect(fillCost(DEFAULT, -10_000, 100, 1_000_000, 3, Number.NaN)).toEqual(
      fillCost(DEFAULT, 10_000, 100, 1_000_000, 3, Number.NaN),
    );
  });

  it('uses half the bar spread when the data has it, and the configured half-spread otherwise', () => {
    const c = fillCost(DEFAULT, 10_000, 100, 1_000_000, 3, Number.NaN);
    expect(c.spreadBps).toBe(1.5);
    expect(c.spread).toBeCloseTo(150, 9);
    expect(halfSpreadCostBps(DEFAULT, Number.NaN)).toBe(0.5);
    expect(halfSpreadCostBps(DEFAULT, -2)).toBe(0.5);
    expect(halfSpreadCostBps(DEFAULT, 0)).toBe(0);
    const noBar = ExecutionConfig.parse({ useBarSpread: false, halfSpreadBps: 2 });
    expect(halfSpreadCostBps(noBar, 3)).toBe(2);
    expect(halfSpreadCostBps(DEFAULT, 1e6)).toBe(MAX_HALF_SPREAD_BPS);
  });

  it('sqrt impact: 25 bps at the whole bar, ≈7.9 bps at the 10% cap, 0 at no participation', () => {
    expect(impactCostBps(DEFAULT, 1, Number.NaN)).toBe(25);
    expect(impactCostBps(DEFAULT, 0.1, Number.NaN)).toBeCloseTo(25 * Math.sqrt(0.1), 12);
    expect(impactCostBps(DEFAULT, 0.25, Number.NaN)).toBe(12.5);
    expect(impactCostBps(DEFAULT, 0, Number.NaN)).toBe(0);
    expect(impactCostBps(DEFAULT, 4, Number.NaN)).toBe(25);
  });

  it('sqrt_vol impact: eta · σ · sqrt(p), with the fallback σ when missing and σ clamped', () => {
    // 0.2 · 0.02 · 1e4 · sqrt(0.01) = 4 bps; on $1,000,000 that is $400.
    const c = fillCost(SQRT_VOL, 10_000, 100, 1_000_000, Number.NaN, 0.02);
    expect(c.impactBps).toBeCloseTo(4, 12);
    expect(c.impact).toBeCloseTo(400, 9);
    expect(impactCostBps(SQRT_VOL, 0.01, 0.05)).toBeCloseTo(10, 12);
    expect(impactCostBps(SQRT_VOL, 0.01, Number.NaN)).toBeCloseTo(4, 12);
    expect(impactCostBps(SQRT_VOL, 0.01, -1)).toBeCloseTo(4, 12);
    expect(impactCostBps(SQRT_VOL, 1, 10)).toBeCloseTo(0.2 * MAX_DAILY_VOL * 1e4, 9);
  });

  it('zero shares cost nothing', () => {
    const c = fillCost(DEFAULT, 0, 100, 1_000_000, 3, 0.02);
    expect(c.total).toBe(0);
    expect(c.totalBps).toBe(0);
  });

  it('writes into the given object', () => {
    const out = fillCost(DEFAULT, 1, 1, 1, 1, 1);
    const again = fillCost(DEFAULT, 10_000, 100, 1_000_000, Number.NaN, Number.NaN, out);
    expect(again).toBe(out);
    expect(out.notional).toBe(1_000_000);
  });

  it('property: every component is >= 0 and the total stays below the notional', () => {
    const configArb = fc
      .record({
        slippageBps: fc.double({ min: 0, max: 100, noNaN: true }),
        halfSpreadBps: fc.double({ min: 0, max: 1000, noNaN: true }),
        useBarSpread: fc.boolean(),
        impact: fc.oneof(
          fc.record({
            kind: fc.constant('sqrt' as const),
            etaBps: fc.double({ min: 0, max: 1000, noNaN: true }),
          }),
          fc.record({
            kind: fc.constant('sqrt_vol' as const),
            eta: fc.double({ min: 0, max: 1, noNaN: true }),
            fallbackDailyVol: fc.double({ min: 0, max: 0.5, noNaN: true }),
          }),
        ),
      })
      .map((r) => ExecutionConfig.parse(r));
    fc.assert(
      fc.property(
        configArb,
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        fc.double({ min: -100, max: 1e6 }),
        fc.double({ min: -1, max: 100 }),
        (config, shares, price, volume, spread, vol) => {
          const c = fillCost(config, shares, price, volume, spread, vol);
          for (const x of [c.slippage, c.spread, c.impact, c.slippageBps, c.spreadBps, c.impactBps]) {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(x)).toBe(true);
          }
          expect(c.totalBps).toBeLessThan(1e4);
          expect(c.total).toBeLessThanOrEqual(c.notional);
        },
      ),
      { numRuns: 500 },
    );
  });
});
