import { describe, expect, it } from 'vitest';
import {
  concatOutputs,
  fillNotional,
  fillTimesMs,
  initialSimState,
  parseSimState,
} from '../../lib/backtest/index.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { ExecutionConfig, FillStatus, fillCost } from '../../lib/execution/index.ts';
import { applyTurnoverCap, scaleForRiskState } from '../../lib/portfolio/index.ts';
import { engineConfig, FREE, handMarket, randomMarket, sim, simInChunks } from './fixtures.ts';

const CAPITAL = 1_000_000;
const NaN_ = Number.NaN;

describe('backtest engine: simulateChunk — hand-computed one-name cases', () => {
  it('executes a 10% target decided at bar 0 at the open of bar 1, with exactly the costs of fillCost', () => {
    // Arrange
    const { grid, market } = handMarket({
      symbols: ['AAA'],
      open: (t) => (t === 1 ? 101 : 100),
      close: () => 100,
      volume: () => 1e6,
      target: () => 0.1,
    });
    const config = engineConfig();
    // Act
    const { state, outputs } = sim(initialSimState(CAPITAL), {
      config,
      market,
      startBar: 0,
      endBar: 3,
    });
    // Assert
    const f = outputs.fills;
    expect(f.bar[0]).toBe(1);
    expect(fillTimesMs(f, grid.openMs, grid.closeMs)[0]).toBe(grid.openMs[1]);
    expect(fillNotional(f)[0]).toBe(101_000);
    expect(f.requested[0]).toBe(1000); // floor(0.1 × 1e6 / close[0] = 100)
    expect(f.filled[0]).toBe(1000);
    expect(f.price[0]).toBe(101);
    const cost = fillCost(ExecutionConfig.parse({}), 1000, 101, 1e6, NaN_, NaN_);
    expect(cost.total).toBeGreaterThan(0);
    expect(f.slippageCost[0]).toBe(cost.slippage);
    expect(f.spreadCost[0]).toBe(cost.spread);
    expect(f.impactCost[0]).toBe(cost.impact);
    const b = outputs.bars;
    expect(b.nOrders[0]).toBe(0); // nothing executes at the first bar's open
    expect(b.nav[0]).toBe(CAPITAL);
    expect(b.cash[1]).toBe(CAPITAL - 101_000 - (cost.slippage + cost.spread + cost.impact));
    expect(b.nav[1]).toBe(b.cash[1]! + 1000 * 100);
    expect(b.ret[1]).toBe(b.nav[1]! / CAPITAL - 1);
    expect(b.grossExposure[1]).toBe((1000 * 100) / b.nav[1]!);
    expect(b.tradedNotional[1]).toBe(101_000);
    expect(b.turnover[1]).toBe(101_000 / (2 * b.nav[1]!));
    // the decision at bar 1 re-derives the order from NAV(1): (0.1 − w₀) × NAV / 100 rounded toward zero (the buy
    // at 101 and its costs made NAV(1) ≈ 998,970: 0.1 × NAV / 100 ≈ 998.97, a sale of 1 share)
    const toward0 = (x: number): number => Math.sign(x) * Math.floor(Math.abs(x) + 1e-9);
    expect(f.bar[1]).toBe(2);
    expect(f.requested[1]).toBe(toward0(((0.1 - (1000 * 100) / b.nav[1]!) * b.nav[1]!) / 100));
    expect(f.requested[1]).toBe(-1);
    // the last bar's decision is pending in the state, unexecuted
    expect(state.nextBar).toBe(3);
    const held2 = 1000 + f.filled[1]!;
    const last = toward0(((0.1 - (held2 * 100) / b.nav[2]!) * b.nav[2]!) / 100);
    expect(state.pending).toEqual(
      last === 0 ? { symbol: [], shares: [] } : { symbol: ['AAA'], shares: [last] },
    );
  });

  it('keeps cash and NAV identities on a random market: cash moves by trades, costs, cash in lieu and delistings', () => {
    const { market } = randomMarket(11);
    const config = engineConfig({}, { enabled: false }, 0.6);
    const { outputs } = sim(initialSimState(CAPITAL), {
      config,
      market,
      startBar: 0,
      endBar: market.nT,
    });
    const b = outputs.bars;
    let prevCash = CAPITAL;
    for (let i = 0; i < b.n; i++) {
      const costs = b.slippageCost[i]! + b.spreadCost[i]! + b.impactCost[i]!;
      const expected =
        prevCash + b.sellNotional[i]! - b.buyNotional[i]! - costs + b.cashInLieu[i]! + b.delistProceeds[i]!;
      expect(b.cash[i]!).toBeCloseTo(expected, 6);
      expect(b.cash[i]!).toBeGreaterThanOrEqual(0);
      expect(b.nav[i]!).toBeCloseTo(b.cash[i]! + b.grossExposure[i]! * b.nav[i]!, 6);
      expect(b.tradedNotional[i]).toBeCloseTo(b.buyNotional[i]! + b.sellNotional[i]!, 6);
      prevCash = b.cash[i]!;
    }
    const f = outputs.fills;
    expect(f.n).toBeGreaterThan(100);
    for (let i = 0; i < f.n; i++) {
      expect(Number.isInteger(f.filled[i])).toBe(true);
      if (f.kind[i] === 0 && f.filled[i] !== 0) {
        const k = f.bar[i]! * market.nA + f.asset[i]!;
        expect(Math.abs(f.filled[i]!)).toBeLessThanOrEqual(Math.floor(0.1 * market.volume[k]!));
      }
    }
    expect(b.cashInLieu.some((x) => x > 0)).toBe(true);
    expect(b.delistProceeds.some((x) => x > 0)).toBe(true);
  });

  it('keeps value through a 2-for-1 split mid-position (shares double, pending orders scale)', () => {
    const split = 10;
    const px = (t: number): number => (t >= split ? 50 : 100);
    const { market } = handMarket({
      symbols: ['AAA'],
      open: px,
      close: px,
      target: () => 0.5,
      splits: [{ bar: split, asset: 0, ratio: 2 }],
    });
    const { state, outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig(FREE),
      market,
      startBar: 0,
      endBar: 15,
    });
    const b = outputs.bars;
    for (let i = 0; i < 15; i++) expect(b.nav[i]).toBe(CAPITAL);
    expect(b.nOrders[split]).toBe(0); // the decided order (0 shares) stays 0 after scaling
    expect(b.cashInLieu[split]).toBe(0);
    expect(state.positions).toEqual({ symbol: ['AAA'], shares: [10_000], mark: [50] });
  });

  it('pays the fraction of a 1-for-3 reverse split in cash at the post-split open', () => {
    const split = 10;
    const px = (t: number): number => (t >= split ? 300 : 100);
    const { market } = handMarket({
      symbols: ['AAA'],
      open: px,
      close: px,
      target: (t) => (t < split ? 0.5 : Number.NaN),
      splits: [{ bar: split, asset: 0, ratio: 1 / 3 }],
    });
    const { outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig(FREE),
      market,
      startBar: 0,
      endBar: split + 1,
    });
    const b = outputs.bars;
    // 5,000 shares → 1,666 shares and 2/3 of a share paid at 300
    expect(b.cashInLieu[split]).toBeCloseTo((5000 / 3 - 1666) * 300, 9);
    expect(b.nav[split]).toBeCloseTo(CAPITAL, 6);
    expect(b.grossExposure[split]).toBeCloseTo((1666 * 300) / CAPITAL, 12);
  });

  it('closes a delisted holding at its last close, without costs, and never trades it again', () => {
    const last = 5;
    const { market } = handMarket({
      symbols: ['AAA'],
      open: (t) => (t > last ? NaN_ : 100),
      close: (t) => (t > last ? NaN_ : t === last ? 90 : 100),
      target: () => 0.5,
      delistings: [{ bar: last, asset: 0, price: NaN_ }],
    });
    const { state, outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig(),
      market,
      startBar: 0,
      endBar: 12,
    });
    const f = outputs.fills;
    const i = f.n - 1;
    expect(f.kind[i]).toBe(1);
    expect(f.bar[i]).toBe(last);
    expect(f.price[i]).toBe(90);
    expect(f.slippageCost[i]! + f.spreadCost[i]! + f.impactCost[i]!).toBe(0);
    const held = -f.filled[i]!;
    expect(held).toBeGreaterThan(4900);
    const b = outputs.bars;
    expect(b.delistProceeds[last]).toBe(held * 90);
    expect(b.nav[last]).toBe(b.cash[last]);
    for (let t = last + 1; t < 12; t++) {
      expect(b.nOrders[t]).toBe(0);
      expect(b.nHeld[t]).toBe(0);
    }
    expect(state.positions).toEqual({ symbol: [], shares: [], mark: [] });
    expect(state.pending).toEqual({ symbol: [], shares: [] });
  });

  it('fills at most the participation cap; cancel re-derives next bar, carry keeps the remainder', () => {
    // bar 1 trades 5,000 shares: a 10% cap fills 500 of the 1,000 ordered
    const base = {
      symbols: ['AAA'],
      open: () => 100,
      volume: (t: number) => (t === 1 ? 5000 : 1e7),
      target: () => 0.1,
    };
    const run = (remainder: 'cancel' | 'carry', closeAt1: number) =>
      sim(initialSimState(CAPITAL), {
        config: engineConfig({ ...FREE, remainder }),
        market: handMarket({ ...base, close: (t) => (t === 1 ? closeAt1 : 100) }).market,
        startBar: 0,
        endBar: 3,
      }).outputs;
    const cancel = run('cancel', 100);
    expect(cancel.fills.filled[0]).toBe(500);
    expect(cancel.fills.status[0]).toBe(FillStatus.CAP_LIMITED);
    expect(cancel.fills.requested[1]).toBe(500); // re-derived from the target at bar 1
    // no price at bar 1's close: the decision cannot re-derive the order
    const cancelNoPrice = run('cancel', NaN_);
    expect(cancelNoPrice.bars.nOrders[2]).toBe(0);
    const carryNoPrice = run('carry', NaN_);
    expect(carryNoPrice.fills.requested[1]).toBe(500);
    expect(carryNoPrice.fills.filled[1]).toBe(500);
    expect(carryNoPrice.bars.nav[1]).toBe(CAPITAL); // marked at the fill price when the bar has no close
  });

  it('marks a name filled at an open without a close at its fill price, and only a filled name', () => {
    // 5,000 shares bought at 100 at bar 1; the decision at bar 2 (target 0.6) buys 1,000 more at bar 3's open
    // (120). Bars 3 and 4 have no close: the holding is marked at the fill price, 120 — not at the last close (100),
    // and, when the order does not fill, not at the open either.
    const market = (volumeAt3: number) =>
      handMarket({
        symbols: ['AAA'],
        open: (t) => (t < 3 ? 100 : 120),
        close: (t) => (t < 3 ? 100 : t <= 4 ? NaN_ : 120),
        volume: (t) => (t === 3 ? volumeAt3 : 1e7),
        target: (t) => (t < 2 ? 0.5 : 0.6),
      }).market;
    const config = engineConfig(FREE);
    const filled = sim(initialSimState(CAPITAL), {
      config,
      market: market(1e7),
      startBar: 0,
      endBar: 6,
    });
    const f = filled.outputs.fills;
    expect([...f.bar]).toEqual([1, 3]);
    expect([...f.filled]).toEqual([5000, 1000]);
    expect(f.price[1]).toBe(120);
    const b = filled.outputs.bars;
    expect(b.cash[3]).toBe(CAPITAL - 500_000 - 120_000);
    expect(b.nav[3]).toBe(380_000 + 6000 * 120); // 1.1M; marked at the last close it would be 980,000
    expect(b.nav[4]).toBe(1_100_000);
    expect(b.grossExposure[3]).toBe(720_000 / 1_100_000);
    // the mark travels with the state: a chunk ending at bar 3 saves 120, and the next chunk marks bar 4 with it
    const first = sim(initialSimState(CAPITAL), {
      config,
      market: market(1e7),
      startBar: 0,
      endBar: 4,
    });
    expect(first.state.positions).toEqual({ symbol: ['AAA'], shares: [6000], mark: [120] });
    const rest = sim(parseSimState(JSON.parse(JSON.stringify(first.state))), {
      config,
      market: market(1e7),
      startBar: 4,
      endBar: 6,
    });
    expect(rest.outputs.bars.nav[0]).toBe(1_100_000);
    // no volume at bar 3: the order does not fill, and the holding keeps its last close (100), not the open (120)
    const unfilled = sim(initialSimState(CAPITAL), {
      config,
      market: market(0),
      startBar: 0,
      endBar: 5,
    });
    const u = unfilled.outputs;
    expect(u.fills.status[1]).toBe(FillStatus.NO_VOLUME);
    expect(u.fills.filled[1]).toBe(0);
    expect(u.bars.nav[3]).toBe(CAPITAL);
    expect(u.bars.nav[4]).toBe(CAPITAL);
    expect(unfilled.state.positions).toEqual({ symbol: ['AAA'], shares: [5000], mark: [100] });
  });

  it('decides exactly as scaleForRiskState then applyTurnoverCap would, bar by bar (the fused passes)', () => {
    const { market } = randomMarket(31, 9);
    const maxWeight = 0.3;
    const cap = 0.25;
    const risk = {
      thresholds: { conservative: 0.01, riskOff: 0.02 },
      hysteresis: { conservativeExit: 0.005, riskOffExit: 0.01 },
    };
    const { outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig({ remainder: 'carry' }, risk, cap, maxWeight),
      market,
      startBar: 0,
      endBar: market.nT,
    });
    const { nA, nT } = market;
    const w = outputs.weights;
    const b = outputs.bars;
    const delist = new Int32Array(nA).fill(nT);
    for (const d of market.delistings) delist[d.asset] = Math.min(delist[d.asset]!, d.bar);
    const cur = new Float64Array(nA);
    const raw = new Float64Array(nA);
    const scaled = new Float64Array(nA);
    const decided = new Float64Array(nA);
    let row = 0;
    let capped = 0;
    const grossSeen = new Set<number>();
    for (let t = 0; t < nT; t++) {
      const recorded = new Map<number, number>();
      cur.fill(0);
      for (; row < w.n && w.bar[row] === t; row++) {
        cur[w.asset[row]!] = w.weight[row]!;
        recorded.set(w.asset[row]!, w.target[row]!);
      }
      for (let a = 0; a < nA; a++) {
        const k = t * nA + a;
        const c = market.close[k]!;
        const ok = c > 0 && c < Number.POSITIVE_INFINITY && delist[a]! > t;
        const x = market.target[k]!;
        raw[a] = ok && x > 0 && market.member![k] === 1 ? x : 0;
      }
      scaleForRiskState(raw, b.grossScale[t]!, b.nameCapScale[t]!, scaled, maxWeight);
      for (let a = 0; a < nA; a++) {
        const c = market.close[t * nA + a]!;
        if (!(c > 0 && c < Number.POSITIVE_INFINITY && delist[a]! > t)) scaled[a] = cur[a]!;
      }
      grossSeen.add(b.grossScale[t]!);
      if (b.grossScale[t]! > 0) {
        if (applyTurnoverCap(cur, scaled, cap, decided) < 1) capped++;
      } else decided.set(scaled);
      for (let a = 0; a < nA; a++) {
        const got = recorded.get(a);
        if (got === undefined) expect(decided[a] === 0).toBe(true);
        else expect(Object.is(got, decided[a])).toBe(true);
      }
    }
    expect(row).toBe(w.n);
    // the check covered capped steps and more than one risk state (a gross scale of 0 included)
    expect(capped).toBeGreaterThan(20);
    expect(grossSeen.size).toBeGreaterThan(1);
    expect(grossSeen.has(0)).toBe(true);
  });

  it('liquidates on risk_off at the next open, stays flat, and resumes through the re-entry rule', () => {
    const crash = 20; // the 5% turnover cap builds the 90% position over 18 bars first
    const px = (t: number): number => (t >= crash ? 80 : 100);
    const { market } = handMarket({
      symbols: ['AAA'],
      open: (t) => (t > crash ? 80 : 100),
      close: px,
      target: () => 0.9,
    });
    const risk = {
      thresholds: { conservative: 0.05, riskOff: 0.1 },
      hysteresis: { conservativeExit: 0.02, riskOffExit: 0.05 },
      dwell: { conservativeBars: 1, riskOffBars: 3 },
      reentry: { maxRiskOffBars: 5 },
    };
    const { outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig(FREE, risk, 0.1),
      market,
      startBar: 0,
      endBar: crash + 8,
    });
    const b = outputs.bars;
    expect(b.riskState[crash - 1]).toBe(0);
    expect(b.riskState[crash]).toBe(2); // 18% drawdown
    expect(b.grossScale[crash]).toBe(0);
    // the whole book is sold at the next open although the turnover cap is 0.1 (Σ|Δw|)
    const sells = [...outputs.fills.bar].map((bar, i) => ({ bar, filled: outputs.fills.filled[i]! }));
    const atNext = sells.filter((s) => s.bar === crash + 1);
    expect(atNext).toHaveLength(1);
    expect(b.nHeld[crash + 1]).toBe(0);
    for (let t = crash + 1; t < crash + 5; t++) {
      expect(b.riskState[t]).toBe(2);
      expect(b.nHeld[t]).toBe(0);
    }
    // 5 observations in risk_off: peak re-based, state conservative, buying resumes at the next open
    expect(b.riskState[crash + 5]).toBe(1);
    // …and after the conservative dwell (1 bar) at 0% drawdown from the re-based peak, back to normal
    expect(outputs.transitions.map((x) => `${x.barIndex}:${x.to}:${x.reason}`)).toEqual([
      `${crash}:risk_off:drawdown_breach`,
      `${crash + 5}:conservative:reentry_timeout`,
      `${crash + 6}:normal:recovered`,
    ]);
    const resumed = sells.filter((s) => s.bar === crash + 6);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.filled).toBeGreaterThan(0);
    expect(b.grossExposure[crash + 6]).toBeGreaterThan(0);
    expect(b.grossExposure[crash + 6]).toBeLessThanOrEqual(0.9);
  });

  it('buys SPY buy-and-hold at the open after the first decision with the same costs', () => {
    const { market } = handMarket({
      symbols: ['AAA', 'SPY'],
      open: (t, a) => (a === 1 ? 400 + t : 100),
      close: (t, a) => (a === 1 ? 401 + t : 100),
      volume: () => 2e5,
      target: (_t, a) => (a === 0 ? 0.5 : 0),
      benchmarkAsset: 1,
    });
    const { outputs, state } = sim(initialSimState(CAPITAL), {
      config: engineConfig(),
      market,
      startBar: 0,
      endBar: 5,
    });
    const b = outputs.bars;
    expect(b.benchmarkNav[0]).toBe(CAPITAL);
    const q = state.benchmark.shares;
    const exec = ExecutionConfig.parse({});
    const spend = (n: number): number => {
      const c = fillCost(exec, n, 401, 2e5, NaN_, NaN_);
      return c.notional + c.total;
    };
    expect(spend(q)).toBeLessThanOrEqual(CAPITAL);
    expect(spend(q + 1)).toBeGreaterThan(CAPITAL);
    expect(state.benchmark.cash).toBe(CAPITAL - spend(q));
    expect(b.benchmarkNav[1]).toBe(CAPITAL - spend(q) + q * 402);
    expect(b.benchmarkRet[2]).toBe(b.benchmarkNav[2]! / b.benchmarkNav[1]! - 1);
    expect(outputs.fills.asset.every((a) => a === 0)).toBe(true); // the benchmark's book is separate
  });

  it('rejects a chunk that does not start where the state stopped, and negative targets', () => {
    const { market } = randomMarket(1);
    const config = engineConfig();
    expect(() => sim(initialSimState(CAPITAL), { config, market, startBar: 3, endBar: 5 })).toThrow(
      InvalidInputError,
    );
    const bad = { ...market, target: market.target.slice() };
    bad.target[2 * market.nA + 1] = -0.1;
    expect(() => sim(initialSimState(CAPITAL), { config, market: bad, startBar: 0, endBar: 5 })).toThrow(
      /must be >= 0/,
    );
  });

  it('validates the columnar state: equal column lengths, whole positive shares, non-zero orders', () => {
    const base = initialSimState(CAPITAL);
    const ok = { ...base, positions: { symbol: ['AAA'], shares: [10], mark: [5] } };
    expect(parseSimState(JSON.parse(JSON.stringify(ok)))).toEqual(ok);
    const bad = (patch: object, field: string) =>
      expect(() => parseSimState({ ...base, ...patch })).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ field }) }),
      );
    bad({ positions: { symbol: ['AAA'], shares: [10, 3], mark: [5] } }, 'positions');
    bad({ positions: { symbol: ['AAA'], shares: [10.5], mark: [5] } }, 'positions.shares.0');
    bad({ pending: { symbol: ['AAA', 'BBB'], shares: [3, 0] } }, 'pending.shares.1');
    bad({ positions: [{ symbol: 'AAA', shares: 10, mark: 5 }] }, 'positions');
    bad({ stateVersion: 1 }, 'stateVersion');
  });

  it('concatenates chunk outputs in order (simulateInChunks)', () => {
    const { market } = randomMarket(2);
    const config = engineConfig();
    const { chunks } = simInChunks(initialSimState(CAPITAL), config, market, 40, [10, 25]);
    expect(chunks.map((c) => c.bars.n)).toEqual([10, 15, 15]);
    expect([...concatOutputs(chunks).bars.bar]).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
