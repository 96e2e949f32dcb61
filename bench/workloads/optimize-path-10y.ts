/**
 * optimize-path-10y: ten years of hourly decisions (17,640 bars) through the holdings-aware trade optimizer
 * (lib/portfolio/trade), each solve warm-started from the previous hour: 500 names, 15 factors (market + 11 sectors
 * + 3 statistical) refreshed monthly (every 147 bars) as a perturbation of the previous model; AR(1) scores
 * (persistence 0.97 per bar); caps (10% and ADV) moving daily; holdings = the previous solution drifted by returns
 * drawn from the factor model; two-way turnover cap; volatility ceiling (8% annualised, binding about 60% of hours)
 * and floor (5%); soft sector bands; linear costs and square-root impact (κ_i = η σ_daily,i √(NAV/ADV_i)). The path
 * runs twice, with the turnover cap at 0.02 and at 0.1 (separate optimizers and states); the harness's time covers
 * both paths, and `extra` has per-path totals, per-solve wall time p50/p99/max, CPU time, iterations, binding shares and failures.
 *
 * Peer: HiGHS on the dense-covariance QP for 50 sampled hours of the 0.02 path, on the same instances without the
 * impact term, stated with μ = our ceiling multiplier (the Lagrangian form whose optimum is the constrained one; one
 * QP per hour). Our objective on the same impact-free instance (a separate cold optimizer) is compared with it.
 */
import { Rng } from '../../lib/core/rng.ts';
import type { QpInstance, QpModel } from '../../lib/portfolio/index.ts';
import { type TradeInstance, TradeOptimizer } from '../../lib/portfolio/trade/index.ts';
import { loadHighs } from '../../test/portfolio/load-highs.ts';
import { denseCovariance, realisticCase } from '../../test/portfolio/qp-fixtures.ts';
import {
  denseObjective,
  oracleLowerBound,
  type TradeCase,
} from '../../test/portfolio/trade/trade-fixtures.ts';
import type { Workload } from '../workload.ts';

const N_HOURS = 17_640;
const N_NAMES = 500;
const REFRESH_BARS = 147;
const BARS_PER_YEAR = 1764;
const BARS_PER_DAY = 7;
const N_SAMPLES = 50;
const SAMPLE_EVERY = Math.floor(N_HOURS / N_SAMPLES);
const TURNOVER_CAPS = [0.02, 0.1] as const;

interface Sample {
  readonly t: number;
  readonly model: QpModel;
  readonly inst: TradeInstance;
  readonly mu: number;
}

interface State {
  readonly models: QpModel[];
  readonly base: QpInstance;
  readonly linearCost: Float64Array;
  readonly impactCoef: Float64Array;
  /** Sampled instances of the 0.02 path (filled by the timed run) for the peer. */
  samples: Sample[];
  ours: { p50Ms: number };
}

function setup(): State {
  const rng = Rng.fromSeed(2015);
  const c = realisticCase(rng, N_NAMES);
  const models: QpModel[] = [];
  let prev = c.model;
  for (let m = 0; m < Math.ceil(N_HOURS / REFRESH_BARS); m++) {
    const k = prev.k;
    const loadings = Float64Array.from(prev.loadings, (v, j) =>
      j % k === 0 || j % k > 11 ? v + 0.02 * rng.normal() : v,
    );
    const volScale = Math.exp(0.05 * rng.normal());
    const factorCov = Float64Array.from(prev.factorCov, (v) => v * volScale);
    const specificVar = Float64Array.from(prev.specificVar, (v) => v * Math.exp(0.05 * rng.normal()));
    prev = { ...prev, loadings, factorCov, specificVar };
    models.push(prev);
  }
  // costs: 3–10 bp per unit traded; impact from ADV ($20M–$5B) at NAV $200M, η = 0.1, σ_daily from the model
  const linearCost = new Float64Array(N_NAMES);
  const impactCoef = new Float64Array(N_NAMES);
  const m0 = models[0] as QpModel;
  for (let i = 0; i < N_NAMES; i++) {
    linearCost[i] = 3e-4 + 7e-4 * rng.next();
    const adv = 2e7 * Math.exp(5.5 * rng.next());
    let varBar = m0.specificVar[i] as number;
    for (let a = 0; a < m0.k; a++) {
      for (let b = 0; b < m0.k; b++) {
        varBar +=
          (m0.loadings[i * m0.k + a] as number) *
          (m0.factorCov[a * m0.k + b] as number) *
          (m0.loadings[i * m0.k + b] as number);
      }
    }
    impactCoef[i] = 0.1 * Math.sqrt(BARS_PER_DAY * varBar) * Math.sqrt(2e8 / adv);
  }
  return { models, base: c.instance, linearCost, impactCoef, samples: [], ours: { p50Ms: Number.NaN } };
}

/** Cholesky factor (lower, row-major) of a k×k PSD matrix, for drawing factor returns. */
function cholesky(F: Float64Array, k: number): Float64Array {
  const L = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = F[j * k + j] as number;
    for (let p = 0; p < j; p++) d -= (L[j * k + p] as number) ** 2;
    const ljj = Math.sqrt(Math.max(d, 0));
    L[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = F[i * k + j] as number;
      for (let p = 0; p < j; p++) v -= (L[i * k + p] as number) * (L[j * k + p] as number);
      L[i * k + j] = ljj > 0 ? v / ljj : 0;
    }
  }
  return L;
}

interface PathStats {
  readonly solves: number;
  readonly totalSolveSeconds: number;
  readonly cpuSeconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly cpuP50Ms: number;
  readonly cpuP99Ms: number;
  readonly failures: number;
  readonly statuses: Record<string, number>;
  readonly admmSolves: number;
  readonly meanNewtonSteps: number;
  readonly turnoverBindingShare: number;
  readonly ceilingBindingShare: number;
  readonly floorMissed: number;
  readonly meanTurnover: number;
  readonly meanGross: number;
  readonly meanAnnualVol: number;
}

function quantile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** One ten-year path at one turnover cap; samples the instances for the peer when `samples` is given. */
function runPath(state: State, turnoverCap: number, samples: Sample[] | undefined): PathStats {
  const rng = Rng.fromSeed(42);
  const n = N_NAMES;
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = 5e-4 * rng.normal();
  const upper = Float64Array.from(state.base.upper);
  const w0 = new Float64Array(n).fill(1 / n);
  const opt = new TradeOptimizer();
  const volScale = Math.sqrt(BARS_PER_YEAR);
  const ms = new Float64Array(N_HOURS);
  const cpuMs = new Float64Array(N_HOURS);
  const statuses: Record<string, number> = {};
  let failures = 0;
  let admmSolves = 0;
  let newtonSteps = 0;
  let turnoverBinding = 0;
  let ceilingBinding = 0;
  let floorMissed = 0;
  let sumTurnover = 0;
  let sumGross = 0;
  let sumVol = 0;
  let model = state.models[0] as QpModel;
  let L = cholesky(model.factorCov, model.k);
  const fz = new Float64Array(model.k);
  const f = new Float64Array(model.k);
  const rho = 0.97;
  const innov = 5e-4 * Math.sqrt(1 - rho * rho);
  for (let t = 0; t < N_HOURS; t++) {
    for (let i = 0; i < n; i++) alpha[i] = rho * (alpha[i] as number) + innov * rng.normal();
    if (t % BARS_PER_DAY === 0) {
      for (let j = 0; j < 5; j++) {
        const i = rng.int(n);
        upper[i] = rng.next() < 0.1 ? 0 : Math.min(0.1, 0.02 + 0.2 * rng.next());
      }
    }
    const refresh = t % REFRESH_BARS === 0;
    if (refresh) {
      model = state.models[Math.floor(t / REFRESH_BARS)] as QpModel;
      L = cholesky(model.factorCov, model.k);
    }
    const inst: TradeInstance = {
      alpha,
      w0,
      upper,
      gross: 1,
      turnoverCap,
      linearCost: state.linearCost,
      impactCoef: state.impactCoef,
      sectorBench: state.base.sectorBench as Float64Array,
      sectorBand: 0.03,
      sectorPenalty: 0.05,
      volCeiling: 0.08 / volScale,
      volFloor: 0.05 / volScale,
      riskAversion: 100,
      tradeAversion: 1,
    };
    const c0 = process.cpuUsage();
    const s = performance.now();
    if (refresh) {
      opt.setRiskModel(model, { sector: model.sector as Int16Array, nSectors: model.nSectors as number });
    }
    const r = opt.solve(inst);
    ms[t] = performance.now() - s;
    const c1 = process.cpuUsage(c0);
    cpuMs[t] = (c1.user + c1.system) / 1000;
    if (!r.ok) {
      failures++;
      statuses[r.reason] = (statuses[r.reason] ?? 0) + 1;
    } else {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.iterations > 0) admmSolves++;
      newtonSteps += r.newtonSteps;
      if (r.binding.turnover) turnoverBinding++;
      if (r.binding.volCeiling) ceilingBinding++;
      if (!r.binding.volFloorReached) floorMissed++;
      sumTurnover += r.turnover;
      sumVol += r.exAnteVol * volScale;
      if (samples !== undefined && t % SAMPLE_EVERY === 0) {
        samples.push({
          t,
          model,
          inst: { ...inst, alpha: alpha.slice(), w0: w0.slice(), upper: upper.slice() },
          mu: r.multipliers.variance,
        });
      }
      w0.set(r.weights);
    }
    // drift: one bar of returns from the factor model, cash earns 0
    for (let a = 0; a < model.k; a++) fz[a] = rng.normal();
    for (let a = 0; a < model.k; a++) {
      let v = 0;
      for (let b = 0; b <= a; b++) v += (L[a * model.k + b] as number) * (fz[b] as number);
      f[a] = v;
    }
    let port = 0;
    let gross = 0;
    for (let i = 0; i < n; i++) {
      let ri = Math.sqrt(model.specificVar[i] as number) * rng.normal();
      for (let a = 0; a < model.k; a++) ri += (model.loadings[i * model.k + a] as number) * (f[a] as number);
      const wi = w0[i] as number;
      w0[i] = wi * (1 + ri);
      port += wi * ri;
      gross += wi;
    }
    sumGross += gross;
    for (let i = 0; i < n; i++) w0[i] = (w0[i] as number) / (1 + port);
  }
  const sorted = Float64Array.from(ms).sort();
  const cpuSorted = Float64Array.from(cpuMs).sort();
  const ok = N_HOURS - failures;
  return {
    solves: N_HOURS,
    totalSolveSeconds: ms.reduce((a, b) => a + b, 0) / 1000,
    cpuSeconds: cpuMs.reduce((a, b) => a + b, 0) / 1000,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] as number,
    cpuP50Ms: quantile(cpuSorted, 0.5),
    cpuP99Ms: quantile(cpuSorted, 0.99),
    failures,
    statuses,
    admmSolves,
    meanNewtonSteps: newtonSteps / Math.max(ok, 1),
    turnoverBindingShare: turnoverBinding / Math.max(ok, 1),
    ceilingBindingShare: ceilingBinding / Math.max(ok, 1),
    floorMissed,
    meanTurnover: sumTurnover / Math.max(ok, 1),
    meanGross: sumGross / N_HOURS,
    meanAnnualVol: sumVol / Math.max(ok, 1),
  };
}

export const workload: Workload<State> = {
  name: 'optimize-path-10y',
  description:
    '2 × 17,640 sequential warm-started trade solves with holdings (500 names, 15 factors, turnover cap 0.02 and 0.1, vol ceiling and floor, sector bands, impact); peer HiGHS on 50 sampled hours without impact',
  runs: 3,
  noWarmup: true,
  setup,
  run({ state }) {
    const samples: Sample[] = [];
    const byCap: Record<string, PathStats> = {};
    for (const cap of TURNOVER_CAPS)
      byCap[`turnoverCap${cap}`] = runPath(state, cap, cap === 0.02 ? samples : undefined);
    state.samples = samples;
    const main = byCap['turnoverCap0.02'] as PathStats;
    state.ours.p50Ms = main.p50Ms;
    return { ...byCap };
  },
  peer: {
    name: 'highs-dense-qp-no-impact',
    async run({ state }) {
      const highs = await loadHighs();
      const times: number[] = [];
      let errors = 0;
      let maxGap = 0;
      let cachedModel: QpModel | undefined;
      let S: Float64Array = new Float64Array(0);
      const ours = new TradeOptimizer();
      for (const s of state.samples) {
        if (s.model !== cachedModel) {
          cachedModel = s.model;
          S = denseCovariance(s.model);
        }
        const inst: TradeInstance = { ...s.inst, impactCoef: new Float64Array(N_NAMES) };
        const c: TradeCase = {
          model: s.model,
          sectors: { sector: s.model.sector as Int16Array, nSectors: s.model.nSectors as number },
          inst,
        };
        ours.setRiskModel(s.model, c.sectors);
        const r = ours.solve(inst, { warmStart: false });
        if (!r.ok) continue;
        const tauEff = inst.turnoverCap + r.turnoverRelaxedBy;
        const varCap = r.volCeilingUsed ** 2;
        const t0 = performance.now();
        const o = oracleLowerBound(
          highs,
          c,
          S,
          r.multipliers.variance,
          Number.isFinite(varCap) ? varCap : 0,
          tauEff,
        );
        times.push(performance.now() - t0);
        if (o.status !== 'optimal') {
          errors++;
          continue;
        }
        const fo = denseObjective(c, S, r.weights);
        maxGap = Math.max(maxGap, (fo - o.lowerBound) / Math.max(Math.abs(o.lowerBound), 1e-12));
      }
      times.sort((a, b) => a - b);
      const med = times[times.length >> 1] as number;
      return {
        sampledSolves: times.length,
        medianMs: med,
        p99Ms: times[Math.min(times.length - 1, Math.floor(0.99 * times.length))],
        errorsOrNotOptimal: errors,
        maxRelObjectiveGapOursMinusHighs: maxGap,
        ratioHighsMedianToOursP50: med / state.ours.p50Ms,
      };
    },
  },
};
