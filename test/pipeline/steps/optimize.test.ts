/**
 * The Optimize step writes each test month's inputs; Simulate reads them back (`readMonthInputs`), and the paper
 * tick's computation of a month prefix from the bars it loads (`computeMonthInputs` on the same dataset reads)
 * equals the file's rows bit for bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../../lib/backtest/spec.ts';
import { loadBarPanels } from '../../../lib/data/bar-panels.ts';
import { copyDataset } from '../../../lib/data/dataset.ts';
import { datasetPrefix } from '../../../lib/data/dataset-keys.ts';
import { openDataset } from '../../../lib/data/open-dataset.ts';
import { generateSyntheticMarket } from '../../../lib/data/synthetic/generate.ts';
import { BENCHMARK_SYMBOL } from '../../../lib/data/universe.ts';
import { warmupStartDate } from '../../../lib/features/build.ts';
import { decodeSparsePanel } from '../../../lib/pipeline/codecs/panel-files.ts';
import type { RunRef, WorkflowContext } from '../../../lib/pipeline/context.ts';
import { monthGrid } from '../../../lib/pipeline/month-grid.ts';
import { readPlan } from '../../../lib/pipeline/run-io.ts';
import { buildFeaturesStep } from '../../../lib/pipeline/steps/build-features.ts';
import { type OptimizeOutput, optimizeStep, readMonthInputs } from '../../../lib/pipeline/steps/optimize.ts';
import { prepare } from '../../../lib/pipeline/steps/prepare.ts';
import { trainScoreStep } from '../../../lib/pipeline/steps/train-score.ts';
import {
  computeMonthInputs,
  type MonthInputs,
  RISK_LOOKBACK_BARS,
  readMonthInputData,
} from '../../../lib/portfolio/month-inputs.ts';
import { runKeys } from '../../../lib/runs/keys.ts';
import { newRunRecord } from '../../../lib/runs/run-record.ts';
import { STEP_TEST_SYMBOLS } from '../../support/fixture-symbols.ts';
import { sp500Source } from '../../support/sp500.ts';

const TENANT = 'tenant-o';
const MONTH = '2023-07';

describe('Optimize step: month inputs', () => {
  let ctx: WorkflowContext;
  let ref: RunRef;
  let datasetId: string;
  const outputs = new Map<string, OptimizeOutput>();

  beforeAll(async () => {
    const staging = new MemoryObjectStore();
    const gen = await generateSyntheticMarket(
      { start: '2023-01-02', end: '2023-07-31', seed: 5, symbols: [...STEP_TEST_SYMBOLS] },
      sp500Source(),
      staging,
    );
    datasetId = gen.datasetId;
    const store = new MemoryObjectStore();
    await copyDataset(staging, '', store, datasetPrefix(datasetId));
    ctx = { store, runs: new MemoryRunStore(), nowMs: () => 1_700_000_000_000, codeVersion: 'optimize-test' };
    const spec = parseBacktestSpec({
      specVersion: 1,
      dataset: { id: datasetId },
      period: { start: '2023-06-14', end: '2023-07-31' },
      features: ['ret_1', 'ret_7', 'ret_35', 'vol_35'],
      model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 2, embargoBars: 7 } },
      seed: 4,
    });
    ref = { tenantId: TENANT, runId: 'run-o' };
    await ctx.store.putOnce(runKeys(TENANT, ref.runId).spec, new TextEncoder().encode(canonicalJson(spec)));
    await ctx.runs.create(
      newRunRecord({ ...ref, specHash: specHash(spec), datasetId, codeVersion: 'optimize-test', nowMs: 0 }),
    );
    const plan = await prepare(ctx, ref);
    for (const item of plan.featureMonths) await buildFeaturesStep(ctx, item);
    for (const item of plan.folds) await trainScoreStep(ctx, item);
    for (const item of plan.testMonths) outputs.set(item.month, await optimizeStep(ctx, item));
  }, 240_000);

  it('writes one file per test month; Simulate reads it back on the month grid at the chunk start', async () => {
    const plan = await readPlan(ctx, ref);
    const reader = await openDataset(ctx.store, datasetId);
    const symbols = reader.manifest.symbols;
    for (const chunk of plan.chunks) {
      const out = outputs.get(chunk.month)!;
      expect(out.key).toBe(runKeys(TENANT, ref.runId).monthInputs(chunk.month));
      const inputs = await readMonthInputs(ctx, ref, chunk.month, symbols);
      const grid = monthGrid(chunk.month, plan.period);
      expect(inputs.firstBar).toBe(chunk.startBar);
      expect(inputs.nHours).toBe(chunk.endBar - chunk.startBar);
      expect(out.hours).toBe(inputs.nHours);
      expect(Array.from(inputs.closeMs)).toEqual(Array.from(grid.closeMs));
      const spy = symbols.indexOf(BENCHMARK_SYMBOL);
      let eligible = 0;
      for (let h = 0; h < inputs.nHours; h++) {
        expect(inputs.eligible[h * inputs.nA + spy]).toBe(0);
        for (let a = 0; a < inputs.nA; a++) eligible += inputs.eligible[h * inputs.nA + a]!;
      }
      expect(out.eligible.mean).toBeCloseTo(eligible / inputs.nHours, 12);
      expect(out.eligible.min).toBeGreaterThan(0);
      expect(out.eligible.max).toBeLessThan(symbols.length);
      // the daily volatility reaches Simulate (the fill model's sqrt_vol impact)
      expect(inputs.dailyVol.some((v) => v > 0)).toBe(true);
    }
    await expect(readMonthInputs(ctx, ref, MONTH, [...symbols].reverse())).rejects.toThrow(/symbols/);
  });

  it("the paper tick's prefix of the month, computed from its own bar load, equals the file bit for bit", async () => {
    const spec = parseBacktestSpec(
      JSON.parse(new TextDecoder().decode(await ctx.store.get(runKeys(TENANT, ref.runId).spec))),
    );
    const plan = await readPlan(ctx, ref);
    const reader = await openDataset(ctx.store, datasetId);
    const file = await readMonthInputs(ctx, ref, MONTH);
    const grid = monthGrid(MONTH, plan.period);
    const nHours = 23;
    const lastDate = grid.sessions[grid.sessionOfBar[nHours - 1]!]!.date;
    // the tick loads bars through its hour's date and masks what comes after the hour
    const bars = await loadBarPanels(reader, warmupStartDate(`${MONTH}-01`, RISK_LOOKBACK_BARS), lastDate);
    const t = bars.grid.closeMs.indexOf(grid.closeMs[nHours - 1]!);
    expect(t).toBeGreaterThan(0);
    bars.close.fill(Number.NaN, (t + 1) * bars.nA);
    bars.volume.fill(Number.NaN, (t + 1) * bars.nA);
    const scores = await decodeSparsePanel(
      await ctx.store.get(runKeys(TENANT, ref.runId).scores(MONTH)),
      grid,
      bars.symbols,
      ['score'],
      Number.NaN,
      'scores',
    );
    const paper = computeMonthInputs(
      {
        spec: { ...spec, period: plan.period },
        bars,
        firstDate: `${MONTH}-01`,
        firstBar: file.firstBar,
        ...(await readMonthInputData(reader)),
      },
      scores.fields.score!.subarray(0, nHours * bars.nA),
      nHours,
    );
    expectPrefix(paper, file, nHours);
  });
});

function expectPrefix(x: MonthInputs, y: MonthInputs, nHours: number): void {
  const b = (v: ArrayBufferView, n = v.byteLength): Buffer => Buffer.from(v.buffer, v.byteOffset, n);
  expect(x.firstBar).toBe(y.firstBar);
  expect(x.barsPerYear).toBe(y.barsPerYear);
  for (const [p, q] of [
    [x.risk.loadings, y.risk.loadings],
    [x.risk.factorCov, y.risk.factorCov],
    [x.risk.specificVar, y.risk.specificVar],
    [x.sector, y.sector],
  ] as const) {
    expect(b(p).equals(b(q))).toBe(true);
  }
  const { nA, nSectors } = y;
  for (const [p, q, row] of [
    [x.closeMs, y.closeMs, 1],
    [x.alpha, y.alpha, nA],
    [x.eligible, y.eligible, nA],
    [x.advDollars, y.advDollars, nA],
    [x.dailyVol, y.dailyVol, nA],
    [x.sectorBench, y.sectorBench, nSectors],
  ] as const) {
    const n = nHours * row * p.BYTES_PER_ELEMENT;
    expect(b(p, n).equals(b(q, n))).toBe(true);
  }
}
