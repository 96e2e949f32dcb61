/**
 * Test markets for the engine: hand-written one-name cases and seeded random panels, with fixed targets that the
 * engine approaches through `targetDecider` (the decision port without an optimizer).
 */

import {
  type ChunkInput,
  type ChunkResult,
  type DelistingEvent,
  type EngineConfig,
  type EngineMarket,
  type SimOutputs,
  type SimState,
  type SplitEvent,
  simulateChunk,
  simulateInChunks,
  targetDecider,
} from '../../lib/backtest/index.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import type { BarGrid } from '../../lib/core/panel.ts';
import { Rng } from '../../lib/core/rng.ts';
import { ExecutionConfig, type ExecutionConfigInput } from '../../lib/execution/index.ts';
import type { MonthInputs } from '../../lib/portfolio/index.ts';
import { RiskConfig, type RiskConfigInput } from '../../lib/risk/index.ts';

/** No costs at all: fills are exact arithmetic on shares and prices. */
export const FREE: ExecutionConfigInput = {
  slippageBps: 0,
  halfSpreadBps: 0,
  useBarSpread: false,
  impact: { kind: 'sqrt', etaBps: 0 },
};

/** The engine's settings plus the target decider's (turnover cap, name cap). */
export interface TestConfig extends EngineConfig {
  readonly turnoverCap: number;
  readonly maxWeight: number;
}

/** Test settings; the no-trade rule is off (`minTicketDollars` 0) unless `execution` sets it. */
export function engineConfig(
  execution: ExecutionConfigInput = {},
  risk: RiskConfigInput = { enabled: false },
  turnoverCap = 4,
  maxWeight = 1,
): TestConfig {
  return {
    execution: ExecutionConfig.parse({ minTicketDollars: 0, ...execution }),
    risk: RiskConfig.parse(risk),
    turnoverCap,
    maxWeight,
  };
}

/** A test market: the engine's market plus the fixed targets (and membership) the target decider steps toward. */
export interface TestMarket extends EngineMarket {
  readonly target: Float64Array;
  readonly member?: Uint8Array | undefined;
}

export interface TestChunk {
  readonly config: TestConfig;
  readonly market: TestMarket;
  readonly startBar: number;
  readonly endBar: number;
}

/** The engine's input for a test chunk: the target decider over the market's targets. */
export function chunkOf(c: TestChunk): ChunkInput {
  const { config, market } = c;
  return {
    config: { execution: config.execution, risk: config.risk },
    market,
    decider: targetDecider({
      target: market.target,
      member: market.member,
      turnoverCap: config.turnoverCap,
      maxWeight: config.maxWeight,
    }),
    startBar: c.startBar,
    endBar: c.endBar,
  };
}

/** `simulateChunk` on a test chunk. */
export const sim = (state: SimState, c: TestChunk): ChunkResult => simulateChunk(state, chunkOf(c));

/** `simulateInChunks` on a test market (the target decider). */
export function simInChunks(
  state: SimState,
  config: TestConfig,
  market: TestMarket,
  end: number,
  boundaries: readonly number[] = [],
  reload?: (json: string) => SimState,
): { state: SimState; chunks: SimOutputs[] } {
  const { decider } = chunkOf({ config, market, startBar: 0, endBar: 0 });
  return simulateInChunks(
    state,
    { execution: config.execution, risk: config.risk },
    market,
    decider,
    end,
    boundaries,
    reload,
  );
}

export interface HandMarket {
  readonly start?: string;
  readonly end?: string;
  readonly symbols: readonly string[];
  readonly open: (t: number, a: number) => number;
  readonly close: (t: number, a: number) => number;
  readonly volume?: (t: number, a: number) => number;
  readonly target: (t: number, a: number) => number;
  readonly member?: (t: number, a: number) => boolean;
  readonly splits?: readonly SplitEvent[];
  readonly delistings?: readonly DelistingEvent[];
  readonly benchmarkAsset?: number;
}

/** A market on the NYSE grid of [start, end] (default one week, 35 bars) from per-cell functions. */
export function handMarket(h: HandMarket): { grid: BarGrid; market: TestMarket } {
  const grid = buildBarGrid(h.start ?? '2024-03-04', h.end ?? '2024-03-08');
  const nT = grid.nT;
  const nA = h.symbols.length;
  const open = new Float64Array(nT * nA);
  const close = new Float64Array(nT * nA);
  const volume = new Float64Array(nT * nA);
  const target = new Float64Array(nT * nA);
  const member = new Uint8Array(nT * nA);
  for (let t = 0; t < nT; t++) {
    for (let a = 0; a < nA; a++) {
      const k = t * nA + a;
      open[k] = h.open(t, a);
      close[k] = h.close(t, a);
      volume[k] = h.volume ? h.volume(t, a) : 1e7;
      target[k] = h.target(t, a);
      member[k] = h.member === undefined || h.member(t, a) ? 1 : 0;
    }
  }
  return {
    grid,
    market: {
      barOffset: 0,
      nT,
      nA,
      symbols: h.symbols,
      openMs: grid.openMs,
      closeMs: grid.closeMs,
      open,
      close,
      volume,
      target,
      member,
      splits: h.splits ?? [],
      delistings: h.delistings ?? [],
      benchmarkAsset: h.benchmarkAsset ?? -1,
    },
  };
}

/**
 * A seeded random market: `nA` names (SPY at index 0 as the benchmark), geometric random-walk prices with an
 * overnight gap, random volumes and spreads, a few missing bars, one 2-for-1 split, one 1-for-3 reverse split
 * and one delisting, and dense random targets (sum 0.95) that change every bar, some names out of the index.
 */
export function randomMarket(
  seed: number,
  nA = 6,
  start = '2024-01-02',
  end = '2024-02-29',
): { grid: BarGrid; market: TestMarket } {
  const rng = Rng.derive(seed, 'test/backtest/random-market');
  const grid = buildBarGrid(start, end);
  const nT = grid.nT;
  const symbols = ['SPY', ...Array.from({ length: nA - 1 }, (_, i) => `N${String(i).padStart(2, '0')}`)];
  const open = new Float64Array(nT * nA);
  const close = new Float64Array(nT * nA);
  const volume = new Float64Array(nT * nA);
  const spreadBps = new Float64Array(nT * nA);
  const target = new Float64Array(nT * nA);
  const member = new Uint8Array(nT * nA);
  const px = Float64Array.from({ length: nA }, () => 50 + 200 * rng.next());
  const splitA = 1 % nA;
  const revA = 2 % nA;
  const delA = 3 % nA;
  const splitBar = Math.floor(nT * 0.3);
  const revBar = Math.floor(nT * 0.55);
  const delBar = Math.floor(nT * 0.7);
  for (let t = 0; t < nT; t++) {
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      const k = t * nA + a;
      if (t === splitBar && a === splitA) px[a] = px[a]! / 2;
      if (t === revBar && a === revA) px[a] = px[a]! * 3;
      const gap = grid.barInSession[t] === 0 ? 0.01 * rng.normal() : 0;
      const o = px[a]! * Math.exp(gap);
      const c = o * Math.exp(0.01 * rng.normal());
      px[a] = c;
      const missing = (a === delA && t > delBar) || (a !== 0 && rng.next() < 0.01);
      open[k] = missing ? Number.NaN : o;
      close[k] = missing ? Number.NaN : c;
      volume[k] = missing ? Number.NaN : Math.round(2e3 + 5e4 * rng.next());
      spreadBps[k] = missing ? Number.NaN : 2 + 10 * rng.next();
      member[k] = a !== 0 && rng.next() > 0.05 ? 1 : 0;
      const w = a === 0 ? 0 : rng.next() < 0.2 ? Number.NaN : rng.next();
      target[k] = w;
      if (!Number.isNaN(w)) sum += w;
    }
    for (let a = 0; a < nA; a++) {
      const k = t * nA + a;
      if (!Number.isNaN(target[k]!) && sum > 0) target[k] = (target[k]! / sum) * 0.95;
    }
  }
  return {
    grid,
    market: {
      barOffset: 0,
      nT,
      nA,
      symbols,
      openMs: grid.openMs,
      closeMs: grid.closeMs,
      open,
      close,
      volume,
      spreadBps,
      target,
      member,
      splits: [
        { bar: splitBar, asset: splitA, ratio: 2 },
        { bar: revBar, asset: revA, ratio: 1 / 3 },
      ].sort((x, y) => x.bar - y.bar),
      delistings: [{ bar: delBar, asset: delA, price: Number.NaN }],
      benchmarkAsset: 0,
    },
  };
}

export interface MonthInputsOptions {
  readonly seed?: number;
  /** Expected return scale per horizon (default 2e-3). */
  readonly alphaScale?: number;
  /** ADV in dollars per name (default 5e8: the ADV cap does not bind at test NAVs). */
  readonly advDollars?: number;
  /** Eligibility per (market row, asset); default every name but SPY (asset 0 when `benchmarkAsset` is 0). */
  readonly eligible?: (r: number, a: number) => boolean;
  /** α̂ per (market row, asset); default seeded noise, constant within a session. */
  readonly alpha?: (r: number, a: number) => number;
}

/**
 * Synthetic decision inputs covering every row of `market` (firstBar = `market.barOffset`): a 2-factor risk model per
 * 5-bar horizon (market σ_H 0.6%, about 11% a year; specific σ_H 1%), 3 sectors, seeded α̂, constant ADV, 1.5% daily
 * volatility.
 */
export function syntheticMonthInputs(market: EngineMarket, opts: MonthInputsOptions = {}): MonthInputs {
  const { nT, nA } = market;
  const rng = Rng.derive(opts.seed ?? 1, 'test/backtest/month-inputs');
  const k = 2;
  const nSectors = 3;
  const loadings = new Float64Array(nA * k);
  const specificVar = new Float64Array(nA).fill(1e-4);
  const sector = new Int16Array(nA);
  for (let a = 0; a < nA; a++) {
    loadings[a * k] = 0.8 + 0.4 * rng.next();
    loadings[a * k + 1] = rng.normal() * 0.5;
    sector[a] = a % nSectors;
  }
  const alpha = new Float64Array(nT * nA);
  const eligible = new Uint8Array(nT * nA);
  const scale = opts.alphaScale ?? 2e-3;
  const base = Float64Array.from({ length: nA }, () => rng.normal() * scale);
  for (let r = 0; r < nT; r++) {
    for (let a = 0; a < nA; a++) {
      const ok = opts.eligible ? opts.eligible(r, a) : a !== market.benchmarkAsset;
      eligible[r * nA + a] = ok ? 1 : 0;
      alpha[r * nA + a] = !ok
        ? Number.NaN
        : opts.alpha
          ? opts.alpha(r, a)
          : base[a]! + 0.5 * scale * Math.sin((r + 3 * a) / 7);
    }
  }
  const sectorBench = new Float64Array(nT * nSectors).fill(1 / nSectors);
  return {
    firstBar: market.barOffset,
    nHours: nT,
    nA,
    closeMs: market.closeMs.slice(),
    horizonBars: 5,
    barsPerYear: 1764,
    risk: {
      nA,
      k,
      loadings,
      factorCov: Float64Array.of(3.6e-5, 0, 0, 1e-5),
      specificVar,
    },
    sector,
    nSectors,
    alpha,
    eligible,
    advDollars: new Float64Array(nT * nA).fill(opts.advDollars ?? 5e8),
    dailyVol: new Float64Array(nT * nA).fill(0.015),
    sectorBench,
  };
}
