/**
 * Small runs for the report tests: the engine with the trade optimizer's decision on a seeded random market (or,
 * with `decider: 'targets'`, stepping toward the market's fixed targets), plus synthetic model diagnostics.
 */
import { initialSimState, type SimOutputs } from '../../lib/backtest/index.ts';
import { planFolds } from '../../lib/models/walk-forward.ts';
import {
  type DiagnosticsInput,
  type ReportArtifactInput,
  reportFolds,
  type SignalDiagnostics,
} from '../../lib/report/index.ts';
import { simulateTradeRun, tradeRun } from '../artifacts/fixtures.ts';
import { engineConfig, randomMarket, sim } from '../backtest/fixtures.ts';

export const CAPITAL = 1_000_000;
const SECTORS = ['Information Technology', 'Financials', 'Health Care', 'Energy', 'Industrials', 'Utilities'];

export function sectorMap(symbols: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  symbols.forEach((s, a) => {
    if (a > 0) out[s] = SECTORS[(a - 1) % SECTORS.length]!;
  });
  return out;
}

export function syntheticDiagnostics(
  folds: readonly { id: string; testStart: string; testEnd: string }[],
): SignalDiagnostics {
  return {
    schemaVersion: 1,
    horizonBars: 5,
    folds: folds.map((f, k) => ({
      foldId: f.id,
      testStart: f.testStart.slice(0, 10),
      testEnd: f.testEnd.slice(0, 10),
      ic: 0.02 + 0.01 * Math.sin(k),
      rankIc: 0.025 + 0.01 * Math.cos(k),
      observations: 140,
    })),
    deciles: { meanForwardReturn: Array.from({ length: 10 }, (_, i) => -0.001 + 0.0002 * i) },
    icDecay: [1, 2, 5, 10, 20, 35].map((h) => ({
      horizonBars: h,
      ic: 0.03 / Math.sqrt(h),
      rankIc: 0.035 / Math.sqrt(h),
    })),
    featureImportance: {
      method: 'GBDT total gain, mean over folds',
      features: ['mom_5', 'mom_20', 'rev_1', 'vol_20', 'pe_ratio', 'analyst_rev', 'sent_1d', 'adv_20'].map(
        (name, i) => ({
          name,
          importance: 100 / (i + 1),
        }),
      ),
    },
  };
}

export interface SmallRun {
  readonly input: ReportArtifactInput;
  readonly outputs: SimOutputs;
}

/** The target volatility band of the report runs' spec. */
export const TARGET_VOL = { low: 0.08, high: 0.12 };

type Simulated = {
  outputs: SimOutputs;
  grid: ReturnType<typeof randomMarket>['grid'];
  symbols: readonly string[];
};
const simulated = new Map<string, Simulated>();

/** `simulate`, once per set of arguments in a test file (the outputs are only read). */
function simulateOnce(...args: Parameters<typeof simulate>): Simulated {
  const key = JSON.stringify(args);
  let s = simulated.get(key);
  if (s === undefined) {
    s = simulate(...args);
    simulated.set(key, s);
  }
  return s;
}

/** The outputs of a run: the trade optimizer (default) or the target decider, the drawdown governor on. */
function simulate(
  decider: 'optimizer' | 'targets',
  seed: number,
  nA: number,
  start: string,
  end: string,
): Simulated {
  if (decider === 'optimizer') {
    const run = tradeRun({ seed, nA, start, end, risk: {}, portfolio: { targetVol: TARGET_VOL } });
    return {
      outputs: simulateTradeRun(run, initialSimState(CAPITAL)),
      grid: run.grid,
      symbols: run.market.symbols,
    };
  }
  const { grid, market } = randomMarket(seed, nA, start, end);
  const { outputs } = sim(initialSimState(CAPITAL), {
    config: engineConfig({}, {}, 0.5),
    market,
    startBar: 0,
    endBar: market.nT,
  });
  return { outputs, grid, symbols: market.symbols };
}

/** A run of `nA` names (SPY first) over [start, end] with the drawdown governor on. */
export function smallRun(
  opts: {
    seed?: number;
    nA?: number;
    start?: string;
    end?: string;
    diagnostics?: DiagnosticsInput | 'synthetic';
    sectors?: boolean;
    decider?: 'optimizer' | 'targets';
  } = {},
): SmallRun {
  const start = opts.start ?? '2024-01-02';
  const end = opts.end ?? '2024-06-28';
  const decider = opts.decider ?? 'optimizer';
  const { outputs, grid, symbols } = simulateOnce(decider, opts.seed ?? 5, opts.nA ?? 8, start, end);
  const folds = reportFolds(
    planFolds(start, end, `${Number(start.slice(0, 4)) - 1}${start.slice(4)}`, {
      trainMonths: 12,
      retrainEveryMonths: 1,
      embargoBars: 7,
      horizonBars: 5,
    }),
  );
  const diagnostics: DiagnosticsInput | undefined =
    opts.diagnostics === 'synthetic'
      ? { available: true, diagnostics: syntheticDiagnostics(folds) }
      : opts.diagnostics;
  const input: ReportArtifactInput = {
    outputs,
    grid,
    symbols,
    capital: CAPITAL,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_0123456789abcdef01234567',
    codeVersion: 'v-test',
    runId: 'run_01TEST',
    spec: {
      specVersion: 1,
      dataset: { name: 'demo' },
      period: { start, end },
      ...(decider === 'optimizer' ? { portfolio: { targetVol: TARGET_VOL } } : {}),
      note: '<script>alert(1)</script>',
    },
    ...(opts.sectors === false ? {} : { sectorBySymbol: sectorMap(symbols) }),
    ...(diagnostics ? { diagnostics } : {}),
    folds,
    timings: [
      { stage: 'prepare', seconds: 0.4 },
      { stage: 'simulate', seconds: 2.25 },
    ],
  };
  return { input, outputs };
}
