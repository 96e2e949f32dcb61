import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { PortfolioDiagnostics } from '../../lib/artifacts/index.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { copyDataset } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { decodeParquet } from '../../lib/data/parquet.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { sp500Source } from '../support/sp500.ts';

const SYMBOLS = [
  'AAPL',
  'MSFT',
  'NVDA',
  'AMZN',
  'GOOGL',
  'META',
  'JPM',
  'BAC',
  'WFC',
  'XOM',
  'CVX',
  'JNJ',
  'PFE',
  'MRK',
  'PG',
  'KO',
  'PEP',
  'WMT',
  'HD',
  'DIS',
  'CAT',
  'BA',
  'GE',
  'MMM',
  'IBM',
  'ORCL',
  'INTC',
  'CSCO',
  'T',
  'VZ',
  'SPY',
];

async function makeWorkflowFixture(): Promise<{ ctx: WorkflowContext; datasetId: string }> {
  const staging = new MemoryObjectStore();
  const gen = await generateSyntheticMarket(
    { start: '2023-01-02', end: '2023-08-31', seed: 21, symbols: SYMBOLS },
    sp500Source(),
    staging,
  );
  const store = new MemoryObjectStore();
  await copyDataset(staging, '', store, datasetPrefix(gen.datasetId));
  let now = 1_700_000_000_000;
  const ctx: WorkflowContext = {
    store,
    runs: new MemoryRunStore(),
    nowMs: () => (now += 1000),
    codeVersion: 'test',
  };
  return { ctx, datasetId: gen.datasetId };
}

async function submit(
  ctx: WorkflowContext,
  datasetId: string,
  runId: string,
  overrides: Record<string, unknown> = {},
) {
  const spec = parseBacktestSpec({
    specVersion: 1,
    dataset: { id: datasetId },
    period: { start: '2023-06-01', end: '2023-08-31' },
    features: [
      'ret_1',
      'ret_7',
      'ret_35',
      'vol_35',
      'sent_score',
      'sent_change_7',
      'analyst_revision_net',
      'fund_eps_surprise',
    ],
    model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 2, embargoBars: 7 } },
    capital: 10_000_000,
    seed: 3,
    ...overrides,
  });
  const tenantId = 'tenant-a';
  await ctx.store.putOnce(runKeys(tenantId, runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({
      tenantId,
      runId,
      specHash: specHash(spec),
      datasetId,
      codeVersion: ctx.codeVersion,
      nowMs: ctx.nowMs(),
    }),
  );
  return { tenantId, runId };
}

describe('workflow: runPipelineInProcess', () => {
  let fixture: Awaited<ReturnType<typeof makeWorkflowFixture>>;
  beforeAll(async () => {
    fixture = await makeWorkflowFixture();
  }, 120_000);

  it('runs a spec end to end: artifacts, manifest last, run SUCCEEDED with metrics', async () => {
    const { ctx, datasetId } = fixture;
    const ref = await submit(ctx, datasetId, 'run-1');
    const out = await runPipelineInProcess(ctx, ref);
    const record = await ctx.runs.get(ref.tenantId, ref.runId);
    expect(record.status).toBe('SUCCEEDED');
    expect(record.metricsSummary?.annualizationFactor).toBeGreaterThan(1700);
    const keys = runKeys(ref.tenantId, ref.runId);
    const manifest = JSON.parse(new TextDecoder().decode(await ctx.store.get(out.manifestKey)));
    const names = manifest.artifacts.map((a: { name: string }) => a.name);
    for (const n of [
      'equity_curve.parquet',
      'equity_curve.csv',
      'fills.csv',
      'weights.parquet',
      'metrics.json',
      'folds.json',
      'report.html',
      'targets.parquet',
      'targets.csv',
      'portfolio_diagnostics.json',
    ]) {
      expect(names).toContain(n);
    }
    const equity = await decodeParquet(await ctx.store.get(keys.artifact('equity_curve.parquet')));
    expect(equity.n).toBeGreaterThan(400); // June–August 2023 hourly bars
    const fills = new TextDecoder().decode(await ctx.store.get(keys.artifact('fills.csv')));
    expect(fills.split('\n').length).toBeGreaterThan(10); // the strategy traded
    const progress = record.stages;
    expect(progress.simulate).toMatchObject({ done: 3, total: 3 });
    // the decision records of the three Simulate chunks reach Finalize: one diagnostics hour per bar
    const diagnostics = PortfolioDiagnostics.parse(
      JSON.parse(new TextDecoder().decode(await ctx.store.get(keys.artifact('portfolio_diagnostics.json')))),
    );
    expect(diagnostics.hours).toHaveLength(equity.n);
    expect(diagnostics.summary.solvedHours).toBeGreaterThan(0);
    const targets = await decodeParquet(await ctx.store.get(keys.artifact('targets.parquet')));
    expect(targets.n).toBeGreaterThan(0);
    expect(Object.keys(targets.columns)).toEqual([
      'ts',
      'symbol',
      'optimizer_weight',
      'held_weight',
      'alpha',
      'cap',
    ]);
    const charts = JSON.parse(new TextDecoder().decode(await ctx.store.get(keys.artifact('charts.json'))));
    expect(charts['ex-ante-volatility']).toMatchObject({ status: 'ok' });
    expect(charts['constraint-activity']).toMatchObject({ status: 'ok', hours: equity.n });
  }, 240_000);

  it('produces byte-identical artifacts when the same spec runs again', async () => {
    const { ctx, datasetId } = fixture;
    const a = await submit(ctx, datasetId, 'run-2');
    const b = await submit(ctx, datasetId, 'run-3');
    await runPipelineInProcess(ctx, a);
    await runPipelineInProcess(ctx, b);
    for (const name of [
      'equity_curve.parquet',
      'fills.parquet',
      'weights.csv',
      'metrics.json',
      'targets.parquet',
      'portfolio_diagnostics.json',
      'charts.json',
    ]) {
      const x = await ctx.store.get(runKeys(a.tenantId, a.runId).artifact(name));
      const y = await ctx.store.get(runKeys(b.tenantId, b.runId).artifact(name));
      expect(Buffer.from(x).equals(Buffer.from(y))).toBe(true);
    }
  }, 240_000);

  it('marks the run FAILED with a typed reason when the spec does not fit the dataset', async () => {
    const { ctx, datasetId } = fixture;
    const ref = await submit(ctx, datasetId, 'run-4', { period: { start: '2023-06-01', end: '2024-03-01' } });
    await expect(runPipelineInProcess(ctx, ref)).rejects.toThrow(/not inside dataset/);
    const record = await ctx.runs.get(ref.tenantId, ref.runId);
    expect(record.status).toBe('FAILED');
    expect(record.error?.code).toBe('INVALID_INPUT');
    expect(record.error?.message).not.toMatch(/tenants\//);
  }, 60_000);
});
