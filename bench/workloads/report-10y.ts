/**
 * report.html of a ten-year run: 2015-01-02 … 2024-12-31 on the NYSE hourly grid (17,6xx bars), 100 names in the
 * 11 GICS sectors plus SPY, targets that rotate every session, the drawdown governor on, signal diagnostics for
 * 120 monthly folds. `setup` runs the engine once; `run` times `buildReportArtifact` (payloads, SVG, HTML) and
 * records the report's size, which should stay under ~2 MB.
 */
import {
  type EngineMarket,
  initialSimState,
  type SimOutputs,
  simulateChunk,
  targetDecider,
} from '../../lib/backtest/index.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import type { BarGrid } from '../../lib/core/panel.ts';
import { Rng } from '../../lib/core/rng.ts';
import { GICS_SECTORS } from '../../lib/data/universe.ts';
import { ExecutionConfig } from '../../lib/execution/index.ts';
import {
  buildReportArtifact,
  buildReportPayloads,
  type ReportArtifactInput,
} from '../../lib/report/index.ts';
import { RiskConfig } from '../../lib/risk/index.ts';
import type { Workload } from '../workload.ts';

const START = '2015-01-02';
const END = '2024-12-31';
const N_NAMES = 100;
const CAPITAL = 100_000_000;
const SEED = 20_250_101;

function market(grid: BarGrid): EngineMarket & { target: Float64Array; member: Uint8Array } {
  const rng = Rng.derive(SEED, 'bench/report-10y');
  const nT = grid.nT;
  const nA = N_NAMES + 1;
  const open = new Float64Array(nT * nA);
  const close = new Float64Array(nT * nA);
  const volume = new Float64Array(nT * nA).fill(5e6);
  const target = new Float64Array(nT * nA);
  const member = new Uint8Array(nT * nA);
  const px = Float64Array.from({ length: nA }, () => 50 + 150 * rng.next());
  const chosen = new Float64Array(nA);
  for (let t = 0; t < nT; t++) {
    if (grid.barInSession[t] === 0) {
      // a new book of 30 names every session
      chosen.fill(0);
      for (let k = 0; k < 30; k++) chosen[1 + Math.floor(rng.next() * N_NAMES)] = 1;
    }
    let sum = 0;
    for (let a = 1; a < nA; a++) sum += chosen[a]!;
    const common = 0.004 * rng.normal();
    for (let a = 0; a < nA; a++) {
      const k = t * nA + a;
      const o = px[a]!;
      const c = o * Math.exp(0.0002 + common + (a === 0 ? 0 : 0.006 * rng.normal()));
      px[a] = c;
      open[k] = o;
      close[k] = c;
      member[k] = a === 0 ? 0 : 1;
      target[k] = a === 0 || sum === 0 ? 0 : (chosen[a]! / sum) * 0.95;
    }
  }
  return {
    barOffset: 0,
    nT,
    nA,
    symbols: ['SPY', ...Array.from({ length: N_NAMES }, (_, i) => `S${String(i).padStart(3, '0')}`)],
    openMs: grid.openMs,
    closeMs: grid.closeMs,
    open,
    close,
    volume,
    target,
    member,
    splits: [],
    delistings: [],
    benchmarkAsset: 0,
  };
}

function input(): ReportArtifactInput {
  const grid = buildBarGrid(START, END);
  const m = market(grid);
  const { outputs }: { outputs: SimOutputs } = simulateChunk(initialSimState(CAPITAL), {
    config: { execution: ExecutionConfig.parse({}), risk: RiskConfig.parse({}) },
    market: m,
    decider: targetDecider({ target: m.target, member: m.member, turnoverCap: 0.5, maxWeight: 0.1 }),
    startBar: 0,
    endBar: m.nT,
  });
  const sectorBySymbol: Record<string, string> = {};
  m.symbols.forEach((s, a) => {
    if (a > 0) sectorBySymbol[s] = GICS_SECTORS[a % GICS_SECTORS.length]!;
  });
  const months: string[] = [];
  for (let y = 2015; y <= 2024; y++)
    for (let mo = 1; mo <= 12; mo++) months.push(`${y}-${String(mo).padStart(2, '0')}`);
  return {
    outputs,
    grid,
    symbols: m.symbols,
    capital: CAPITAL,
    specHash: '0'.repeat(64),
    datasetId: 'ds_000000000000000000000000',
    codeVersion: 'bench',
    runId: 'run_BENCH10Y',
    spec: { specVersion: 1, period: { start: START, end: END } },
    sectorBySymbol,
    diagnostics: {
      available: true,
      diagnostics: {
        schemaVersion: 1,
        horizonBars: 5,
        folds: months.map((mo, k) => ({
          foldId: `fold-${String(k).padStart(3, '0')}`,
          testStart: `${mo}-01`,
          testEnd: `${mo}-28`,
          ic: 0.02 * Math.sin(k / 5),
          rankIc: 0.02 * Math.cos(k / 7),
          observations: 147,
        })),
        deciles: { meanForwardReturn: Array.from({ length: 10 }, (_, i) => 0.0002 * (i - 4.5)) },
        icDecay: [1, 5, 10, 20, 35].map((h) => ({
          horizonBars: h,
          ic: 0.02 / Math.sqrt(h),
          rankIc: 0.025 / Math.sqrt(h),
        })),
        featureImportance: {
          method: 'synthetic',
          features: Array.from({ length: 40 }, (_, i) => ({ name: `feature_${i}`, importance: 1 / (i + 1) })),
        },
      },
    },
    timings: [{ stage: 'simulate', seconds: 1 }],
  };
}

export const workload: Workload<ReportArtifactInput> = {
  name: 'report-10y',
  description: 'report.html (payloads + SVG + HTML) of a 10-year hourly run of 100 names; size in extra',
  runs: 5,
  setup: () => input(),
  run: ({ state }) => {
    const bytes = buildReportArtifact(state);
    const payloads = buildReportPayloads(state);
    return {
      reportBytes: bytes.length,
      payloadJsonBytes: JSON.stringify(payloads).length,
      bars: state.outputs.bars.n,
      equityPoints: payloads.equity.status === 'ok' ? payloads.equity.x.length : 0,
    };
  },
};
