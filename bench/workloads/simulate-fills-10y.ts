/**
 * Ten years of hourly execution and cash accounting: 17,640 bars × 500 names of dense orders (every name trades
 * every bar) through the fill model — participation cap, lots, costs, sells before buys, pro-rata buys — on one
 * thread. Market data and target weights are made once in `setup` from a seeded Rng; `run` times only the
 * hour loop: NAV at the decision bar, orders toward the target, fills at the next bar's open. Target: ≤ 200 ms.
 */
import { Rng } from '../../lib/core/rng.ts';
import { allocFillBuffers, ExecutionConfig, simulateFills } from '../../lib/execution/index.ts';
import type { Workload } from '../workload.ts';

const N_BARS = 17_640;
const N_NAMES = 500;
const CAPITAL = 100_000_000;
const SEED = 20_240_601;

interface State {
  readonly nT: number;
  readonly nA: number;
  readonly open: Float64Array;
  readonly volume: Float64Array;
  readonly spreadBps: Float64Array;
  /** Target weight per (bar, name), time-major; sums to 0.98 per bar. */
  readonly target: Float32Array;
}

function makeMarket(nT: number, nA: number, seed: number): State {
  const rng = Rng.derive(seed, 'bench/simulate-fills-10y');
  const open = new Float64Array(nT * nA);
  const volume = new Float64Array(nT * nA);
  const spreadBps = new Float64Array(nT * nA);
  const target = new Float32Array(nT * nA);
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
  for (let t = 0; t < nT; t++) {
    const row = t * nA;
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      const p = price[a]! * Math.exp(sigma[a]! * rng.normal() - 0.5 * sigma[a]! * sigma[a]!);
      price[a] = p;
      open[row + a] = p;
      volume[row + a] = Math.round(adv[a]! * Math.exp(0.5 * rng.normal()));
      spreadBps[row + a] = 1 + 8 * rng.next();
      const w = base[a]! * (1 + 0.3 * (rng.next() - 0.5));
      target[row + a] = w;
      sum += w;
    }
    for (let a = 0; a < nA; a++) target[row + a] = (target[row + a]! / sum) * 0.98;
  }
  return { nT, nA, open, volume, spreadBps, target };
}

export const workload: Workload<State> = {
  name: 'simulate-fills-10y',
  description:
    '17,640 hourly bars × 500 names of dense orders through the fill model and cash accounting (one thread)',
  runs: 5,
  setup: () => makeMarket(N_BARS, N_NAMES, SEED),
  run: ({ state }) => {
    const { nT, nA, open, volume, spreadBps, target } = state;
    const config = ExecutionConfig.parse({});
    const out = allocFillBuffers(nA);
    const positions = new Float64Array(nA);
    const orders = new Float64Array(nA);
    let cash = CAPITAL;
    let fills = 0;
    let costs = 0;
    let requested = 0;
    let filled = 0;
    const start = performance.now();
    for (let t = 0; t + 1 < nT; t++) {
      // Decision at bar t (marked at its open price here), execution at the open of bar t + 1.
      const row = t * nA;
      let nav = cash;
      for (let a = 0; a < nA; a++) nav += positions[a]! * open[row + a]!;
      for (let a = 0; a < nA; a++) orders[a] = (target[row + a]! * nav) / open[row + a]! - positions[a]!;
      const next = row + nA;
      const s = simulateFills(
        config,
        orders,
        {
          open: open.subarray(next, next + nA),
          volume: volume.subarray(next, next + nA),
          spreadBps: spreadBps.subarray(next, next + nA),
        },
        positions,
        cash,
        out,
      );
      cash = s.cashAfter;
      fills += s.nFills;
      costs += s.totalCost;
      requested += s.requestedNotional;
      filled += s.filledNotional;
    }
    const ms = performance.now() - start;
    const last = (nT - 1) * nA;
    let nav = cash;
    for (let a = 0; a < nA; a++) nav += positions[a]! * open[last + a]!;
    return {
      ms,
      bars: nT,
      names: nA,
      fills,
      fillsPerSecond: Math.round(fills / (ms / 1000)),
      fillRate: filled / requested,
      totalCost: costs,
      finalNav: nav,
      finalCash: cash,
      targetMs: 200,
    };
  },
};
