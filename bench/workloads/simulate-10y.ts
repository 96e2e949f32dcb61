/**
 * The whole simulation engine over ten years: 17,640 hourly bars × 500 names with dense targets that change every
 * bar (every name trades every bar), the optimizer excluded. `run` times `simulateChunk` over 120 chunks of 147 bars
 * (about a month each, as the workflow runs it), the state passed between chunks through JSON and its zod
 * validation: splits, fills at the next open with costs and the participation cap, marks, NAV, the drawdown
 * governor, risk scaling, the turnover cap, orders, the SPY benchmark and all records (ledger, fills, sparse
 * weights). Target: ≤ 200 ms on one thread.
 */
import {
  type EngineConfig,
  EngineContext,
  type EngineMarket,
  type HourDecider,
  initialSimState,
  parseSimState,
  type SimState,
  simulateChunk,
  targetDecider,
} from '../../lib/backtest/index.ts';
import { Rng } from '../../lib/core/rng.ts';
import { ExecutionConfig } from '../../lib/execution/index.ts';
import { RiskConfig } from '../../lib/risk/index.ts';
import type { Workload } from '../workload.ts';

const N_BARS = 17_640;
const N_NAMES = 500;
const CHUNK_BARS = 147;
const CAPITAL = 100_000_000;
const SEED = 20_240_602;

function makeMarket(nT: number, nA: number, seed: number): EngineMarket & { target: Float32Array } {
  const rng = Rng.derive(seed, 'bench/simulate-10y');
  const size = nT * nA;
  const open = new Float64Array(size);
  const close = new Float64Array(size);
  const volume = new Float64Array(size);
  const spreadBps = new Float64Array(size);
  const target = new Float32Array(size);
  const price = new Float64Array(nA);
  const sigma = new Float64Array(nA);
  const adv = new Float64Array(nA);
  const base = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    price[a] = 20 + 480 * rng.next();
    sigma[a] = (0.01 + 0.02 * rng.next()) / Math.sqrt(7);
    adv[a] = 5e4 + 2e6 * rng.next();
    base[a] = 0.5 + rng.next();
  }
  const openMs = new Float64Array(nT);
  const closeMs = new Float64Array(nT);
  for (let t = 0; t < nT; t++) {
    openMs[t] = 1_420_000_000_000 + t * 3_600_000;
    closeMs[t] = openMs[t]! + 3_600_000;
    const row = t * nA;
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      const o = price[a]! * Math.exp(0.2 * sigma[a]! * rng.normal());
      const c = o * Math.exp(sigma[a]! * rng.normal() - 0.5 * sigma[a]! * sigma[a]!);
      price[a] = c;
      open[row + a] = o;
      close[row + a] = c;
      volume[row + a] = Math.round(adv[a]! * Math.exp(0.5 * rng.normal()));
      spreadBps[row + a] = 1 + 8 * rng.next();
      const w = base[a]! * (1 + 0.3 * (rng.next() - 0.5));
      target[row + a] = w;
      sum += w;
    }
    for (let a = 0; a < nA; a++) target[row + a] = (target[row + a]! / sum) * 0.98;
  }
  const symbols = Array.from({ length: nA }, (_, a) => (a === 0 ? 'SPY' : `S${String(a).padStart(3, '0')}`));
  // a split every ~40 bars somewhere, and a handful of delistings near the end
  const splits = [];
  for (let t = 100; t < nT; t += 40) splits.push({ bar: t, asset: 1 + (t % (nA - 1)), ratio: 2 });
  return {
    barOffset: 0,
    nT,
    nA,
    symbols,
    openMs,
    closeMs,
    open,
    close,
    volume,
    spreadBps,
    target,
    splits,
    delistings: [],
    benchmarkAsset: 0,
  };
}

// Variants for comparison (the default is the workflow's): SIM_BENCH_FRESH=1 allocates every chunk's records
// afresh (no EngineContext), SIM_BENCH_NO_JSON=1 passes the state object between chunks without the JSON round trip.
const reuseContext = process.env.SIM_BENCH_FRESH !== '1';
const jsonState = process.env.SIM_BENCH_NO_JSON !== '1';

interface State {
  readonly market: EngineMarket;
  readonly config: EngineConfig;
  readonly decider: HourDecider;
}

export const workload: Workload<State> = {
  name: 'simulate-10y',
  description:
    'the simulation engine: 17,640 hourly bars × 500 names, dense targets changing every bar, 120 chunks with JSON state (no optimizer)',
  runs: 5,
  setup: () => {
    const market = makeMarket(N_BARS, N_NAMES, SEED);
    return {
      market,
      config: { execution: ExecutionConfig.parse({}), risk: RiskConfig.parse({}) },
      decider: targetDecider({ target: market.target, turnoverCap: 2, maxWeight: 0.1 }),
    };
  },
  run: ({ state }) => {
    const { market, config, decider } = state;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    // one context for the run, as a process (or a warm Lambda) running chunk after chunk keeps it
    const ctx = reuseContext ? new EngineContext() : undefined;
    let s: SimState = initialSimState(CAPITAL);
    let fills = 0;
    let weightRows = 0;
    let cost = 0;
    let chunks = 0;
    for (let b = 0; b < market.nT; b += CHUNK_BARS) {
      const r = simulateChunk(
        s,
        { config, market, decider, startBar: b, endBar: Math.min(market.nT, b + CHUNK_BARS) },
        ctx,
      );
      fills += r.outputs.fills.n;
      weightRows += r.outputs.weights.n;
      for (let i = 0; i < r.outputs.bars.n; i++)
        cost +=
          r.outputs.bars.slippageCost[i]! + r.outputs.bars.spreadCost[i]! + r.outputs.bars.impactCost[i]!;
      s = jsonState ? parseSimState(JSON.parse(JSON.stringify(r.state))) : r.state;
      chunks++;
    }
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    return {
      ms,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      reuseContext,
      jsonState,
      bars: market.nT,
      names: market.nA,
      chunks,
      fills,
      weightRows,
      fillsPerSecond: Math.round(fills / (ms / 1000)),
      totalCost: cost,
      finalNav: s.prevNav,
      riskTransitions: s.counters.transitions,
      targetMs: 200,
    };
  },
};
