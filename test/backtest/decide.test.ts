/**
 * The hour's decision inside the engine (`TradeDecider` through the decision port): the held book is the decided
 * book, caps hold on it, a failed solve holds, the no-trade rule and the fee, data gaps and delistings known at t,
 * and the governor's shadow exit.
 */
import { describe, expect, it } from 'vitest';
import {
  type ChunkInput,
  DecisionStatus,
  delistingsActedOn,
  FIRST_FAILED_STATUS,
  FillKind,
  initialSimState,
  parseBacktestSpec,
  parseSimState,
  type SimOutputs,
  simulateChunk,
  simulateInChunks,
  TradeDecider,
} from '../../lib/backtest/index.ts';
import { type ExecutionConfigInput, fillCost } from '../../lib/execution/index.ts';
import type { MonthInputs } from '../../lib/portfolio/index.ts';
import {
  engineConfig,
  FREE,
  handMarket,
  type MonthInputsOptions,
  sim,
  simInChunks,
  syntheticMonthInputs,
  type TestMarket,
} from './fixtures.ts';

const CAPITAL = 1_000_000;
const NAMES = ['SPY', 'A00', 'A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10'];

const spec = (portfolio: Record<string, unknown> = {}) =>
  parseBacktestSpec({
    specVersion: 1,
    dataset: { name: 'test' },
    period: { start: '2024-03-04', end: '2024-03-08' },
    portfolio: { maxWeight: 0.1, turnoverCap: 0.5, ...portfolio },
  });

/** Constant prices (100), deep volume: NAV only moves by costs and fees, fills are exact. */
function flatMarket(over: Partial<Parameters<typeof handMarket>[0]> = {}): TestMarket {
  return handMarket({
    symbols: NAMES,
    open: () => 100,
    close: () => 100,
    volume: () => 1e7,
    target: () => 0,
    benchmarkAsset: 0,
    ...over,
  }).market;
}

function chunk(
  market: TestMarket,
  execution: ExecutionConfigInput = FREE,
  portfolio: Record<string, unknown> = {},
  inputs: MonthInputsOptions | MonthInputs = {},
  risk: Parameters<typeof engineConfig>[1] = { enabled: false },
): ChunkInput {
  const month = 'firstBar' in inputs ? inputs : syntheticMonthInputs(market, inputs);
  const c = engineConfig(execution, risk);
  return {
    config: { execution: c.execution, risk: c.risk },
    // as `hourChunk` does: the decision inputs' daily volatility is the market's (the fill model's sqrt_vol)
    market: { ...market, dailyVol: month.dailyVol },
    decider: new TradeDecider(spec(portfolio), [month]),
    startBar: 0,
    endBar: market.nT,
  };
}

/** Weight rows as maps: bar → asset → {held, decided, cap}. */
function weightRows(
  out: SimOutputs,
): Map<number, Map<number, { held: number; decided: number; cap: number }>> {
  const w = out.weights;
  const rows = new Map<number, Map<number, { held: number; decided: number; cap: number }>>();
  for (let i = 0; i < w.n; i++) {
    const bar = w.bar[i]!;
    if (!rows.has(bar)) rows.set(bar, new Map());
    rows.get(bar)!.set(w.asset[i]!, { held: w.weight[i]!, decided: w.target[i]!, cap: w.cap[i]! });
  }
  return rows;
}

describe('decision: the held book is the decided book', () => {
  it('caps hold on the held book and Σ|held(t+1) − decided(t)| is only share rounding', () => {
    const market = flatMarket();
    const { outputs } = simulateChunk(initialSimState(CAPITAL), chunk(market));
    const d = outputs.decisions;
    expect(d.n).toBe(market.nT);
    for (let i = 0; i < d.n; i++) expect(d.status[i]!).toBeLessThan(FIRST_FAILED_STATUS);
    const rows = weightRows(outputs);
    let traded = 0;
    for (let t = 0; t + 1 < market.nT; t++) {
      const now = rows.get(t) ?? new Map();
      const next = rows.get(t + 1) ?? new Map();
      let gap = 0;
      for (const [a, r] of now) {
        expect(r.decided).toBeLessThanOrEqual(r.cap + 1e-12);
        const held = next.get(a)?.held ?? 0;
        // prices are constant and costs zero: NAV is constant, and shares round toward zero
        expect(held).toBeLessThanOrEqual(r.cap + 1e-12);
        gap += Math.abs(held - r.decided);
      }
      expect(gap).toBeLessThanOrEqual((NAMES.length * 100) / CAPITAL);
      // flat prices, full fills: the recorded order gap is exactly the held book's distance from the decision
      expect(d.orderGap[t]!).toBeCloseTo(gap, 12);
      // the decision's turnover respects the cap (nothing forced here)
      expect(d.turnover[t]!).toBeLessThanOrEqual(0.5 + 1e-9);
      traded += d.turnover[t]!;
    }
    expect(traded).toBeGreaterThan(0.5);
    // the book is invested and concentrated in the names the optimizer chose, not in every name
    const last = rows.get(market.nT - 1)!;
    expect([...last.values()].reduce((s, r) => s + r.held, 0)).toBeGreaterThan(0.5);
  });

  it('sweeps move a run monotonically: more γ_trade trades less, more γ_risk holds a less volatile book', () => {
    const market = flatMarket();
    const costly = { ...FREE, slippageBps: 5, halfSpreadBps: 5 };
    const loose = { targetVol: { low: 0.001, high: 5 }, turnoverCap: 2 };
    const run = (portfolio: Record<string, unknown>) => {
      const d = simulateChunk(initialSimState(CAPITAL), chunk(market, costly, { ...loose, ...portfolio }))
        .outputs.decisions;
      let turnover = 0;
      let vol = 0;
      for (let i = 0; i < d.n; i++) {
        expect(d.status[i]!).toBeLessThan(FIRST_FAILED_STATUS);
        turnover += d.turnover[i]!;
        vol += d.exAnteVol[i]!;
      }
      return { turnover, vol: vol / d.n };
    };
    const byTrade = [0.5, 5, 50].map((g) => run({ tradeAversion: g }));
    for (let j = 1; j < byTrade.length; j++) {
      expect(byTrade[j]!.turnover).toBeLessThan(byTrade[j - 1]!.turnover);
    }
    const byRisk = [1, 10, 100].map((g) => run({ riskAversion: g }));
    for (let j = 1; j < byRisk.length; j++) expect(byRisk[j]!.vol).toBeLessThan(byRisk[j - 1]!.vol);
  });

  it('a failed solve holds w₀: no orders at the next open, counted with its hour and reason', () => {
    const market = flatMarket();
    const bad = 10;
    const c = chunk(
      market,
      FREE,
      {},
      {
        alpha: (r, a) => (r === bad && a === 3 ? Number.POSITIVE_INFINITY : 1e-3 * a),
      },
    );
    const { outputs, state } = simulateChunk(initialSimState(CAPITAL), c);
    expect(outputs.decisions.status[bad]).toBe(DecisionStatus.degenerate_input);
    expect(state.counters.failedDecisions).toBe(1);
    expect(outputs.decisions.tickets[bad]).toBe(0);
    expect(outputs.bars.nOrders[bad + 1]).toBe(0);
    for (const r of weightRows(outputs).get(bad)!.values()) expect(r.decided).toBe(r.held);
    // the hours around it did trade
    expect(outputs.bars.nOrders[1]).toBeGreaterThan(0);
  });

  it('the no-trade rule skips tickets below minTicketDollars, except a sale to zero', () => {
    const market = flatMarket();
    const minTicket = 20_000;
    const { outputs, state } = simulateChunk(
      initialSimState(CAPITAL),
      chunk(market, { ...FREE, minTicketDollars: minTicket }, { turnoverCap: 0.3 }),
    );
    const d = outputs.decisions;
    let skipped = 0;
    for (let i = 0; i < d.n; i++) skipped += d.skippedTickets[i]!;
    expect(skipped).toBeGreaterThan(0);
    expect(state.counters.skippedTickets).toBe(skipped);
    // a skipped ticket leaves the ordered book off the decided one by its weight, at most minTicket / NAV each
    for (let i = 0; i < d.n; i++) {
      if (d.skippedTickets[i]! > 0) expect(d.orderGap[i]!).toBeGreaterThan(0);
      expect(d.orderGap[i]!).toBeLessThanOrEqual(
        (d.skippedTickets[i]! * minTicket + NAMES.length * 100) / CAPITAL + 1e-12,
      );
    }
    const rows = weightRows(outputs);
    const f = outputs.fills;
    for (let i = 0; i < f.n; i++) {
      if (f.kind[i] !== FillKind.ORDER) continue;
      const decidedAt = rows.get(f.bar[i]! - 1)?.get(f.asset[i]!);
      const toZero = f.requested[i]! < 0 && decidedAt?.decided === 0;
      expect(Math.abs(f.requested[i]!) * 100 >= minTicket || toZero).toBe(true);
    }
  });

  it('charges feePerOrder per executed order in cash and in the ledger', () => {
    const market = flatMarket();
    const fee = 2.5;
    const { outputs, state } = simulateChunk(
      initialSimState(CAPITAL),
      chunk(market, { ...FREE, feePerOrder: fee }),
    );
    const b = outputs.bars;
    const f = outputs.fills;
    let total = 0;
    for (let i = 0; i < b.n; i++) {
      let executed = 0;
      for (let j = 0; j < f.n; j++) if (f.bar[j] === b.bar[i] && f.filled[j] !== 0) executed++;
      expect(b.feeCost[i]).toBe(fee * executed);
      // prices constant, no other cost: NAV falls by exactly the fees
      if (i > 0) expect(b.nav[i]!).toBeCloseTo(b.nav[i - 1]! - b.feeCost[i]!, 6);
      total += b.feeCost[i]!;
    }
    expect(total).toBeGreaterThan(0);
    expect(state.counters.feeCost).toBeCloseTo(total, 9);
    for (let j = 0; j < f.n; j++) expect(f.fee[j]).toBe(f.filled[j] === 0 ? 0 : fee);
  });

  it('sqrt_vol impact reads the decision inputs’ daily volatility in the fill model', () => {
    const market = flatMarket();
    const execution = { ...FREE, impact: { kind: 'sqrt_vol' as const, eta: 0.2 } };
    const { outputs } = simulateChunk(initialSimState(CAPITAL), chunk(market, execution));
    const f = outputs.fills;
    expect(f.n).toBeGreaterThan(0);
    const exec = engineConfig(execution).execution;
    for (let j = 0; j < f.n; j++) {
      if (f.filled[j] === 0) continue;
      // 0.015: the synthetic inputs' daily volatility (the fallback would be 0.02)
      expect(f.impactCost[j]).toBe(fillCost(exec, f.filled[j]!, 100, 1e7, Number.NaN, 0.015).impact);
    }
  });

  it('is a function of the hour’s inputs: chunked runs equal the unchunked run bit for bit', () => {
    const market = flatMarket({ close: (t, a) => 100 * (1 + 0.01 * Math.sin(t / 3 + a)) });
    const c = chunk(market, {}, { turnoverCap: 0.3 });
    const whole = simulateChunk(initialSimState(CAPITAL), c);
    for (const cuts of [[7], [3, 17, 18, 30]]) {
      const parts = simulateInChunks(
        initialSimState(CAPITAL),
        c.config,
        market,
        c.decider,
        market.nT,
        cuts,
        (j) => parseSimState(JSON.parse(j)),
      );
      expect(JSON.stringify(parts.state)).toBe(JSON.stringify(whole.state));
      // a fresh decider per chunk (as each Lambda or paper tick has) decides the same
      const fresh = simulateInChunks(
        initialSimState(CAPITAL),
        c.config,
        market,
        chunk(market, {}, { turnoverCap: 0.3 }).decider,
        market.nT,
        cuts,
      );
      expect(JSON.stringify(fresh.state)).toBe(JSON.stringify(whole.state));
    }
  });
});

describe('decision: data gaps and delistings known at t', () => {
  const STOP = 8;
  /** A01's bars stop after bar STOP. */
  const stopping = (over: Partial<Parameters<typeof handMarket>[0]> = {}) =>
    flatMarket({
      open: (t, a) => (a === 2 && t > STOP ? Number.NaN : 100),
      close: (t, a) => (a === 2 && t > STOP ? Number.NaN : a === 2 && t === STOP ? 90 : 100),
      volume: (t, a) => (a === 2 && t > STOP ? Number.NaN : 1e7),
      target: (_t, a) => (a === 2 ? 0.3 : 0),
      ...over,
    });

  it('a name whose bars stop without an event is a gap: held at its last price, listed once, never sold', () => {
    const market = stopping();
    const config = engineConfig(FREE, { enabled: false }, 4, 1);
    const whole = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: market.nT });
    const g = whole.outputs.gaps;
    expect(g.n).toBe(1);
    expect([g.bar[0], g.asset[0]]).toEqual([STOP + 1, 2]);
    const d = whole.outputs.decisions;
    for (let t = STOP + 1; t < market.nT; t++) expect(d.nGaps[t]).toBe(1);
    // the order decided at STOP finds no price at STOP + 1's open; nothing is ordered after that
    const f = whole.outputs.fills;
    for (let j = 0; j < f.n; j++) {
      if (f.asset[j] !== 2 || f.bar[j]! <= STOP) continue;
      expect([f.bar[j], f.filled[j]]).toEqual([STOP + 1, 0]);
    }
    expect(whole.state.positions.symbol).toContain('A01');
    expect(whole.state.positions.mark[whole.state.positions.symbol.indexOf('A01')]).toBe(90);
    expect(whole.state.gaps).toEqual({ symbol: ['A01'], since: [STOP + 1] });
    // across a chunk boundary inside the gap it is listed once, from its first missing hour
    const chunked = simInChunks(initialSimState(CAPITAL), config, market, market.nT, [STOP + 4], (j) =>
      parseSimState(JSON.parse(j)),
    );
    expect(chunked.chunks.map((c) => c.gaps.n)).toEqual([1, 0]);
    expect(JSON.stringify(chunked.state)).toBe(JSON.stringify(whole.state));
  });

  it('the trade decision holds a gap fixed, outside the problem, and the rest within G − w_gap', () => {
    const market = stopping();
    const inputs = syntheticMonthInputs(market, {
      alpha: (_r, a) => (a === 2 ? 5e-2 : 1e-3),
      eligible: (r, a) => a !== 0 && !(a === 2 && r > STOP),
    });
    const { outputs } = simulateChunk(
      initialSimState(CAPITAL),
      chunk(market, FREE, { maxWeight: 0.3 }, inputs),
    );
    const rows = weightRows(outputs);
    const held = rows.get(STOP)?.get(2)?.held ?? 0;
    expect(held).toBeGreaterThan(0.1);
    for (let t = STOP + 1; t < market.nT; t++) {
      const r = rows.get(t)!;
      expect(r.get(2)!.decided).toBe(r.get(2)!.held);
      let others = 0;
      for (const [a, x] of r) if (a !== 2) others += x.decided;
      expect(others).toBeLessThanOrEqual(1 - r.get(2)!.held + 1e-9);
    }
  });

  it('a delisting is closed at the close of the bar where it is known, at its price, not before', () => {
    const KNOWN = STOP + 3;
    const events = [{ asset: 2, bar: STOP, knownBar: KNOWN, lastPrice: 42 }];
    const base = stopping();
    const market: TestMarket = { ...base, delistings: delistingsActedOn(events, 0, base.nT) };
    expect(market.delistings).toEqual([{ bar: KNOWN, asset: 2, price: 42 }]);
    const config = engineConfig(FREE, { enabled: false }, 4, 1);
    const run = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: market.nT });
    const noEvent = sim(initialSimState(CAPITAL), { config, market: base, startBar: 0, endBar: market.nT });
    const f = run.outputs.fills;
    const rows = [...Array(f.n).keys()].filter((j) => f.kind[j] === FillKind.DELISTING);
    expect(rows).toHaveLength(1);
    const j = rows[0]!;
    expect([f.bar[j], f.asset[j], f.price[j], f.slippageCost[j], f.fee[j]]).toEqual([KNOWN, 2, 42, 0, 0]);
    expect(run.outputs.bars.delistProceeds[KNOWN]).toBe(-f.filled[j]! * 42);
    // before it is known, the run is exactly the run without the event (the event does not leak)
    for (let t = 0; t < KNOWN; t++) {
      expect(run.outputs.bars.nav[t]).toBe(noEvent.outputs.bars.nav[t]);
      expect(run.outputs.bars.nHeld[t]).toBe(noEvent.outputs.bars.nHeld[t]);
    }
    expect(run.state.positions.symbol).not.toContain('A01');
    expect(run.state.gaps).toEqual({ symbol: [], since: [] });
    // without a delisting price: the last price (90)
    const atLast: TestMarket = {
      ...base,
      delistings: delistingsActedOn([{ ...events[0]!, lastPrice: Number.NaN }], 0, base.nT),
    };
    const last = sim(initialSimState(CAPITAL), { config, market: atLast, startBar: 0, endBar: market.nT });
    const lf = last.outputs.fills;
    expect(lf.price[lf.n - 1]).toBe(90);
  });
});

describe('decision: the governor leaves risk_off when the benchmark recovers (shadow NAV)', () => {
  it('a flat book exits risk_off after the dwell once SPY has recovered, before the re-entry timeout', () => {
    const crash = 6;
    const market = handMarket({
      symbols: ['SPY', 'AAA'],
      open: (t, a) => (a === 0 ? 100 * 1.02 ** Math.max(0, t - crash) : t > crash ? 70 : 100),
      close: (t, a) => (a === 0 ? 100 * 1.02 ** Math.max(0, t - crash) : t >= crash ? 70 : 100),
      volume: () => 1e7,
      target: (_t, a) => (a === 1 ? 0.9 : 0),
      benchmarkAsset: 0,
    }).market;
    const risk = {
      thresholds: { conservative: 0.05, riskOff: 0.1 },
      hysteresis: { conservativeExit: 0.02, riskOffExit: 0.05 },
      dwell: { conservativeBars: 1, riskOffBars: 3 },
      reentry: { maxRiskOffBars: 30 },
    };
    const { outputs } = sim(initialSimState(CAPITAL), {
      config: engineConfig(FREE, risk),
      market,
      startBar: 0,
      endBar: market.nT,
    });
    const reasons = outputs.transitions.map((x) => `${x.from}>${x.to}:${x.reason}`);
    expect(reasons.slice(0, 2)).toEqual([
      'normal>risk_off:drawdown_breach',
      'risk_off>conservative:shadow_recovered',
    ]);
    const exit = outputs.transitions[1]!;
    expect(exit.barIndex - outputs.transitions[0]!.barIndex).toBeLessThan(30);
    // the book re-enters at the next open
    expect(outputs.bars.grossExposure[exit.barIndex + 1]).toBeGreaterThan(0);
  });
});
