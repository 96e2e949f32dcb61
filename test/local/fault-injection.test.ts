/**
 * Fault injection: the real CLI (`hts serve`, a child process) killed — SIGKILL and SIGINT — in the middle of an
 * object write, mid-publish and at every stage boundary of a run, then started again on the same root. Every
 * time: no torn object in the local S3, the interrupted run FAILED `ABANDONED`, and in the end a resubmission
 * SUCCEEDS with artifacts byte-identical to the same spec run by the pipeline in process. Also: the API answers
 * 503 with `Retry-After` while the datasets are being published (never `UNKNOWN_DATASET`), and the server stops
 * when the wrapper that started it dies (`npx` killed).
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
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
import { HtsApiClient, type RunView } from '../../local/cli/api-client.ts';
import { LOCAL_BUCKET, localCodeVersion } from '../../local/stack/stack.ts';
import { defaultLockSocket, lockAddress, probeLock } from '../../local/stack/stack-lock.ts';
import { loadLocalDefinition } from '../../local/stack/state-machine.ts';
import {
  comparableDigests,
  FIXTURE_DATASET_NAME,
  QUICK_SPEC,
  writeFixtureDataset,
} from './support/local-fixture.ts';
import { freePort, type ServeExit, startServe, tornObjects, until } from './support/serve-process.ts';

/**
 * The stage boundaries as the API shows them: before Prepare (just submitted), then each stage's end, which is the
 * next one's start (Finalize ends the run: its end is no boundary). The run's progress is written as items finish.
 */
const BOUNDARIES = [
  { before: 'Prepare', reached: () => true },
  { before: 'BuildFeatures', reached: (r: RunView) => r.progress.prepare?.finishedAt !== undefined },
  { before: 'TrainScore', reached: (r: RunView) => r.progress.buildFeatures?.finishedAt !== undefined },
  { before: 'Optimize', reached: (r: RunView) => r.progress.trainScore?.finishedAt !== undefined },
  { before: 'SimulateChunk', reached: (r: RunView) => r.progress.optimize?.finishedAt !== undefined },
  { before: 'Finalize', reached: (r: RunView) => r.progress.simulate?.finishedAt !== undefined },
] as const;
const tmp = mkdtempSync(join(tmpdir(), 'hts-faults-'));
const dataDir = join(tmp, 'dataset');
/** The state machine definition synthesised once (for one step worker): every root starts with it cached. */
const cacheDir = join(tmp, 'cache');
let datasetId: string;
/** The artifacts of QUICK_SPEC run by the pipeline in process (report.html aside). */
let reference: Record<string, string>;

beforeAll(async () => {
  await loadLocalDefinition(cacheDir, 1);
  datasetId = await writeFixtureDataset(dataDir);
  const store = new MemoryObjectStore();
  await copyDataset(new DiskObjectStore(dataDir), '', store, datasetPrefix(datasetId));
  let now = 1_700_000_000_000;
  const codeVersion = localCodeVersion(); // what the CLI records: the artifacts must agree
  const ctx = { store, runs: new MemoryRunStore(), nowMs: () => (now += 1000), codeVersion };
  const spec = parseBacktestSpec(QUICK_SPEC);
  const ref = { tenantId: 'local', runId: 'reference' };
  await store.putOnce(runKeys(ref.tenantId, ref.runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({ ...ref, specHash: specHash(spec), datasetId, codeVersion, nowMs: now }),
  );
  const out = await runPipelineInProcess(ctx, ref);
  const manifest = JSON.parse(new TextDecoder().decode(await store.get(out.manifestKey))) as {
    artifacts: { name: string; sha256: string }[];
  };
  reference = comparableDigests(manifest.artifacts);
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const newRoot = (name: string, withDataset: boolean): string => {
  const root = join(tmp, name);
  mkdirSync(root, { recursive: true });
  cpSync(cacheDir, join(root, 'cache'), { recursive: true });
  if (withDataset) cpSync(dataDir, join(root, 'datasets', FIXTURE_DATASET_NAME), { recursive: true });
  return root;
};
const s3DirOf = (root: string) => join(root, 's3');
const lakeDatasetDir = (root: string) => join(s3DirOf(root), LOCAL_BUCKET, 'datasets', datasetId);
const hasObjectFiles = (dir: string): boolean =>
  existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).includes('._S3rver_object'));
/** A temp file of the atomic store under the root's S3 folder. */
const hasPartial = (root: string): boolean =>
  existsSync(s3DirOf(root)) &&
  readdirSync(s3DirOf(root), { recursive: true }).some((f) => String(f).includes('.hts-partial-'));
const terminal = (r: RunView) => r.status !== 'QUEUED' && r.status !== 'RUNNING';

/** How a killed `hts serve` must have ended: SIGKILL kills it; SIGINT stops it cleanly (exit 0, lock file gone). */
function expectStopped(exit: ServeExit, signal: 'SIGKILL' | 'SIGINT', root: string, stderr: string): void {
  if (signal === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
  else {
    expect(exit, stderr).toEqual({ code: 0, signal: null });
    expect(existsSync(join(root, 'stack.lock'))).toBe(false);
  }
}

/** Follows a run to the end; resolves with its artifacts' digests. */
async function runToSuccess(api: HtsApiClient, runId: string): Promise<Record<string, string>> {
  const run = await api.wait(runId, undefined, 100);
  expect(run.error).toBeUndefined();
  expect(run.status).toBe('SUCCEEDED');
  return comparableDigests((await api.artifacts(runId)).artifacts);
}

describe('hts serve killed mid-write', () => {
  it('SIGKILL in the middle of an object PUT leaves no torn object; the next start publishes (503 meanwhile) and runs', async () => {
    const root = newRoot('mid-write', false);
    let serve = startServe(root);
    const info = await serve.ready;
    // the first publish, cut by SIGKILL halfway through one object's bytes (what the probe saw: 163,840 of
    // 4,217,283 bytes, then NON_DETERMINISM on every start)
    const objectKey = 'bars/month=2023-01/part-0.parquet';
    const bytes = readFileSync(join(dataDir, objectKey));
    const put = request(`${info.s3Endpoint}/${LOCAL_BUCKET}/datasets/${datasetId}/${objectKey}`, {
      method: 'PUT',
      headers: { 'content-length': bytes.length, 'content-type': 'application/octet-stream' },
    });
    put.on('error', () => undefined);
    put.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await until(
      'the object write to reach the disk',
      () => hasObjectFiles(lakeDatasetDir(root)) || hasPartial(root),
    );
    expectStopped(await serve.kill('SIGKILL'), 'SIGKILL', root, serve.stderr());
    expect(tornObjects(s3DirOf(root))).toEqual([]);

    // restart with the dataset folder: the API answers 503 until it is published, then the run succeeds
    cpSync(dataDir, join(root, 'datasets', FIXTURE_DATASET_NAME), { recursive: true });
    const port = await freePort();
    serve = startServe(root, { port });
    const apiUrl = `http://127.0.0.1:${port}`;
    const seen: number[] = [];
    let runId: string | undefined;
    while (runId === undefined) {
      const res = await fetch(`${apiUrl}/v1/backtests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(QUICK_SPEC),
      }).catch(() => undefined); // not listening yet
      if (res === undefined) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const body = (await res.json()) as { code?: string; message?: string; runId?: string };
      seen.push(res.status);
      if (res.status === 503) {
        expect(res.headers.get('retry-after')).toBe('1');
        expect(body).toMatchObject({ code: 'UNAVAILABLE', message: expect.any(String) });
        await new Promise((r) => setTimeout(r, 20));
      } else {
        expect(res.status, JSON.stringify(body)).toBe(202);
        runId = body.runId;
      }
    }
    expect(seen.at(-1)).toBe(202);
    expect(seen.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(seen.length).toBeGreaterThan(1); // the dataset took a moment to publish: it was not there at once
    await serve.ready;
    expect(await runToSuccess(new HtsApiClient(apiUrl), runId)).toEqual(reference);
    expectStopped(await serve.kill('SIGINT'), 'SIGINT', root, serve.stderr());
  }, 600_000);
});

describe.concurrent('hts serve killed at every stage boundary', () => {
  it.each(['SIGKILL', 'SIGINT'] as const)(
    '%s mid-publish and at each stage: no torn object, runs ABANDONED, the resubmission succeeds identically',
    async (signal) => {
      const root = newRoot(`chain-${signal}`, true);
      const s3Dir = s3DirOf(root);

      // mid-publish: once the first dataset objects are in the local S3
      let serve = startServe(root);
      await until(
        'the publish to start',
        () => serve.stderr().includes('publishing dataset') && hasObjectFiles(lakeDatasetDir(root)),
      );
      expectStopped(await serve.kill(signal), signal, root, serve.stderr());
      expect(tornObjects(s3Dir)).toEqual([]);

      // at each stage boundary: as soon as the run shows it has reached it
      let interrupted: string | undefined;
      for (const boundary of [...BOUNDARIES, undefined]) {
        serve = startServe(root);
        const api = new HtsApiClient((await serve.ready).apiUrl);
        if (interrupted !== undefined) {
          const before = await api.get(interrupted);
          expect(before.status, interrupted).toBe('FAILED');
          expect(before.error?.code).toBe('ABANDONED');
        }
        const { runId } = await api.submit(QUICK_SPEC);
        if (boundary === undefined) {
          expect(await runToSuccess(api, runId)).toEqual(reference);
          expectStopped(await serve.kill('SIGINT'), 'SIGINT', root, serve.stderr());
          break;
        }
        let run = await api.get(runId);
        await until(`${runId} to reach ${boundary.before}`, async () => {
          run = await api.get(runId);
          return boundary.reached(run) || terminal(run);
        });
        expect(terminal(run), `before ${boundary.before}: the run ended before the kill`).toBe(false);
        expectStopped(await serve.kill(signal), signal, root, serve.stderr());
        expect(tornObjects(s3Dir), `after ${signal} before ${boundary.before}`).toEqual([]);
        interrupted = runId;
      }
    },
    900_000,
  );
});

describe('the wrapper that started hts serve dies', () => {
  it('stops the server (npx killed): its lock and its port are released', async () => {
    const root = newRoot('wrapper', false);
    const port = await freePort();
    const serve = startServe(root, { via: 'tsx', port });
    await serve.ready;
    const address = lockAddress(root, defaultLockSocket());
    const holder = (await probeLock(address)).holder;
    expect(holder?.pid).toBeGreaterThan(0);
    expect(holder?.pid).not.toBe(serve.child.pid); // the server is a grandchild of the wrapper
    serve.child.kill('SIGKILL'); // the wrapper only, as when `npx` is killed
    await until('the server to stop', async () => !(await probeLock(address)).alive, 30_000);
    await until('the server process to exit', () => !processExists(holder?.pid ?? 0), 30_000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  }, 300_000);
});

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
