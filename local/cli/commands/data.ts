import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiskObjectStore } from '../../../lib/adapters/disk-object-store.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { loadBarPanels } from '../../../lib/data/bar-panels.ts';
import { DatasetReader } from '../../../lib/data/dataset.ts';
import { type DatasetSummary, summarizeDataset } from '../../../lib/data/dataset-summary.ts';
import { type GenerateResult, generateSyntheticMarket } from '../../../lib/data/synthetic/generate.ts';
import { loadBundledMembership } from '../../paths.ts';
import { flagDate, flagInt, type ParsedArgs, requireFlag } from '../args.ts';
import { int, Progress, pct, table } from '../output.ts';
import { importCommand } from './import.ts';

export interface GenerateOptions {
  readonly out: string;
  readonly start: string;
  readonly end: string;
  readonly seed: number;
  readonly symbols?: readonly string[];
  readonly progress: boolean;
  /** Stops the generation at its next progress step (throwing the signal's reason); the manifest is not written. */
  readonly signal?: AbortSignal;
}

/** Generates a synthetic dataset into a folder (replacing what was there). */
export async function generateDataset(opts: GenerateOptions): Promise<GenerateResult> {
  const progress = new Progress(opts.progress);
  rmSync(opts.out, { recursive: true, force: true });
  const store = new DiskObjectStore(opts.out);
  const result = await generateSyntheticMarket(
    {
      start: opts.start,
      end: opts.end,
      seed: opts.seed,
      ...(opts.symbols ? { symbols: [...opts.symbols] } : {}),
    },
    loadBundledMembership(),
    store,
    '',
    (p) => {
      opts.signal?.throwIfAborted();
      progress.update(p.stage === 'bars' ? 'generating bars, month' : p.stage, p.done, p.total);
    },
  );
  progress.done(`dataset ${result.datasetId} written to ${opts.out}`);
  return result;
}

export async function describeDataset(dir: string): Promise<DatasetSummary> {
  if (!existsSync(resolve(dir, 'manifest.json'))) {
    throw new InvalidInputError(`${dir} is not a dataset folder (no manifest.json)`, { field: 'data' });
  }
  const reader = await DatasetReader.open(new DiskObjectStore(dir));
  const panels = await loadBarPanels(reader, reader.manifest.period.start, reader.manifest.period.end);
  return summarizeDataset(reader, panels);
}

export function formatSummary(s: DatasetSummary, dir: string): string {
  const rows: [string, string][] = [
    ['dataset', `${s.datasetId} (${s.name})`],
    ['folder', dir],
    [
      'period',
      `${s.period.start} → ${s.period.end}: ${int(s.sessions)} sessions, ${int(s.bars)} hourly bars`,
    ],
    [
      'symbols',
      `${int(s.symbols)} (index members: ${s.membersAtStart} at start, ${s.membersAtEnd} at end; SPY)`,
    ],
    [
      'bar rows',
      `${int(s.barRows)} (${int(s.barsOutsideMembership)} outside index membership: lead-ins, flagged)`,
    ],
    ...Object.entries(s.seriesRows).map(([k, v]): [string, string] => [`${k} rows`, int(v)]),
    ['delistings', int(s.delistings)],
    [
      'data gaps',
      s.gaps.length === 0
        ? "none (every stop of a member's bars has a delisting event)"
        : `${int(s.gaps.length)}: ${s.gaps
            .slice(0, 5)
            .map((g) => `${g.symbol} after ${g.lastBar}${g.resumesAt ? ` until ${g.resumesAt}` : ''}`)
            .join(', ')}${s.gaps.length > 5 ? ', …' : ''}`,
    ],
    ['sectors', s.sectorHistory === 'static' ? 'static (one snapshot for all times)' : 'point in time'],
  ];
  if (s.benchmark) {
    rows.push([
      'SPY (synthetic)',
      `total return ${pct(s.benchmark.totalReturn)}, volatility ${pct(s.benchmark.annualVolatility)}, max drawdown ${pct(s.benchmark.maxDrawdown)}`,
    ]);
  }
  rows.push(['size', `${(s.bytes / 1048576).toFixed(1)} MiB`]);
  return table(rows);
}

export async function dataCommand(args: ParsedArgs, json: boolean): Promise<number> {
  const sub = args.positionals[1];
  if (sub === 'generate') {
    const out = resolve(requireFlag(args, 'out'));
    const start = flagDate(args, 'start') ?? '2015-01-01';
    const end = flagDate(args, 'end') ?? '2024-12-31';
    const seed = flagInt(args, 'seed') ?? 7;
    if (seed < 0) throw new InvalidInputError(`--seed must be >= 0, received ${seed}`, { field: 'seed' });
    const result = await generateDataset({ out, start, end, seed, progress: !json });
    const summary = await describeDataset(out);
    if (json) process.stdout.write(`${JSON.stringify({ ...summary, generator: result.report })}\n`);
    else {
      process.stdout.write(`${formatSummary(summary, out)}\n`);
      process.stdout.write(
        `  planted signal: IC target ${result.report.plantedIcTarget}, realized IC ${result.report.realizedIc.toFixed(4)} (rank ${result.report.realizedRankIc.toFixed(4)})\n`,
      );
    }
    return 0;
  }
  if (sub === 'import') return importCommand(args, json);
  if (sub === 'describe') {
    const dir = resolve(requireFlag(args, 'data'));
    const summary = await describeDataset(dir);
    process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary, dir)}\n`);
    return 0;
  }
  throw new InvalidInputError(
    `unknown command 'data ${sub ?? ''}', expected 'data generate', 'data import' or 'data describe'`,
    {
      field: 'command',
    },
  );
}
