import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DiskObjectStore } from '../../../lib/adapters/disk-object-store.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { loadBarPanels } from '../../../lib/data/bar-panels.ts';
import { DatasetReader, datasetIdOf } from '../../../lib/data/dataset.ts';
import { type DatasetSummary, summarizeDataset } from '../../../lib/data/dataset-summary.ts';
import { type GenerateResult, generateSyntheticMarket } from '../../../lib/data/synthetic/generate.ts';
import { loadBundledMembership } from '../../paths.ts';
import { readDatasetManifest } from '../../stack/publish-dataset.ts';
import { flagDate, flagInt, type ParsedArgs, requireFlag, resolveDataFlag } from '../args.ts';
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

export interface DatasetListing {
  /** The folder's name under ROOT/datasets: what `--data NAME` and a spec's `{"name": …}` use. */
  readonly name: string;
  readonly dir: string;
  readonly datasetId: string;
  /** The name the manifest records (the generator's or importer's). */
  readonly manifestName: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly symbols: number;
  readonly series: readonly string[];
}

/** The datasets of a local root (`ROOT/datasets/*` holding a manifest), by name; unreadable folders are skipped. */
export async function listDatasets(root: string): Promise<DatasetListing[]> {
  const base = join(root, 'datasets');
  if (!existsSync(base)) return [];
  const out: DatasetListing[] = [];
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(base, entry.name);
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    const manifest = await readDatasetManifest(dir);
    out.push({
      name: entry.name,
      dir,
      datasetId: datasetIdOf(manifest),
      manifestName: manifest.name,
      period: manifest.period,
      symbols: manifest.symbols.length,
      series: manifest.series,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function formatListing(list: readonly DatasetListing[], root: string): string {
  if (list.length === 0) {
    return `no datasets under ${join(root, 'datasets')} (hts demo makes one; hts data generate --out ${join(root, 'datasets', 'NAME')} another)\n`;
  }
  const rows = [
    ['name', 'id', 'period', 'symbols', 'series'],
    ...list.map((d) => [
      d.name,
      d.datasetId,
      `${d.period.start} → ${d.period.end}`,
      String(d.symbols),
      d.series.join(', '),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

export async function dataCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const sub = args.positionals[1];
  if (sub === 'list') {
    const list = await listDatasets(root);
    process.stdout.write(json ? `${JSON.stringify({ root, datasets: list })}\n` : formatListing(list, root));
    return 0;
  }
  if (sub === 'generate') {
    const out = resolve(requireFlag(args, 'out'));
    const start = flagDate(args, 'start') ?? '2015-01-01';
    const end = flagDate(args, 'end') ?? '2024-12-31';
    const seed = flagInt(args, 'seed') ?? 7;
    if (seed < 0) throw new InvalidInputError(`--seed must be >= 0, received ${seed}`, { field: 'seed' });
    if (end < start) {
      throw new InvalidInputError(`--end ${end} is before --start ${start}`, { field: 'end' });
    }
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
    const dir = resolveDataFlag(requireFlag(args, 'data'), root, existsSync);
    const summary = await describeDataset(dir);
    process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary, dir)}\n`);
    return 0;
  }
  throw new InvalidInputError(
    `unknown command 'data ${sub ?? ''}', expected 'data list', 'data generate', 'data import' or 'data describe'`,
    { field: 'command' },
  );
}
