/**
 * `hts data import --from DIR --out DIR [--name NAME] [--json]`: reads the input folder's files, imports them
 * with `importDataset` into a temp folder next to `--out`, and renames it into place only once everything has
 * validated and the manifest is written. A failed import removes the temp folder: `--out` is never created, and
 * an existing dataset there is left untouched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DiskObjectStore } from '../../../lib/adapters/disk-object-store.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { loadBarPanels } from '../../../lib/data/bar-panels.ts';
import { DatasetReader } from '../../../lib/data/dataset.ts';
import { type DatasetSummary, summarizeDataset } from '../../../lib/data/dataset-summary.ts';
import { type ImportResult, importDataset } from '../../../lib/data/importer.ts';
import { loadBundledMembership } from '../../paths.ts';
import { flagString, type ParsedArgs, requireFlag } from '../args.ts';
import { int, Progress, table } from '../output.ts';

/** The label recorded when membership or sectors come from the bundled real S&P 500 files. */
export const BUNDLED_MEMBERSHIP_LABEL =
  'bundled data/sp500 (membership_spells.csv, constituents_sectors.csv)';

/** The input folder's `.csv` and `.parquet` files (other files, such as a README, are ignored). */
export function readInputFolder(from: string): Map<string, Uint8Array> {
  if (!existsSync(from) || !statSync(from).isDirectory()) {
    throw new InvalidInputError(`--from ${from} is not a folder`, { field: 'from', received: from });
  }
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(from).sort()) {
    if (!/\.(csv|parquet)$/.test(name)) continue;
    const path = join(from, name);
    if (!statSync(path).isFile()) continue;
    files.set(name, new Uint8Array(readFileSync(path)));
  }
  return files;
}

/** `--out` may be absent, an empty folder, or a dataset folder (it is replaced); anything else is refused. */
function checkOut(out: string, from: string): void {
  if (resolve(out) === resolve(from)) {
    throw new InvalidInputError('--out must differ from --from', { field: 'out', received: out });
  }
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) {
    throw new InvalidInputError(`--out ${out} exists and is not a folder`, { field: 'out', received: out });
  }
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes('manifest.json')) {
    throw new InvalidInputError(
      `--out ${out} is a non-empty folder that is not a dataset (no manifest.json); refusing to replace it`,
      { field: 'out', received: out },
    );
  }
}

/** Imports `from` into `out` atomically (see the file comment). */
export async function importFolder(from: string, out: string, name: string): Promise<ImportResult> {
  const files = readInputFolder(from);
  checkOut(out, from);
  const needsFallback = !files.has('membership.csv') || !files.has('sectors.csv');
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const temp = join(parent, `.${basename(out)}.importing-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  let result: ImportResult;
  try {
    result = await importDataset(
      files,
      {
        name,
        ...(needsFallback
          ? { fallback: { source: loadBundledMembership(), label: BUNDLED_MEMBERSHIP_LABEL } }
          : {}),
      },
      new DiskObjectStore(temp),
    );
    rmSync(join(temp, '.hts-tmp'), { recursive: true, force: true });
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(out)) {
    const old = join(parent, `.${basename(out)}.replaced-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    renameSync(out, old);
    renameSync(temp, out);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(temp, out);
  }
  return result;
}

/** Reads the imported dataset back (as `hts data describe` does): the import is only reported once it reads. */
async function summarizeImported(out: string): Promise<DatasetSummary> {
  const reader = await DatasetReader.open(new DiskObjectStore(out));
  const panels = await loadBarPanels(reader, reader.manifest.period.start, reader.manifest.period.end);
  return summarizeDataset(reader, panels);
}

export async function importCommand(args: ParsedArgs, json: boolean): Promise<number> {
  const from = resolve(requireFlag(args, 'from'));
  const out = resolve(requireFlag(args, 'out'));
  const name = flagString(args, 'name') ?? basename(from);
  const progress = new Progress(!json);
  const result = await importFolder(from, out, name);
  progress.done(`dataset ${result.datasetId} imported from ${from} into ${out}`);
  const summary = await summarizeImported(out);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...summary, import: result.report })}\n`);
    return 0;
  }
  const r = result.report;
  const rows: [string, string][] = [
    ['dataset', `${summary.datasetId} (${summary.name})`],
    ['folder', out],
    [
      'period',
      `${summary.period.start} → ${summary.period.end}: ${int(summary.sessions)} sessions, ${int(summary.bars)} hourly bars`,
    ],
    [
      'symbols',
      `${int(summary.symbols)} (index members: ${summary.membersAtStart} at start, ${summary.membersAtEnd} at end; SPY)`,
    ],
    ['bar rows', `${int(summary.barRows)} in ${r.months} month file(s)`],
    ...Object.entries(r.seriesRows).map(([k, v]): [string, string] => [`${k} rows`, int(v)]),
    ['membership', r.membershipSource],
    ['sectors', r.sectorsSource],
  ];
  if (r.assignedSectors.length > 0) {
    rows.push([
      'assigned sectors',
      `${r.assignedSectors.join(', ')} (no sector in the source; flagged in sectors.parquet)`,
    ]);
  }
  if (r.barsOutsideMembership.count > 0) {
    rows.push([
      'outside membership',
      `${int(r.barsOutsideMembership.count)} bar rows (kept: look-back history; see import-report.json)`,
    ]);
  }
  if (r.membersWithoutBars.count > 0) {
    const more = r.membersWithoutBars.count > 8 ? ', …' : '';
    rows.push([
      'members without bars',
      `${int(r.membersWithoutBars.count)} (${r.membersWithoutBars.examples.slice(0, 8).join(', ')}${more})`,
    ]);
  }
  if (r.sectorsWithoutBars.length > 0) {
    rows.push(['sectors not used', `${r.sectorsWithoutBars.join(', ')} (in sectors.csv, no bars)`]);
  }
  process.stdout.write(`${table(rows)}\n`);
  return 0;
}
