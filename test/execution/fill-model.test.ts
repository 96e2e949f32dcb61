import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.ts';
import {
  allocFillBuffers,
  allocFillRows,
  type ExecutionBar,
  ExecutionConfig,
  type ExecutionConfigInput,
  executionBar,
  FillStatus,
  fillCost,
  fillOrders,
  fillParams,
  simulateFills,
} from '../../lib/execution/index.ts';

const DEFAULT = ExecutionConfig.parse({});
/** No costs at all: fills are then exact arithmetic on shares and prices. */
const FREE = ExecutionConfig.parse({ slippageBps: 0, halfSpreadBps: 0, impact: { kind: 'sqrt', etaBps: 0 } });

const f64 = (xs: readonly number[]): Float64Array => Float64Array.from(xs);

interface Case {
  orders: number[];
  open: number[];
  volume: number[];
  positions: number[];
  cash: number;
  spreadBps?: number[];
  dailyVol?: number[];
}

function fill(config: ExecutionConfig, c: Case) {
  const nA = c.orders.length;
  const out = allocFillBuffers(nA);
  const positions = f64(c.positions);
  const bar: ExecutionBar = {
    open: f64(c.open),
    volume: f64(c.volume),
    spreadBps: c.spreadBps ? f64(c.spreadBps) : undefined,
    dailyVol: c.dailyVol ? f64(c.dailyVol) : undefined,
  };
  const summary = simulateFills(config, f64(c.orders), bar, positions, c.cash, out);
  return { out, summary, positions: Array.from(positions) };
}

const cfg = (input: ExecutionConfigInput): ExecutionConfig => ExecutionConfig.parse(input);

describe('fill-model: simulateFills — participation cap, lots, remainder', () => {
  it('caps a fill at exactly 10% of the execution bar volume and cancels the rest by default', () => {
    const r = fill(FREE, { orders: [250_000], open: [50], volume: [1_000_000], positions: [0], cash: 1e8 });
    expect(r.out.filled[0]).toBe(100_000);
    expect(r.out.status[0]).toBe(FillStatus.CAP_LIMITED);
    expect(r.out.cancelled[0]).toBe(150_000);
    expect(r.out.remaining[0]).toBe(0);
    expect(r.positions).toEqual([100_000]);
    expect(r.summary.cashAfter).toBe(1e8 - 5_000_000);
    expect(r.summary.fillRate).toBe(0.4);
  });

  it('carries the unfilled part with remainder: carry', () => {
    const r = fill(cfg({ ...FREE, remainder: 'carry' }), {
      orders: [250_000, -30_000],
      open: [50, 20],
      volume: [1_000_000, 100_000],
      positions: [0, 50_000],
      cash: 1e8,
    });
    expect(Array.from(r.out.filled)).toEqual([100_000, -10_000]);
    expect(Array.from(r.out.remaining)).toEqual([150_000, -20_000]);
    expect(Array.from(r.out.cancelled)).toEqual([0, 0]);
  });

  it('rounds fills down to the lot size', () => {
    const c = cfg({ ...FREE, lotSize: 100 });
    const r = fill(c, {
      orders: [250, -250, 99],
      open: [10, 10, 10],
      volume: [1e6, 1e6, 1e6],
      positions: [0, 1000, 0],
      cash: 1e6,
    });
    expect(Array.from(r.out.filled)).toEqual([200, -200, 0]);
    expect(Array.from(r.out.status)).toEqual([
      FillStatus.LOT_ROUNDED,
      FillStatus.LOT_ROUNDED,
      FillStatus.LOT_ROUNDED,
    ]);
    expect(Array.from(r.out.cancelled)).toEqual([50, -50, 99]);
  });

  it('rounds the cap down to whole lots too', () => {
    const c = cfg({ ...FREE, lotSize: 100 });
    // cap = 0.1 × 12,345 = 1,234.5 shares ⇒ 1,234 whole ⇒ 1,200 in lots.
    const r = fill(c, { orders: [5000], open: [10], volume: [12_345], positions: [0], cash: 1e6 });
    expect(r.out.filled[0]).toBe(1200);
    expect(r.out.status[0]).toBe(FillStatus.CAP_LIMITED);
  });

  it('fills fractional orders in whole shares', () => {
    const r = fill(FREE, {
      orders: [10.7, -3.2],
      open: [10, 10],
      volume: [1e6, 1e6],
      positions: [0, 10],
      cash: 1e3,
    });
    expect(Array.from(r.out.filled)).toEqual([10, -3]);
    expect(r.out.cancelled[0]).toBeCloseTo(0.7, 12);
    expect(r.out.cancelled[1]).toBeCloseTo(-0.2, 12);
  });

  it('a sell closing the whole position may be an odd lot; the excess over the position is cancelled', () => {
    const c = cfg({ ...FREE, lotSize: 100, remainder: 'carry' });
    const r = fill(c, { orders: [-2000], open: [10], volume: [1e6], positions: [1037], cash: 0 });
    expect(r.out.filled[0]).toBe(-1037);
    expect(r.out.status[0]).toBe(FillStatus.SELL_CLIPPED);
    expect(r.out.remaining[0]).toBe(0);
    expect(r.out.cancelled[0]).toBe(-963);
    expect(r.positions).toEqual([0]);
    expect(r.summary.cashAfter).toBe(10_370);
  });

  it('a closing sell above the cap sells whole lots up to the cap and keeps the rest', () => {
    const c = cfg({ ...FREE, lotSize: 100, remainder: 'carry' });
    const r = fill(c, { orders: [-1037], open: [10], volume: [5_550], positions: [1037], cash: 0 });
    expect(r.out.filled[0]).toBe(-500);
    expect(r.out.remaining[0]).toBe(-537);
    expect(r.out.status[0]).toBe(FillStatus.CAP_LIMITED);
  });

  it('a sell of a name not held fills nothing', () => {
    const r = fill(FREE, { orders: [-50], open: [10], volume: [1e6], positions: [0], cash: 5 });
    expect(r.out.filled[0]).toBe(0);
    expect(r.out.cancelled[0]).toBe(-50);
    expect(r.out.status[0]).toBe(FillStatus.SELL_CLIPPED);
    expect(r.summary.cashAfter).toBe(5);
  });
});

describe('fill-model: simulateFills — missing data', () => {
  it.each([
    ['a NaN open', Number.NaN, 1e6, FillStatus.NO_PRICE],
    ['a zero open', 0, 1e6, FillStatus.NO_PRICE],
    ['a NaN volume', 10, Number.NaN, FillStatus.NO_VOLUME],
    ['a zero volume', 10, 0, FillStatus.NO_VOLUME],
  ])('%s fills nothing and counts the reason', (_label, open, volume, status) => {
    for (const remainder of ['cancel', 'carry'] as const) {
      const r = fill(cfg({ remainder }), {
        orders: [100, -40],
        open: [open, open],
        volume: [volume, volume],
        positions: [0, 30],
        cash: 1e6,
      });
      expect(Array.from(r.out.filled)).toEqual([0, 0]);
      expect(Array.from(r.out.status)).toEqual([status, status]);
      expect(r.summary.statusCounts[status]).toBe(2);
      expect(r.summary.cashAfter).toBe(1e6);
      if (remainder === 'carry') {
        // The sell is kept only up to the position held.
        expect(Array.from(r.out.remaining)).toEqual([100, -30]);
        expect(Array.from(r.out.cancelled)).toEqual([0, -10]);
      } else {
        expect(Array.from(r.out.remaining)).toEqual([0, 0]);
        expect(Array.from(r.out.cancelled)).toEqual([100, -40]);
      }
    }
  });

  it('orders below the minimum notional are cancelled even with carry, but a closing sell is exempt', () => {
    const c = cfg({ ...FREE, minTradeNotional: 1000, remainder: 'carry' });
    const r = fill(c, {
      orders: [50, -50, -5],
      open: [10, 10, 10],
      volume: [1e6, 1e6, 1e6],
      positions: [0, 500, 5],
      cash: 1e6,
    });
    expect(Array.from(r.out.filled)).toEqual([0, 0, -5]);
    expect(Array.from(r.out.status)).toEqual([
      FillStatus.BELOW_MIN_NOTIONAL,
      FillStatus.BELOW_MIN_NOTIONAL,
      FillStatus.FILLED,
    ]);
    expect(Array.from(r.out.cancelled)).toEqual([50, -50, 0]);
    expect(Array.from(r.out.remaining)).toEqual([0, 0, 0]);
  });

  it('refuses a NaN order, negative cash, a negative position and mismatched lengths', () => {
    const base: Case = { orders: [1], open: [10], volume: [1e6], positions: [0], cash: 100 };
    expect(() => fill(DEFAULT, { ...base, orders: [Number.NaN] })).toThrow(InvalidInputError);
    expect(() => fill(DEFAULT, { ...base, cash: -1 })).toThrow(/cash/);
    expect(() => fill(DEFAULT, { ...base, cash: Number.NaN })).toThrow(/cash/);
    expect(() => fill(DEFAULT, { ...base, positions: [-1] })).toThrow(/long-only/);
    const out = allocFillBuffers(2);
    expect(() =>
      simulateFills(DEFAULT, f64([1, 2]), { open: f64([1]), volume: f64([1, 1]) }, f64([0, 0]), 1, out),
    ).toThrow(/length 2/);
  });
});

describe('fill-model: simulateFills — cash accounting', () => {
  it('sells before buys: a buy listed first is funded by a sell listed after it', () => {
    const r = fill(FREE, {
      orders: [100, -100],
      open: [10, 10],
      volume: [1e6, 1e6],
      positions: [0, 100],
      cash: 0,
    });
    expect(Array.from(r.out.filled)).toEqual([100, -100]);
    expect(r.positions).toEqual([100, 0]);
    expect(r.summary.cashAfter).toBe(0);
    expect(r.summary.buyScale).toBe(1);
  });

  it('scales buys pro rata when cash is short', () => {
    const r = fill(FREE, {
      orders: [100, 300],
      open: [100, 50],
      volume: [1e6, 1e6],
      positions: [0, 0],
      cash: 12_500,
    });
    // Wants: $10,000 and $15,000; cash $12,500 ⇒ half of each.
    expect(r.summary.buyScale).toBe(0.5);
    expect(Array.from(r.out.filled)).toEqual([50, 150]);
    expect(Array.from(r.out.status)).toEqual([FillStatus.CASH_LIMITED, FillStatus.CASH_LIMITED]);
    expect(Array.from(r.out.cancelled)).toEqual([50, 150]);
    expect(r.summary.cashAfter).toBe(0);
  });

  it('with costs, the scaled buys still leave cash >= 0 and use nearly all of it', () => {
    const r = fill(DEFAULT, {
      orders: [1000, 1000, 1000],
      open: [101.37, 55.5, 7.13],
      volume: [2e4, 3e4, 1e5],
      positions: [0, 0, 0],
      cash: 10_000,
    });
    expect(r.summary.cashAfter).toBeGreaterThanOrEqual(0);
    // Rounding down to whole shares leaves less than one share of each name (with its costs) unspent.
    expect(r.summary.cashAfter).toBeLessThan((101.37 + 55.5 + 7.13) * 1.01);
    expect(r.summary.buyScale).toBeLessThan(1);
  });

  it('charges each cost component per asset as the cost model says, and balances cash', () => {
    const c: Case = {
      orders: [10_000, -5_000, 2_000],
      open: [100, 40, 25],
      volume: [1_000_000, 80_000, 1_000],
      positions: [0, 20_000, 0],
      cash: 2_000_000,
      spreadBps: [Number.NaN, 4, 10],
    };
    const r = fill(DEFAULT, c);
    expect(Array.from(r.out.filled)).toEqual([10_000, -5_000, 100]);
    const expected = [
      fillCost(DEFAULT, 10_000, 100, 1_000_000, Number.NaN, Number.NaN),
      fillCost(DEFAULT, 5_000, 40, 80_000, 4, Number.NaN),
      fillCost(DEFAULT, 100, 25, 1_000, 10, Number.NaN),
    ];
    expected.forEach((e, a) => {
      expect(r.out.slippageCost[a]).toBeCloseTo(e.slippage, 9);
      expect(r.out.spreadCost[a]).toBeCloseTo(e.spread, 9);
      expect(r.out.impactCost[a]).toBeCloseTo(e.impact, 9);
      expect(r.out.notional[a]).toBe(e.notional);
    });
    // Asset 0: $100 + $50 + $250 (the hand-computed 1% participation case).
    expect(r.out.slippageCost[0]! + r.out.spreadCost[0]! + r.out.impactCost[0]!).toBeCloseTo(400, 9);
    const s = r.summary;
    expect(s.totalCost).toBeCloseTo(s.slippageCost + s.spreadCost + s.impactCost, 9);
    expect(s.cashAfter).toBeCloseTo(c.cash + s.sellNotional - s.buyNotional - s.totalCost, 6);
    expect(s.requestedNotional).toBe(1_000_000 + 200_000 + 50_000);
    expect(s.fillRate).toBeCloseTo((1_000_000 + 200_000 + 2_500) / 1_250_000, 12);
    expect(s.nOrders).toBe(3);
    expect(s.nFills).toBe(3);
  });

  it('reports NaN fill rate when nothing was requested, and reuses buffers without leftovers', () => {
    const out = allocFillBuffers(2);
    const bar = { open: f64([10, 10]), volume: f64([1e6, 1e6]) };
    simulateFills(DEFAULT, f64([100, 0]), bar, f64([0, 0]), 1e6, out);
    expect(out.filled[0]).toBe(100);
    const s = simulateFills(DEFAULT, f64([0, 0]), bar, f64([0, 0]), 1e6, out);
    expect(Number.isNaN(s.fillRate)).toBe(true);
    expect(Array.from(out.filled)).toEqual([0, 0]);
    expect(Array.from(out.impactCost)).toEqual([0, 0]);
    expect(s.statusCounts[FillStatus.NO_ORDER]).toBe(2);
    expect(s.cashAfter).toBe(1e6);
  });
});

describe('fill-model: simulateFills — fee per order', () => {
  it('charges feePerOrder in cash per executed order (buys and sells), not for orders that fill nothing', () => {
    const c = cfg({ ...FREE, feePerOrder: 7 });
    // a buy, a sell, an order without volume
    const r = fill(c, {
      orders: [100, -50, 10],
      open: [10, 20, 30],
      volume: [1e6, 1e6, 0],
      positions: [0, 80, 0],
      cash: 10_000,
    });
    expect([...r.out.fee]).toEqual([7, 7, 0]);
    expect(r.summary.feeCost).toBe(14);
    expect(r.summary.cashAfter).toBe(10_000 - 1000 - 7 + 1000 - 7);
  });

  it('a buy leaves room for its fee when cash binds; a sale pays at most its net proceeds', () => {
    const c = cfg({ ...FREE, feePerOrder: 5 });
    // 100 shares at 10 with 500 of cash: the buy shrinks to 49 shares (490 + 5 <= 500)
    const buy = fill(c, { orders: [100], open: [10], volume: [1e6], positions: [0], cash: 500 });
    expect(buy.out.filled[0]).toBe(49);
    expect(buy.summary.cashAfter).toBe(500 - 490 - 5);
    expect(buy.summary.cashAfter).toBeGreaterThanOrEqual(0);
    // selling one share at 3 raises 3: the fee is 3, cash does not fall
    const sell = fill(c, { orders: [-1], open: [3], volume: [1e6], positions: [1], cash: 0 });
    expect(sell.out.fee[0]).toBe(3);
    expect(sell.summary.cashAfter).toBe(0);
  });
});

describe('fill-model: simulateFills — properties', () => {
  const caseArb = fc.integer({ min: 1, max: 12 }).chain((nA) =>
    fc.record({
      config: fc
        .record({
          lotSize: fc.integer({ min: 1, max: 100 }),
          participationCap: fc.double({ min: 0.001, max: 1, noNaN: true }),
          remainder: fc.constantFrom('cancel' as const, 'carry' as const),
          minTradeNotional: fc.constantFrom(0, 500),
          impact: fc.oneof(
            fc.constant({ kind: 'sqrt' as const, etaBps: 1000 }),
            fc.constant({ kind: 'sqrt' as const, etaBps: 25 }),
            fc.constant({ kind: 'sqrt_vol' as const, eta: 1, fallbackDailyVol: 0.5 }),
          ),
          slippageBps: fc.double({ min: 0, max: 100, noNaN: true }),
        })
        .map((r) => ExecutionConfig.parse(r)),
      orders: fc.array(
        fc.oneof(fc.integer({ min: -20_000, max: 20_000 }), fc.double({ min: -5e4, max: 5e4, noNaN: true })),
        { minLength: nA, maxLength: nA },
      ),
      open: fc.array(
        fc.oneof(fc.double({ min: 0.5, max: 2000, noNaN: true }), fc.constant(Number.NaN), fc.constant(0)),
        {
          minLength: nA,
          maxLength: nA,
        },
      ),
      volume: fc.array(fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), {
        minLength: nA,
        maxLength: nA,
      }),
      positions: fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: nA, maxLength: nA }),
      spreadBps: fc.array(fc.double({ min: -5, max: 5000 }), { minLength: nA, maxLength: nA }),
      dailyVol: fc.array(fc.double({ min: -0.1, max: 2 }), { minLength: nA, maxLength: nA }),
      cash: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true })),
    }),
  );

  it('cash >= 0, |filled| <= cap × volume, costs >= 0, long-only, whole shares, orders conserved', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const before = c.positions.slice();
        const r = fill(c.config, c);
        const { out, summary: s } = r;
        expect(s.cashAfter).toBeGreaterThanOrEqual(0);
        let sells = 0;
        let buys = 0;
        let costs = 0;
        for (let a = 0; a < c.orders.length; a++) {
          const q = c.orders[a]!;
          const x = out.filled[a]!;
          const v = c.volume[a]!;
          expect(Math.abs(x)).toBeLessThanOrEqual(Number.isNaN(v) ? 0 : c.config.participationCap * v);
          expect(Number.isInteger(x)).toBe(true);
          if (x !== 0) expect(Math.sign(x)).toBe(Math.sign(q));
          expect(Math.abs(x)).toBeLessThanOrEqual(Math.abs(q));
          const closing = q < 0 && -x === before[a];
          if (!closing) expect(Math.abs(x) % c.config.lotSize).toBe(0);
          expect(r.positions[a]).toBeGreaterThanOrEqual(0);
          expect(r.positions[a]).toBe(before[a]! + x);
          expect(out.filled[a]! + out.remaining[a]! + out.cancelled[a]!).toBeCloseTo(q, 6);
          if (c.config.remainder === 'cancel') expect(out.remaining[a]).toBe(0);
          // A carried sell never exceeds what is still held.
          if (out.remaining[a]! < 0) expect(-out.remaining[a]!).toBeLessThanOrEqual(r.positions[a]! + 1e-9);
          for (const k of [out.slippageCost[a]!, out.spreadCost[a]!, out.impactCost[a]!]) {
            expect(k).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(k)).toBe(true);
          }
          const n = Math.abs(x) * (c.open[a] ?? 0);
          if (x < 0) sells += n;
          if (x > 0) buys += n;
          costs += out.slippageCost[a]! + out.spreadCost[a]! + out.impactCost[a]!;
        }
        // Sells were credited before buys were debited: the buys never spend more than cash + net sell proceeds.
        expect(buys).toBeLessThanOrEqual(c.cash + sells + 1e-6 * (1 + c.cash + sells));
        expect(s.cashAfter).toBeCloseTo(c.cash + sells - buys - costs, 4);
        if (s.requestedNotional > 0) {
          expect(s.fillRate).toBeGreaterThanOrEqual(0);
          expect(s.fillRate).toBeLessThanOrEqual(1 + 1e-12);
        }
        let counted = 0;
        for (const k of s.statusCounts) counted += k;
        expect(counted).toBe(c.orders.length);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const a = fill(c.config, c);
        const b = fill(c.config, c);
        expect(Buffer.from(b.out.filled.buffer)).toEqual(Buffer.from(a.out.filled.buffer));
        expect(Buffer.from(b.out.impactCost.buffer)).toEqual(Buffer.from(a.out.impactCost.buffer));
        expect(Object.is(a.summary.cashAfter, b.summary.cashAfter)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('fill-model: executionBar', () => {
  it('executes at the next bar, across a session boundary, and nowhere after the last bar', () => {
    // Two sessions of 7 bars: bar 6 is the first session's last, bar 7 the next session's first open.
    const grid = { nT: 14, barInSession: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6]) };
    expect(executionBar(grid, 0)).toBe(1);
    expect(executionBar(grid, 6)).toBe(7);
    expect(grid.barInSession[executionBar(grid, 6)]).toBe(0);
    expect(executionBar(grid, 13)).toBe(-1);
    expect(() => executionBar(grid, 14)).toThrow(InvalidInputError);
    expect(() => executionBar(grid, -1)).toThrow(InvalidInputError);
  });
});

describe('fill-model: fillOrders (the fused kernel under simulateFills and the engine)', () => {
  // From offset 2: a buy, no order, a sell of more than held, a buy without a price, a capped sell (cap 500
  // shares), a buy too large for the cash (scaled pro rata).
  const orders = [500, 0, -400, 10, -5_000, 3_000];
  const bar = {
    open: f64([1, 1, 20, 10, 20, Number.NaN, 40, 50]),
    volume: f64([1, 1, 1e6, 1e6, 1e6, 1e6, 5e3, 1e6]),
  };
  const positions = [0, 0, 300, 0, 9_000, 0];

  for (const remainder of ['cancel', 'carry'] as const) {
    it(`writes one row per order from row0, in asset order, with the per-asset results (${remainder})`, () => {
      const config = cfg({ remainder });
      const ref = allocFillBuffers(6);
      const refPos = f64(positions);
      const s = simulateFills(config, f64(orders), { ...bar, offset: 2 }, refPos, 1_000, ref);
      expect(s.buyScale).toBeLessThan(1);
      const fb = allocFillBuffers(6);
      const rows = allocFillRows(20);
      rows.filled.fill(-1);
      const pending = f64(orders);
      const pos = f64(positions);
      const mark = new Float64Array(6).fill(-1);
      const end = fillOrders(
        fillParams(config),
        pending,
        pending,
        bar.open,
        bar.volume,
        undefined,
        undefined,
        2,
        pos,
        mark,
        1_000,
        rows,
        7,
        fb,
      );
      expect(end).toBe(7 + 5);
      expect(rows.filled[6]).toBe(-1);
      expect(rows.filled[12]).toBe(-1);
      expect(Array.from(rows.asset.subarray(7, end))).toEqual([0, 2, 3, 4, 5]);
      expect(Array.from(pos)).toEqual(Array.from(refPos));
      expect(fb.summary.cashAfter).toBe(s.cashAfter);
      expect(fb.summary.nFills).toBe(s.nFills);
      for (let i = 7; i < end; i++) {
        const a = rows.asset[i]!;
        expect(rows.status[i]).toBe(ref.status[a]);
        expect(rows.requested[i]).toBe(orders[a]);
        expect(rows.filled[i]).toBe(ref.filled[a]);
        expect(rows.price[i]).toBe(bar.open[2 + a]);
        expect([rows.slippageCost[i], rows.spreadCost[i], rows.impactCost[i]]).toEqual([
          ref.slippageCost[a],
          ref.spreadCost[a],
          ref.impactCost[a],
        ]);
        // a filled name is marked at its fill price, the others are left alone
        expect(mark[a]).toBe(ref.filled[a] !== 0 ? bar.open[2 + a] : -1);
      }
      // `remaining` aliasing `orders`: with `carry` the remainders replace the orders; with `cancel` the orders
      // are left for the caller to clear.
      expect(Array.from(pending)).toEqual(remainder === 'carry' ? Array.from(ref.remaining) : orders);
      expect(mark[1]).toBe(-1);
    });
  }
});
