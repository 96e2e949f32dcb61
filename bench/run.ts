/**
 * Benchmark harness: `npm run bench -- [workload ...] [--runs N]`. Each workload (bench/workloads/*.ts, exporting
 * `workload`) runs one warm-up and N timed runs; the JSON result goes to bench/results/<name>.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Workload } from './workload.ts';

interface BenchResult {
  workload: string;
  description: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  peakRssMb: number;
  machine: { cpu: string; cores: number; node: string };
  peer?: { name: string; medianMs: number; samplesMs: number[] };
  ratioToPeer?: number;
  extra?: Record<string, unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function loadWorkloads(): Promise<Map<string, Workload>> {
  const dir = join(here, 'workloads');
  const out = new Map<string, Workload>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.ts')) continue;
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { workload?: Workload };
    if (mod.workload) out.set(mod.workload.name, mod.workload);
  }
  return out;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}

async function timeIt(fn: () => unknown): Promise<{ ms: number; value: unknown }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function runWorkload(w: Workload, runsOverride: number | undefined): Promise<BenchResult> {
  const tmpDir = mkdtempSync(join(tmpdir(), `hts-bench-${w.name}-`));
  const timer = setInterval(sampleRss, 20);
  peakRss = 0;
  try {
    const state = w.setup ? await w.setup(tmpDir) : undefined;
    const ctx = { state, tmpDir };
    const runs = runsOverride ?? w.runs ?? 5;
    if (!w.noWarmup) await w.run(ctx);
    const samples: number[] = [];
    let extra: Record<string, unknown> | undefined;
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await timeIt(() => w.run(ctx));
      samples.push(ms);
      sampleRss();
      if (value && typeof value === 'object') extra = value as Record<string, unknown>;
      process.stderr.write(`  ${w.name} run ${i + 1}/${runs}: ${ms.toFixed(1)} ms\n`);
    }
    const result: BenchResult = {
      workload: w.name,
      description: w.description,
      runs,
      medianMs: median(samples),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
      samplesMs: samples,
      peakRssMb: 0,
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    };
    if (w.peer) {
      const peerSamples: number[] = [];
      const peerRuns = Math.min(runs, 3);
      for (let i = 0; i < peerRuns; i++) {
        const { ms, value } = await timeIt(() => w.peer!.run(ctx));
        peerSamples.push(ms);
        if (value && typeof value === 'object') extra = { ...extra, peer: value };
        process.stderr.write(
          `  ${w.name} peer ${w.peer.name} run ${i + 1}/${peerRuns}: ${ms.toFixed(1)} ms\n`,
        );
      }
      result.peer = { name: w.peer.name, medianMs: median(peerSamples), samplesMs: peerSamples };
      result.ratioToPeer = result.peer.medianMs / result.medianMs;
    }
    sampleRss();
    result.peakRssMb = Math.round(peakRss / 1048576);
    if (extra) result.extra = extra;
    if (w.teardown) await w.teardown(state);
    return result;
  } finally {
    clearInterval(timer);
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs: number | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--runs') runs = Number(args[++i]);
    else names.push(a);
  }
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
    process.stderr.write(`--runs must be a whole number >= 1, received ${String(runs)}\n`);
    process.exit(2);
  }
  const all = await loadWorkloads();
  for (const n of names) {
    if (!all.has(n)) {
      process.stderr.write(`unknown workload '${n}'; known: ${[...all.keys()].join(', ')}\n`);
      process.exit(2);
    }
  }
  const chosen = names.length > 0 ? names : [...all.keys()];
  const outDir = join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  for (const name of chosen) {
    process.stderr.write(`${name}\n`);
    const r = await runWorkload(all.get(name)!, runs);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(r, null, 2)}\n`);
    const peer = r.peer
      ? `  peer ${r.peer.name} ${r.peer.medianMs.toFixed(1)} ms (x${r.ratioToPeer?.toFixed(1)})`
      : '';
    process.stdout.write(`${name}: median ${r.medianMs.toFixed(1)} ms  peak RSS ${r.peakRssMb} MB${peer}\n`);
  }
}

await main();
