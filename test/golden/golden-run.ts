/**
 * Golden runs: a spec run in process on a generated dataset, every artifact hashed. Used by the golden tests that
 * guard refactors (the artifacts must stay byte-identical) and, with `HTS_GOLDEN_10Y=1`, by the 10-year golden.
 * report.html states the stages' wall-clock durations; its Timings table is cut out before hashing.
 * HTS_GOLDEN_KEEP=DIR also writes the artifacts to DIR/<spec name>/ (to read a 10-year run as a quant would).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { copyDataset } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** report.html without its Timings table (wall-clock seconds, the one non-deterministic part). */
export function normalizeReport(html: string): string {
  return html.replace(/<h3>Timings<\/h3>[\s\S]*?(<\/table><\/div>|<\/p>)/, '<h3>Timings</h3>');
}

export interface GoldenRun {
  /** sha256 of each artifact (report.html without its Timings table). */
  readonly digests: Record<string, string>;
  readonly artifacts: Record<string, Uint8Array>;
  readonly spec: ReturnType<typeof parseBacktestSpec>;
}

export async function goldenRun(
  dataDir: string,
  datasetId: string,
  specFile: string,
  overrides: Record<string, unknown> = {},
): Promise<GoldenRun> {
  const store = new MemoryObjectStore();
  const disk = new DiskObjectStore(dataDir);
  await copyDataset(disk, '', store, datasetPrefix(datasetId));
  let now = 1_700_000_000_000;
  const ctx = { store, runs: new MemoryRunStore(), nowMs: () => (now += 1000), codeVersion: 'golden' };
  const raw = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
  const spec = parseBacktestSpec({ ...raw, ...overrides, dataset: { id: datasetId } });
  const ref = { tenantId: 'golden', runId: '01H0000000000000000000G0DE' };
  await store.putOnce(runKeys(ref.tenantId, ref.runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({ ...ref, specHash: specHash(spec), datasetId, codeVersion: 'golden', nowMs: now }),
  );
  const out = await runPipelineInProcess(ctx, ref);
  const m = JSON.parse(new TextDecoder().decode(await store.get(out.manifestKey))) as {
    artifacts: { name: string }[];
  };
  const digests: Record<string, string> = {};
  const artifacts: Record<string, Uint8Array> = {};
  const keep = process.env.HTS_GOLDEN_KEEP;
  const keepDir = keep ? join(keep, basename(specFile, '.json')) : undefined;
  if (keepDir !== undefined) mkdirSync(keepDir, { recursive: true });
  for (const a of m.artifacts) {
    const bytes = await store.get(runKeys(ref.tenantId, ref.runId).artifact(a.name));
    if (keepDir !== undefined) writeFileSync(join(keepDir, a.name), bytes);
    artifacts[a.name] = bytes;
    digests[a.name] =
      a.name === 'report.html' ? sha256(normalizeReport(new TextDecoder().decode(bytes))) : sha256(bytes);
  }
  return { digests, artifacts, spec };
}
