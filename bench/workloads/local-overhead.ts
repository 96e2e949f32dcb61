/**
 * What the local stack costs: the demo spec (`examples/demo.json` on the demo dataset) submitted to a running
 * `hts serve` (local API → state machine on aws-local-stepfunctions → the Lambda handlers on worker threads →
 * s3rver and dynalite; artifacts downloaded through presigned URLs), timed from submit to the last artifact on
 * disk, against the peer: the same steps called directly in this process (`runPipelineInProcess`, in-memory
 * storage, items one after another). Target: local ≤ 1.25 × in-process (`ratioToPeer` ≥ 0.8).
 *
 * The stack runs Map items on as many worker threads as there are cores; the peer on one thread. `extra` also
 * gives the stack process's CPU seconds per run (Linux /proc), which compares the work done rather than the wall
 * time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { copyDataset, DatasetManifest, datasetIdOf } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { downloadArtifacts, HtsApiClient } from '../../local/cli/api-client.ts';
import type { Workload } from '../workload.ts';
import { ensureDataset, PROJECT_ROOT, TSX_IMPORT } from './e2e-support.ts';

const DEMO_DIR = join(PROJECT_ROOT, '.hts', 'datasets', 'demo');
const SPEC_FILE = join(PROJECT_ROOT, 'examples', 'demo.json');

interface State {
  server: ChildProcess;
  apiUrl: string;
  spec: Record<string, unknown>;
  tmpDir: string;
  memory: MemoryObjectStore;
  datasetId: string;
  n: number;
}

/** utime + stime of a process in seconds (Linux), or undefined. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const workload: Workload<State> = {
  name: 'local-overhead',
  description: 'demo spec through a running local stack (hts serve) vs runPipelineInProcess in memory',
  runs: 3,
  async setup(tmpDir) {
    await ensureDataset(DEMO_DIR, '2023-01-01', '2024-12-31', 7);
    const root = join(tmpDir, 'root');
    mkdirSync(join(root, 'datasets'), { recursive: true });
    symlinkSync(DEMO_DIR, join(root, 'datasets', 'demo'));
    const server = spawn(
      process.execPath,
      [
        '--openssl-legacy-provider',
        '--import',
        TSX_IMPORT,
        join(PROJECT_ROOT, 'local', 'cli', 'main.ts'),
        'serve',
        '--port',
        '0',
        '--root',
        root,
        '--json',
      ],
      {
        cwd: tmpDir,
        env: { ...process.env, HTS_RELAUNCHED: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // with --json, `hts serve` prints one JSON line (its URL) once it is up
    const apiUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { apiUrl: string }).apiUrl);
      });
      server.on('exit', (code) => reject(new Error(`hts serve exited ${code}`)));
    });
    const manifest = DatasetManifest.parse(JSON.parse(readFileSync(join(DEMO_DIR, 'manifest.json'), 'utf8')));
    const datasetId = datasetIdOf(manifest);
    const memory = new MemoryObjectStore();
    await copyDataset(new DiskObjectStore(DEMO_DIR), '', memory, datasetPrefix(datasetId));
    const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Record<string, unknown>;
    return { server, apiUrl, spec, tmpDir, memory, datasetId, n: 0 };
  },
  async run({ state }) {
    const client = new HtsApiClient(state.apiUrl);
    const cpu0 = cpuSecondsOf(state.server.pid);
    const t0 = performance.now();
    const { runId } = await client.submit(state.spec);
    const run = await client.wait(runId, () => undefined, 100);
    if (run.status !== 'SUCCEEDED')
      throw new Error(`run ${runId} ${run.status}: ${JSON.stringify(run.error)}`);
    const files = await downloadArtifacts(
      await client.artifacts(runId),
      join(state.tmpDir, `out-${++state.n}`),
    );
    const ms = performance.now() - t0;
    const cpu1 = cpuSecondsOf(state.server.pid);
    return {
      ms,
      artifacts: files.size,
      ...(cpu0 !== undefined && cpu1 !== undefined && { stackCpuSeconds: Number((cpu1 - cpu0).toFixed(2)) }),
      targetRatio: 1.25,
    };
  },
  peer: {
    name: 'runPipelineInProcess',
    async run({ state }) {
      const spec = parseBacktestSpec(state.spec);
      let now = 1_700_000_000_000;
      const ctx = {
        store: state.memory,
        runs: new MemoryRunStore(),
        nowMs: () => (now += 1000),
        codeVersion: 'bench',
      };
      const ref = { tenantId: 'bench', runId: `peer-${++state.n}` };
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await state.memory.putOnce(
        runKeys(ref.tenantId, ref.runId).spec,
        new TextEncoder().encode(canonicalJson(spec)),
      );
      await ctx.runs.create(
        newRunRecord({
          ...ref,
          specHash: specHash(spec),
          datasetId: state.datasetId,
          codeVersion: 'bench',
          nowMs: now,
        }),
      );
      const out = await runPipelineInProcess(ctx, ref);
      const c = process.cpuUsage(c0);
      return {
        ms: performance.now() - t0,
        artifacts: out.artifacts,
        cpuSeconds: Number(((c.user + c.system) / 1e6).toFixed(2)),
      };
    },
  },
  async teardown(state) {
    state.server.kill('SIGINT');
    await new Promise((r) => state.server.once('exit', r));
  },
};
