/**
 * The embedded default end to end: a small synthetic dataset, the local stack (s3rver + dynalite on a temp
 * folder, the state machine synthesised by the CDK app on aws-local-stepfunctions, the real handlers on worker
 * threads, the local API Gateway), a backtest submitted over HTTP, artifacts downloaded through presigned URLs.
 * The same spec through `runPipelineInProcess` must give the same artifacts: the local stack changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { copyDataset } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { ApiRequestError, HtsApiClient, type RunView } from '../../local/cli/api-client.ts';
import { generateDataset } from '../../local/cli/commands/data.ts';
import { publishDataset } from '../../local/stack/publish-dataset.ts';
import { type LocalStack, startLocalStack } from '../../local/stack/stack.ts';
import { STEADY_MEMBERS } from '../support/fixture-symbols.ts';

const SYMBOLS = STEADY_MEMBERS;
const CODE_VERSION = 'e2e-test';
const tmp = mkdtempSync(join(tmpdir(), 'hts-e2e-'));
const root = join(tmp, 'root');
const dataDir = join(tmp, 'dataset');

/** Two test months, two walk-forward folds, a feature subset: every state of the machine, in a few seconds. */
const SPEC = {
  specVersion: 1,
  dataset: { name: 'e2e' },
  period: { start: '2023-05-01', end: '2023-06-30' },
  features: ['ret_1', 'ret_7', 'ret_35', 'vol_35', 'sent_score', 'analyst_revision_net', 'fund_eps_surprise'],
  model: {
    route: 'B',
    walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 },
    params: { gbdt: { numTrees: 20 } },
  },
  capital: 10_000_000,
  seed: 5,
};

/** The handlers' logged errors (the local Lambda log), to explain a failed run. */
const handlerErrors = (): string =>
  readFileSync(join(root, 'logs', 'lambda.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"level":"ERROR"'))
    .slice(-3)
    .join('\n');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let stack: LocalStack;
let datasetId: string;

beforeAll(async () => {
  await generateDataset({
    out: dataDir,
    start: '2023-01-02',
    end: '2023-06-30',
    seed: 21,
    symbols: [...SYMBOLS, 'SPY'],
    progress: false,
  });
  stack = await startLocalStack({ root, codeVersion: CODE_VERSION });
  datasetId = (await publishDataset(stack.store, dataDir, ['e2e'])).datasetId;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('local stack: a backtest through the local API', () => {
  let run: RunView;
  const client = () => new HtsApiClient(stack.apiUrl);

  it('runs every state of the synthesised state machine and succeeds', async () => {
    expect(stack.definition.synthesized).toBe(true); // a fresh root: synthesised from the CDK app now
    const { runId, status } = await client().submit(SPEC, 'e2e-key-1');
    expect(status).toBe('QUEUED');
    const seen = new Set<string>();
    run = await client().wait(runId, (r) => seen.add(r.status), 100);
    expect(run.error, handlerErrors()).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.provenance).toMatchObject({ datasetId, codeVersion: CODE_VERSION });
    expect(run.progress).toMatchObject({
      prepare: { done: 1, total: 1 },
      buildFeatures: { done: 5, total: 5 },
      trainScore: { done: 2, total: 2 },
      optimize: { done: 2, total: 2 },
      simulate: { done: 2, total: 2 },
      finalize: { done: 1, total: 1 },
    });
    expect(run.metrics?.annualizationFactor).toBeGreaterThan(1700);
    const execution = stack.executions.describe(stack.executions.executionArnOf(runId));
    expect(execution.status).toBe('SUCCEEDED');
    // a replay of the same submission answers with the same run
    expect((await client().submit(SPEC, 'e2e-key-1')).runId).toBe(runId);
  }, 120_000);

  it('serves the artifacts through presigned URLs, byte-identical to the manifest', async () => {
    const view = await client().artifacts(run.runId);
    const names = view.artifacts.map((a) => a.name);
    for (const n of [
      'equity_curve.csv',
      'fills.csv',
      'weights.csv',
      'risk_history.csv',
      'monthly_returns.csv',
    ]) {
      expect(names).toContain(n);
    }
    expect(names).toContain('metrics.json');
    expect(names).toContain('report.html');
    const manifest = JSON.parse(
      new TextDecoder().decode(await stack.store.get(runKeys('local', run.runId).artifact('manifest.json'))),
    ) as { artifacts: { name: string; bytes: number; sha256: string }[] };
    expect(view.artifacts.map(({ name, bytes, sha256 }) => ({ name, bytes, sha256 }))).toEqual(
      manifest.artifacts,
    );
    for (const a of view.artifacts) {
      expect(new URL(a.url).host).toBe(new URL(stack.s3Endpoint).host); // the local S3 serves it
      const res = await fetch(a.url);
      expect(res.status, a.name).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.length, a.name).toBe(a.bytes);
      expect(sha256(bytes), a.name).toBe(a.sha256);
    }
    // SigV4 query-signed, short-lived (s3rver 3.7 serves them without checking SigV4 signatures or expiry:
    // on 127.0.0.1 that is harmless, and the URLs are the ones S3 would check)
    const url = new URL(view.artifacts[0]!.url);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('gives the same artifacts as the pipeline called in process', async () => {
    const store = new MemoryObjectStore();
    await copyDataset(new DiskObjectStore(dataDir), '', store, datasetPrefix(datasetId));
    let now = 1_700_000_000_000;
    const ctx = { store, runs: new MemoryRunStore(), nowMs: () => (now += 1000), codeVersion: CODE_VERSION };
    const spec = parseBacktestSpec({ ...SPEC, dataset: { name: 'e2e' } });
    const ref = { tenantId: 'local', runId: run.runId };
    await store.putOnce(runKeys(ref.tenantId, ref.runId).spec, new TextEncoder().encode(canonicalJson(spec)));
    await ctx.runs.create(
      newRunRecord({ ...ref, specHash: specHash(spec), datasetId, codeVersion: CODE_VERSION, nowMs: now }),
    );
    // the local stack's view first: the in-process run below blocks this process's event loop (the local servers
    // live in it) for seconds, after which a kept-alive connection may be reset by the server
    const local = (await client().artifacts(run.runId)).artifacts;
    const out = await runPipelineInProcess(ctx, ref);
    const inProcess = JSON.parse(new TextDecoder().decode(await store.get(out.manifestKey))) as {
      specHash: string;
      artifacts: { name: string; sha256: string }[];
    };
    expect(inProcess.specHash).toBe(run.provenance.specHash);
    // report.html states the stages' wall-clock durations; every other artifact must match byte for byte
    const digests = (list: readonly { name: string; sha256: string }[]) =>
      Object.fromEntries(list.filter((a) => a.name !== 'report.html').map((a) => [a.name, a.sha256]));
    expect(digests(local)).toEqual(digests(inProcess.artifacts));
    expect(Object.keys(digests(local)).length).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('lists the tenant’s runs and hides them from another tenant; refuses a bad token', async () => {
    const page = await client().list(10);
    expect(page.items.map((r) => r.runId)).toContain(run.runId);
    const other = new HtsApiClient(stack.apiUrl, 'local:globex');
    expect((await other.list(10)).items).toEqual([]);
    await expect(other.get(run.runId)).rejects.toMatchObject({ status: 404 });
    const res = await fetch(`${stack.apiUrl}/v1/backtests`, {
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(res.status).toBe(401);
  });

  it('refuses a bad spec with 400 naming the field, before anything runs', async () => {
    const bad = { ...SPEC, portfolio: { maxWeight: 2 } };
    const err = await client()
      .submit(bad)
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).status).toBe(400);
    expect((err as ApiRequestError).body.details?.field).toBe('portfolio.maxWeight');
  });

  it('cancels a running backtest: the execution is aborted and the run stays CANCELLED', async () => {
    const longer = { ...SPEC, period: { start: '2023-04-03', end: '2023-06-30' }, seed: 6 };
    const { runId } = await client().submit(longer);
    // wait until it is running, then cancel
    for (let i = 0; i < 200; i++) {
      if ((await client().get(runId)).status !== 'QUEUED') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const cancelled = await client().cancel(runId);
    expect(cancelled.status).toBe('CANCELLED');
    const execution = stack.executions.describe(stack.executions.executionArnOf(runId));
    expect(execution.status).toBe('ABORTED');
    await execution.finished;
    await new Promise((r) => setTimeout(r, 500)); // steps in flight finish; none may move the run
    expect((await client().get(runId)).status).toBe('CANCELLED');
    await expect(client().artifacts(runId)).rejects.toMatchObject({ status: 409 });
  }, 60_000);
});

describe('hts backtest (the CLI, in a child process, on the same folder)', () => {
  const cli = new URL('../../local/cli/main.ts', import.meta.url).pathname;
  const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
  const hts = (...args: string[]) => {
    const r = spawnSync(tsx, [cli, ...args], { encoding: 'utf8', cwd: tmp, timeout: 180_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('runs a spec file end to end and writes the checked artifacts into --out', async () => {
    await stack.stop(); // one process per folder: the CLI opens the same S3 folder and tables
    const specFile = join(tmp, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ ...SPEC, seed: 9 }));
    const out = join(tmp, 'out');
    const r = hts('backtest', '--spec', specFile, '--data', dataDir, '--out', out, '--root', root, '--json');
    expect(r.stderr).toBe('');
    expect(r.code, `${r.stdout}\n${handlerErrors()}`).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('SUCCEEDED');
    expect(Object.keys(result.stageSeconds)).toEqual([
      'prepare',
      'buildFeatures',
      'trainScore',
      'optimize',
      'simulate',
      'finalize',
    ]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.annualizationFactor).toBeGreaterThan(1700);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(result.runId);
    // report.html's Timings equal the CLI's (one definition: lib/runs/stage-seconds.ts), to the report's 2 decimals
    const timings = /<h3>Timings<\/h3>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const rows = [...timings.matchAll(/<tr><th scope="row">(\w+)<\/th><td>([\d.]+)<\/td><\/tr>/g)];
    expect(rows.map((m) => m[1])).toEqual(['prepare', 'buildFeatures', 'trainScore', 'optimize', 'simulate']);
    for (const [, stage, seconds] of rows) {
      const cli = result.stageSeconds[stage!] as number;
      expect(Math.abs(Number(seconds) - cli), stage).toBeLessThanOrEqual(Math.max(0.01 * cli, 0.005));
    }
    expect(readFileSync(join(out, 'equity_curve.csv'), 'utf8').split('\n').length).toBeGreaterThan(200);
  }, 180_000);

  it('exits 2 naming the field for a bad spec, and for an unknown dataset', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...SPEC, model: { route: 'C' } }));
    const r = hts('backtest', '--spec', bad, '--root', root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('model.route');
    const unknown = join(tmp, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ ...SPEC, dataset: { name: 'nope' } }));
    const u = hts('backtest', '--spec', unknown, '--root', root, '--json');
    expect(u.code).toBe(2);
    expect(JSON.parse(u.stdout).error.details.apiCode).toBe('UNKNOWN_DATASET');
  }, 120_000);

  it('prints one status line with one duration; piped progress has every count, a percentage and the logs a run', async () => {
    await stack.stop(); // idempotent: the first CLI test stops it too (one process per folder)
    const specFile = join(tmp, 'spec-text.json');
    writeFileSync(specFile, JSON.stringify({ ...SPEC, seed: 9 }));
    const r = hts(
      'backtest',
      '--spec',
      specFile,
      '--data',
      dataDir,
      '--out',
      join(tmp, 'out-text'),
      '--root',
      root,
    );
    expect(r.code, r.stderr).toBe(0);
    const all = `${r.stdout}\n${r.stderr}`.split('\n');
    const status = all.filter((l) => /^run \S+ (SUCCEEDED|FAILED|CANCELLED)/.test(l));
    expect(status).toHaveLength(1);
    expect(status[0]!.match(/\d+(\.\d+)? s\b/g)!.length).toBe(7); // the run's duration and its six stages
    expect(status[0]).toMatch(/^run \S+ SUCCEEDED in [\d.]+ s \(prepare [\d.]+ s, features/);
    // piped progress: plain lines, each stage's counts 1..n without a gap, with a percentage
    const counts = new Map<string, number[]>();
    for (const l of r.stderr.split('\n')) {
      const m = /^(.+?) {2}(\d+)\/(\d+) {2}(\d+)% {2}elapsed/.exec(l);
      if (m) counts.set(m[1]!, [...(counts.get(m[1]!) ?? []), Number(m[2])]);
    }
    expect([...counts.keys()]).toEqual([
      'prepare',
      'build features, month',
      'train + score, fold',
      'optimize, month',
      'simulate, chunk',
      'finalize',
    ]);
    for (const [stage, seen] of counts) {
      const positive = seen.filter((c) => c > 0);
      expect(positive, stage).toEqual(positive.map((_, i) => i + 1));
    }
    // the run's INFO lines: a start and an end per step, found by `hts logs RUN_ID`
    const runId = /^run (\S+) SUCCEEDED/.exec(status[0]!)![1]!;
    const logs = hts('logs', runId, '--root', root, '--json');
    expect(logs.code).toBe(0);
    const lines = logs.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ends = lines.filter((l) => l.message === 'step end');
    expect(new Set(ends.map((l) => l.stage))).toEqual(
      new Set(['prepare', 'buildFeatures', 'trainScore', 'optimize', 'simulate', 'finalize']),
    );
    expect(lines.filter((l) => l.message === 'step start')).toHaveLength(ends.length);
    expect(readFileSync(join(root, 'logs', 'lambda.log'), 'utf8')).not.toContain('No application metrics');
  }, 180_000);
});
