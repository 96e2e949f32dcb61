/**
 * Path properties of the engine: no look-ahead (future perturbation), truncation, and chunked == unchunked.
 *
 * The cut T is a bar index. Intact: every value of bars <= T (open, close, volume, spread, membership, target).
 * Garbled: every value of bars > T (bars deleted, invented and rescaled by `perturbAfter`; targets scrambled).
 * Invariant: every record of bars <= T — fills executed at the opens of bars <= T, NAV, cash, weights and the
 * risk state at closes <= T, the orders decided at T (the pending orders of the state after bar T). The fill at
 * the open of bar T+1 is NOT covered: it is bar T+1's first event and uses bar T+1's open price and volume (the
 * participation cap's liquidity), which are garbled; within a session that open is stamped exactly closeMs[T].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildArtifacts } from '../../lib/artifacts/index.ts';
import {
  type ChunkInput,
  concatOutputs,
  delistingEventsKnownAt,
  delistingsActedOn,
  initialSimState,
  marketFromPanels,
  parseBacktestSpec,
  parseSimState,
  type SimOutputs,
  simulateChunk,
  splitEventsFromActions,
  TradeDecider,
} from '../../lib/backtest/index.ts';
import { barIndexAtOrAfter } from '../../lib/core/calendar.ts';
import { Rng } from '../../lib/core/rng.ts';
import { loadBarPanels } from '../../lib/data/bar-panels.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { symbolsActiveBetween } from '../../lib/data/universe.ts';
import type { FeatureInputs } from '../../lib/features/context.ts';
import { perturbAfter } from '../../lib/lookahead/perturb.ts';
import { sp500Source } from '../support/sp500.ts';
import {
  engineConfig,
  randomMarket,
  sim,
  simInChunks,
  syntheticMonthInputs,
  type TestMarket,
} from './fixtures.ts';

const CAPITAL = 1_000_000;

/** Records of bars <= lastBar, as plain arrays (bit-exact comparison with toEqual on numbers incl. NaN). */
function upTo(out: SimOutputs, lastBar: number): Record<string, number[]> {
  const rec: Record<string, number[]> = {};
  for (const [group, cols] of [
    ['bars', out.bars],
    ['fills', out.fills],
    ['weights', out.weights],
    ['decisions', out.decisions],
    ['gaps', out.gaps],
  ] as const) {
    const keep: number[] = [];
    for (let i = 0; i < cols.n; i++) if (cols.bar[i]! <= lastBar) keep.push(i);
    for (const [k, v] of Object.entries(cols)) {
      if (k === 'n') continue;
      rec[`${group}.${k}`] = keep.map((i) => (v as ArrayLike<number>)[i]!);
    }
  }
  return rec;
}

function asFeatureInputs(m: TestMarket, grid: ReturnType<typeof randomMarket>['grid']): FeatureInputs {
  return {
    grid,
    anchorBar: 0,
    nA: m.nA,
    symbols: m.symbols,
    sector: new Int16Array(m.nA),
    member: m.member!,
    bars: {
      open: m.open,
      high: m.open,
      low: m.close,
      close: m.close,
      volume: m.volume,
      ...(m.spreadBps ? { spreadBps: m.spreadBps } : {}),
    },
    series: {},
    decisionLagMs: 0,
    benchmark: m.benchmarkAsset,
  };
}

describe('backtest engine: future-perturbation invariance', () => {
  it('garbling bars and targets after T leaves every fill, weight, NAV and order at or before T identical', () => {
    const { grid, market } = randomMarket(21);
    const config = engineConfig({ remainder: 'carry' }, {}, 0.5);
    const full = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: market.nT });
    for (const cut of [0, 17, 88, market.nT - 2]) {
      const p = perturbAfter(asFeatureInputs(market, grid), cut, { seed: cut + 1 });
      const rng = Rng.derive(cut, 'targets');
      const target = Float64Array.from(market.target, (w, i) =>
        i >= (cut + 1) * market.nA ? (rng.next() < 0.2 ? Number.NaN : rng.next() * 0.4) : w,
      );
      const perturbed: TestMarket = {
        ...market,
        open: p.bars.open,
        close: p.bars.close,
        volume: p.bars.volume,
        spreadBps: p.bars.spreadBps,
        member: p.member,
        target,
      };
      const other = sim(initialSimState(CAPITAL), {
        config,
        market: perturbed,
        startBar: 0,
        endBar: market.nT,
      });
      // the perturbation does change the future (so the comparison can fail)
      expect(upTo(other.outputs, market.nT)).not.toEqual(upTo(full.outputs, market.nT));
      expect(upTo(other.outputs, cut)).toEqual(upTo(full.outputs, cut));
      // the orders decided at T are those a run stopping at T leaves pending
      const stopA = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: cut + 1 });
      const stopB = sim(initialSimState(CAPITAL), {
        config,
        market: perturbed,
        startBar: 0,
        endBar: cut + 1,
      });
      expect(stopB.state).toEqual(stopA.state);
    }
  });

  it('the trade decision: garbling decision inputs, bars and delisting events after T leaves every record at or before T', () => {
    const { grid, market } = randomMarket(24, 9);
    const spec = parseBacktestSpec({
      specVersion: 1,
      dataset: { name: 'test' },
      period: { start: '2024-01-02', end: '2024-02-29' },
      portfolio: { maxWeight: 0.3, turnoverCap: 0.3 },
    });
    const config = engineConfig({ minTicketDollars: 1000 }, {});
    const month = syntheticMonthInputs(market, { seed: 3 });
    const chunk = (m: TestMarket, inputs: typeof month, endBar: number): ChunkInput => ({
      config: { execution: config.execution, risk: config.risk },
      market: { ...m, dailyVol: inputs.dailyVol },
      decider: new TradeDecider(spec, [inputs]),
      startBar: 0,
      endBar,
    });
    const full = simulateChunk(initialSimState(CAPITAL), chunk(market, month, market.nT));
    expect(full.outputs.decisions.status.every((s) => s < 3)).toBe(true);
    for (const cut of [0, 40, market.nT - 2]) {
      const nA = market.nA;
      const from = (cut + 1) * nA;
      const p = perturbAfter(asFeatureInputs(market, grid), cut, { seed: cut + 5 });
      const rng = Rng.derive(cut, 'month-inputs');
      const garbled = {
        ...month,
        alpha: Float64Array.from(month.alpha, (x, i) => (i >= from ? rng.normal() * 0.01 : x)),
        eligible: Uint8Array.from(month.eligible, (x, i) => (i >= from ? (rng.next() < 0.7 ? 1 : 0) : x)),
        advDollars: Float64Array.from(month.advDollars, (x, i) => (i >= from ? x * rng.next() : x)),
        dailyVol: Float64Array.from(month.dailyVol, (x, i) => (i >= from ? rng.next() * 0.05 : x)),
        sectorBench: Float64Array.from(month.sectorBench, (x, i) => (i >= (cut + 1) * 3 ? rng.next() : x)),
      };
      // delisting events that happened at or before T but are only known after T, and events after T
      const events = [
        { asset: 4, bar: cut, knownBar: cut + 1, lastPrice: 1 },
        { asset: 5, bar: Math.max(0, cut - 3), knownBar: cut + 2, lastPrice: Number.NaN },
        { asset: 6, bar: cut + 1, knownBar: cut + 1, lastPrice: 500 },
      ];
      const perturbed: TestMarket = {
        ...market,
        open: p.bars.open,
        close: p.bars.close,
        volume: p.bars.volume,
        spreadBps: p.bars.spreadBps,
        delistings: [...market.delistings, ...delistingsActedOn(events, 0, market.nT)].sort(
          (x, y) => x.bar - y.bar || x.asset - y.asset,
        ),
      };
      const other = simulateChunk(initialSimState(CAPITAL), chunk(perturbed, garbled, market.nT));
      expect(upTo(other.outputs, market.nT)).not.toEqual(upTo(full.outputs, market.nT));
      expect(upTo(other.outputs, cut)).toEqual(upTo(full.outputs, cut));
      // the orders decided at T are those a run stopping at T leaves pending
      const stopA = simulateChunk(initialSimState(CAPITAL), chunk(market, month, cut + 1));
      const stopB = simulateChunk(initialSimState(CAPITAL), chunk(perturbed, garbled, cut + 1));
      expect(stopB.state).toEqual(stopA.state);
    }
  });

  it('truncation: a run ending at T and one ending at T + Δ agree on everything up to T', () => {
    const { market } = randomMarket(22);
    const config = engineConfig({}, {}, 0.5);
    const long = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: market.nT });
    for (const T of [5, 60, 150]) {
      const short = sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: T + 1 });
      expect(upTo(short.outputs, T)).toEqual(upTo(long.outputs, T));
      // …and continuing the short run from its final state reproduces the long run exactly
      const rest = sim(parseSimState(JSON.parse(JSON.stringify(short.state))), {
        config,
        market,
        startBar: T + 1,
        endBar: market.nT,
      });
      expect(JSON.stringify(rest.state)).toBe(JSON.stringify(long.state));
    }
  });
});

const bytesOf = (out: SimOutputs, m: TestMarket, grid: ReturnType<typeof randomMarket>['grid']) =>
  buildArtifacts({
    outputs: out,
    grid,
    symbols: m.symbols,
    capital: CAPITAL,
    specHash: 'spec',
    datasetId: 'ds',
    codeVersion: 'test',
  }).map((a) => [a.name, Buffer.from(a.bytes).toString('base64')]);

describe('backtest engine: chunked == unchunked, byte for byte', () => {
  const { grid, market } = randomMarket(23, 7);
  const configs = [
    engineConfig({ remainder: 'carry', lotSize: 10 }, {}, 0.3),
    engineConfig(
      {},
      {
        thresholds: { conservative: 0.02, riskOff: 0.04 },
        hysteresis: { conservativeExit: 0.01, riskOffExit: 0.02 },
      },
      0.5,
    ),
  ];
  const whole = configs.map((config) =>
    sim(initialSimState(CAPITAL), { config, market, startBar: 0, endBar: market.nT }),
  );
  const wholeBytes = whole.map((w) => bytesOf(w.outputs, market, grid));

  it('any split into chunks gives the same final state and the same artifact bytes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 }),
        fc.uniqueArray(fc.integer({ min: 1, max: market.nT - 1 }), { maxLength: 12 }),
        (ci, cuts) => {
          const { state, chunks } = simInChunks(
            initialSimState(CAPITAL),
            configs[ci]!,
            market,
            market.nT,
            cuts.sort((a, b) => a - b),
            (json) => parseSimState(JSON.parse(json)),
          );
          expect(JSON.stringify(state)).toBe(JSON.stringify(whole[ci]!.state));
          expect(bytesOf(concatOutputs(chunks), market, grid)).toEqual(wholeBytes[ci]);
        },
      ),
      { numRuns: 25, seed: 4242 },
    );
    // the risk config's run did take risk transitions, so the governor's state crossed chunk boundaries
    expect(whole[1]!.outputs.transitions.length).toBeGreaterThan(0);
  });

  it('monthly chunks on a generated dataset equal the unchunked run (splits and delistings from the data)', async () => {
    const start = '2021-01-04';
    const end = '2021-03-31';
    const source = sp500Source();
    const active = symbolsActiveBetween(source.spells, start, end);
    const symbols = [...active.filter((_, i) => i % 60 === 0), 'SPY'];
    const store = new MemoryObjectStore();
    await generateSyntheticMarket(
      { start, end, seed: 7, symbols, leadInSessions: 5, splitRatePerYear: 3 },
      source,
      store,
    );
    const reader = await DatasetReader.open(store);
    const bars = await loadBarPanels(reader, start, end);
    const rng = Rng.derive(7, 'targets');
    const target = Float64Array.from({ length: bars.nT * bars.nA }, (_, i) =>
      bars.symbols[i % bars.nA] === 'SPY' ? 0 : rng.next() * (2 / bars.nA),
    );
    const actions = reader.manifest.series.includes('corporate_actions')
      ? await reader.readSeries('corporate_actions')
      : undefined;
    const market: TestMarket = {
      ...marketFromPanels({
        bars,
        splits: splitEventsFromActions(actions, bars.grid),
        delistings: delistingsActedOn(
          delistingEventsKnownAt(actions, bars.grid, bars.symbols, 0),
          0,
          bars.nT,
        ),
      }),
      target,
    };
    expect(market.benchmarkAsset).toBeGreaterThanOrEqual(0);
    const config = engineConfig({}, {}, 0.3, 0.1);
    const unchunked = sim(initialSimState(CAPITAL), {
      config,
      market,
      startBar: 0,
      endBar: market.nT,
    });
    const monthStarts = ['2021-02-01', '2021-03-01'].map((d) =>
      barIndexAtOrAfter(bars.grid, Date.parse(`${d}T15:00:00Z`)),
    );
    const chunked = simInChunks(initialSimState(CAPITAL), config, market, market.nT, monthStarts, (json) =>
      parseSimState(JSON.parse(json)),
    );
    expect(chunked.chunks).toHaveLength(3);
    expect(JSON.stringify(chunked.state)).toBe(JSON.stringify(unchunked.state));
    expect(bytesOf(concatOutputs(chunked.chunks), market, bars.grid)).toEqual(
      bytesOf(unchunked.outputs, market, bars.grid),
    );
    expect(unchunked.outputs.fills.n).toBeGreaterThan(100);
  });
});
