/**
 * `hts backtest --spec FILE [--data DIR] [--out DIR] [--start D] [--end D] [--json]` and `hts demo`: one run
 * through the local stack, the way a client of the deployed API runs one. The dataset folder is published into
 * the local data lake, the spec is submitted with `POST /v1/backtests`, the run is polled with
 * `GET /v1/backtests/{runId}` (progress: stage, item i of n, elapsed) and its artifacts are downloaded through
 * the presigned URLs of `GET /v1/backtests/{runId}/artifacts` (size and sha256 checked) into `--out`.
 *
 * Which dataset: `--data DIR`; else, for a spec naming a dataset (`{"name": "demo"}`), the folder
 * `{root}/datasets/{name}` when it exists; else whatever the local data lake already holds under that name or id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseBacktestSpec } from '../../../lib/backtest/spec.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { datasetIdOf } from '../../../lib/data/dataset.ts';
import { validateSpecFeatures } from '../../../lib/pipeline/feature-set.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import { publishDataset, readDatasetManifest } from '../../stack/publish-dataset.ts';
import { type LocalStack, startLocalStack } from '../../stack/stack.ts';
import { type ArtifactsView, downloadArtifacts, HtsApiClient, type RunView } from '../api-client.ts';
import { flagDate, flagString, type ParsedArgs, requireFlag, resolveDataFlag } from '../args.ts';
import {
  formatDuration,
  ProgressPrinter,
  STAGE_SHORT,
  type Stage,
  stageSeconds,
  summaryTable,
} from '../run-view.ts';
import { stopSignal } from '../stop-signals.ts';
import { describeDataset, generateDataset } from './data.ts';

/** The demo dataset: two years on the real membership, fixed seed (see README). */
export const DEMO_DATASET = { start: '2023-01-01', end: '2024-12-31', seed: 7 } as const;
export const DEMO_SPEC_FILE = join(PROJECT_ROOT, 'examples', 'demo.json');

/** A spec file's JSON with the CLI's period overrides applied, validated (exit 2 naming the field). */
export function readSpecFile(
  file: string,
  overrides: { start?: string; end?: string } = {},
): Record<string, unknown> {
  if (!existsSync(file)) throw new InvalidInputError(`--spec ${file}: no such file`, { field: 'spec' });
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidInputError(`--spec ${file} is not valid JSON: ${(e as Error).message}`, {
      field: 'spec',
    });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError(`--spec ${file} must hold a JSON object (a BacktestSpec)`, { field: 'spec' });
  }
  const spec = { ...(body as Record<string, unknown>) };
  if (overrides.start !== undefined || overrides.end !== undefined) {
    const period = (typeof spec.period === 'object' && spec.period !== null ? spec.period : {}) as Record<
      string,
      unknown
    >;
    spec.period = {
      ...period,
      ...(overrides.start !== undefined && { start: overrides.start }),
      ...(overrides.end !== undefined && { end: overrides.end }),
    };
  }
  try {
    parseBacktestSpec(spec);
  } catch (e) {
    if (e instanceof InvalidInputError) {
      const flag = periodFlagToBlame(e.details.field, spec.period, overrides);
      if (flag !== undefined) {
        const field = String(e.details.field);
        const p = spec.period as { start?: unknown; end?: unknown };
        const reason = /end must be on or after start/.test(e.message)
          ? flag === 'start'
            ? `is after the period's end ${String(p.end)}`
            : `is before the period's start ${String(p.start)}`
          : `${e.message.replace(`spec.${field}: `, '')} (the period is ${describePeriod(spec.period)} after the flags)`;
        throw new InvalidInputError(`--${flag} ${overrides[flag]} ${reason}`, {
          ...e.details,
          field: flag,
          flag: `--${flag}`,
        });
      }
      throw new InvalidInputError(`${file}: ${e.message}`, e.details);
    }
    throw e;
  }
  try {
    validateSpecFeatures(parseBacktestSpec(spec));
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${file}: ${e.message}`, e.details);
    throw e;
  }
  return spec;
}

/**
 * The flag to blame for an invalid period: `--start`/`--end` when the offending field is the one the flag set, or
 * when the flag's date collides with the spec's other end (`--start` after the spec's `period.end`).
 */
function periodFlagToBlame(
  field: unknown,
  period: unknown,
  overrides: { start?: string; end?: string },
): 'start' | 'end' | undefined {
  if (field === 'period.start' && overrides.start !== undefined) return 'start';
  if (field === 'period.end' && overrides.end !== undefined) return 'end';
  // `end must be on or after start` is reported at period.end; with only --start given, --start made it so
  if (
    field === 'period.end' &&
    overrides.start !== undefined &&
    typeof period === 'object' &&
    period !== null
  ) {
    return 'start';
  }
  return undefined;
}

const describePeriod = (period: unknown): string => {
  const p = (typeof period === 'object' && period !== null ? period : {}) as {
    start?: unknown;
    end?: unknown;
  };
  return `${String(p.start ?? '(none)')} → ${String(p.end ?? '(none)')}`;
};

/**
 * Publishes the dataset the spec runs on (see the module comment); returns its id when known. Stops between two
 * objects when the process is asked to stop (`stop-signals.ts`), throwing the signal's `StoppedError`.
 */
export async function publishSpecDataset(
  stack: LocalStack,
  spec: Record<string, unknown>,
  dataDir: string | undefined,
  signal: AbortSignal = stopSignal(),
): Promise<{ datasetId?: string; copied: boolean; dir?: string }> {
  const ref = spec.dataset as { id?: string; name?: string };
  let dir = dataDir;
  if (dir === undefined && typeof ref.name === 'string') {
    const candidate = join(stack.root, 'datasets', ref.name);
    if (existsSync(join(candidate, 'manifest.json'))) dir = candidate;
  }
  if (dir === undefined) return { copied: false };
  if (typeof ref.id === 'string') {
    const id = datasetIdOf(await readDatasetManifest(dir));
    if (id !== ref.id) {
      throw new InvalidInputError(
        `the spec names dataset ${ref.id}, but --data ${dir} holds ${id}; drop one of them or make them agree`,
        { field: 'dataset' },
      );
    }
  }
  const published = await publishDataset(
    stack.store,
    dir,
    typeof ref.name === 'string' ? [ref.name] : [],
    signal,
  );
  return { datasetId: published.datasetId, copied: published.copied, dir };
}

export interface BacktestRun {
  readonly run: RunView;
  /** Artifact name → local path (empty unless SUCCEEDED). */
  readonly artifacts: ReadonlyMap<string, string>;
  readonly view?: ArtifactsView;
  /** Seconds from submit to a terminal status. */
  readonly runSeconds: number;
  readonly stageSeconds: Partial<Record<Stage, number>>;
}

/**
 * Submits `spec` to the stack's API, follows it to the end, downloads its artifacts into `outDir`. When the process
 * is asked to stop (`signal`: Ctrl-C) the run is cancelled, and followed until it is.
 */
export async function runThroughApi(
  stack: LocalStack,
  spec: Record<string, unknown>,
  options: { outDir: string | undefined; progress: ProgressPrinter; token?: string; signal?: AbortSignal },
): Promise<BacktestRun> {
  const client = new HtsApiClient(stack.apiUrl, options.token);
  const signal = options.signal ?? stopSignal();
  signal.throwIfAborted();
  const t0 = performance.now();
  const { runId } = await client.submit(spec);
  options.progress.message(`submitted run ${runId}`);
  const onStop = () => {
    options.progress.message(`cancelling run ${runId}…`);
    void client.cancel(runId).catch(() => undefined);
  };
  if (signal.aborted) onStop();
  else signal.addEventListener('abort', onStop, { once: true });
  let run: RunView;
  try {
    run = await client.wait(runId, (r) => options.progress.update(r), 200);
  } finally {
    signal.removeEventListener('abort', onStop);
  }
  const runSeconds = (performance.now() - t0) / 1000;
  options.progress.clear();
  if (run.status !== 'SUCCEEDED' || options.outDir === undefined) {
    return { run, artifacts: new Map(), runSeconds, stageSeconds: stageSeconds(run) };
  }
  const view = await client.artifacts(runId);
  const artifacts = await downloadArtifacts(view, options.outDir);
  return { run, artifacts, view, runSeconds, stageSeconds: stageSeconds(run) };
}

const shortPath = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') || r === '' ? p : r;
};

/** The exit code of a finished run: 0 SUCCEEDED; 2 when it failed on bad input or data; 1 otherwise. */
export function exitCodeOf(run: RunView): number {
  if (run.status === 'SUCCEEDED') return 0;
  if (
    run.status === 'FAILED' &&
    (run.error?.code === 'INVALID_INPUT' || run.error?.code === 'DATA_INTEGRITY')
  ) {
    return 2;
  }
  return 1;
}

function report(result: BacktestRun, outDir: string, json: boolean, extra: Record<string, unknown>): number {
  const { run } = result;
  const reportPath = result.artifacts.get('report.html');
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        runId: run.runId,
        status: run.status,
        ...(run.error !== undefined && { error: run.error }),
        provenance: run.provenance,
        metrics: run.metrics,
        runSeconds: Number(result.runSeconds.toFixed(3)),
        stageSeconds: result.stageSeconds,
        outDir,
        artifacts: Object.fromEntries(result.artifacts),
        ...(reportPath !== undefined && { report: reportPath }),
        ...extra,
      })}\n`,
    );
    return exitCodeOf(run);
  }
  // one status line, one duration: the run's wall time from its own events (the sum of its stages, as in
  // report.html's Timings and the API's progress[stage].seconds)
  const stageList = Object.entries(result.stageSeconds) as [Stage, number][];
  const wall = stageList.reduce((a, [, v]) => a + v, 0);
  if (run.status !== 'SUCCEEDED') {
    process.stderr.write(
      `run ${run.runId} ${run.status}${stageList.length > 0 ? ` after ${formatDuration(wall)}` : ''}${run.error ? `: ${run.error.code}: ${run.error.message}` : ''}\n`,
    );
    return exitCodeOf(run);
  }
  const stages = stageList.map(([s, v]) => `${STAGE_SHORT[s]} ${v.toFixed(1)} s`).join(', ');
  const csvs = [...result.artifacts.keys()].filter((n) => !n.endsWith('.parquet')).sort();
  process.stdout.write(
    [
      `run ${run.runId} SUCCEEDED in ${wall.toFixed(1)} s (${stages})`,
      `  dataset ${run.provenance.datasetId}, spec ${run.provenance.specHash.slice(0, 12)}, code ${run.provenance.codeVersion}`,
      '',
      summaryTable(run),
      '',
      `artifacts (${result.artifacts.size} files, sha256-checked) in ${shortPath(outDir)}/: ${csvs.join(', ')}, and Parquet copies`,
      ...(reportPath !== undefined ? [`report: ${shortPath(reportPath)}`] : []),
      '',
    ].join('\n'),
  );
  return 0;
}

export interface BacktestCommandOptions {
  readonly specFile: string;
  readonly data?: string;
  readonly outDir: string;
  readonly start?: string;
  readonly end?: string;
  readonly json: boolean;
  readonly root: string;
  readonly tenant?: string;
}

/** One backtest through a local stack started for it (and stopped after). */
export async function runBacktest(
  options: BacktestCommandOptions,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const spec = readSpecFile(options.specFile, {
    ...(options.start !== undefined && { start: options.start }),
    ...(options.end !== undefined && { end: options.end }),
  });
  const progress = new ProgressPrinter(!options.json);
  const t0 = performance.now();
  stopSignal().throwIfAborted();
  progress.message('starting the local stack (S3, DynamoDB, Step Functions, Lambda workers)…');
  const stack = await startLocalStack({
    root: options.root,
    ...(options.tenant !== undefined && { defaultTenant: options.tenant }),
  });
  try {
    const startSeconds = (performance.now() - t0) / 1000;
    if (stack.abandoned.length > 0) {
      progress.message(`marked ${stack.abandoned.length} unfinished run(s) of a previous process FAILED`);
    }
    progress.message(
      `local stack up in ${startSeconds.toFixed(1)} s (${stack.workers} workers; state machine ${stack.definition.synthesized ? 'synthesised' : 'from cache'})`,
    );
    const published = await publishSpecDataset(stack, spec, options.data);
    if (published.dir !== undefined) {
      progress.message(
        `dataset ${published.datasetId} ${published.copied ? 'published from' : 'already in the local lake:'} ${shortPath(published.dir)}`,
      );
    }
    const result = await runThroughApi(stack, spec, { outDir: options.outDir, progress });
    return report(result, options.outDir, options.json, {
      ...extra,
      startupSeconds: Number(startSeconds.toFixed(3)),
      totalSeconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
      // this process: the local stack, the handlers' worker threads and the CLI (maxRSS is in KiB)
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    });
  } finally {
    await stack.stop();
  }
}

export function backtestCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const start = flagDate(args, 'start');
  const end = flagDate(args, 'end');
  if (start !== undefined && end !== undefined && end < start) {
    throw new InvalidInputError(`--end ${end} is before --start ${start}`, { field: 'end' });
  }
  const dataFlag = flagString(args, 'data');
  const data = dataFlag === undefined ? undefined : resolveDataFlag(dataFlag, root, existsSync);
  const tenant = flagString(args, 'tenant');
  return runBacktest({
    specFile: resolve(requireFlag(args, 'spec')),
    outDir: resolve(flagString(args, 'out') ?? 'outputs'),
    json,
    root,
    ...(data !== undefined && { data }),
    ...(start !== undefined && { start }),
    ...(end !== undefined && { end }),
    ...(tenant !== undefined && { tenant }),
  });
}

/**
 * `hts demo`: the demo dataset (made when missing), the demo spec through the local stack, the summary and
 * where the artifacts and report.html are (`outputs/` unless `--out`).
 */
export async function demoCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const dir = join(root, 'datasets', 'demo');
  let generatedSeconds: number | undefined;
  if (!existsSync(join(dir, 'manifest.json'))) {
    const t0 = performance.now();
    if (!json) process.stderr.write(`making the demo dataset in ${shortPath(dir)} (first run only)\n`);
    await generateDataset({ out: dir, ...DEMO_DATASET, progress: !json, signal: stopSignal() });
    generatedSeconds = (performance.now() - t0) / 1000;
    if (!json) {
      const s = await describeDataset(dir);
      process.stderr.write(
        `  ${s.symbols} symbols, ${s.period.start} → ${s.period.end}, ${s.bars} hourly bars\n`,
      );
    }
  }
  if (!json)
    process.stdout.write(
      `hts demo: ${shortPath(DEMO_SPEC_FILE)} on the demo dataset, through the local stack\n`,
    );
  return runBacktest(
    {
      specFile: DEMO_SPEC_FILE,
      data: dir,
      outDir: resolve(flagString(args, 'out') ?? 'outputs'),
      json,
      root,
    },
    generatedSeconds === undefined ? {} : { datasetGeneratedSeconds: Number(generatedSeconds.toFixed(3)) },
  );
}
