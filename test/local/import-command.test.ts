import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { parseArgs } from '../../local/cli/args.ts';
import { BUNDLED_MEMBERSHIP_LABEL, importCommand } from '../../local/cli/commands/import.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE_DIR = join(ROOT, 'examples', 'import-tiny');

let work: string;
let stdout: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'hts-import-'));
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the example folder with a broken bar: data row 4's open is NaN. */
function badInput(): string {
  const dir = join(work, 'bad');
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  const file = join(dir, 'bars.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  const cells = lines[4]!.split(',');
  cells[2] = 'NaN';
  lines[4] = cells.join(',');
  writeFileSync(file, lines.join('\n'));
  return dir;
}

const run = (...argv: string[]) =>
  importCommand(parseArgs(['data', 'import', ...argv]), argv.includes('--json'));

describe('import-command: importCommand', () => {
  it('imports the tiny example into --out, readable, with no temp folder left', async () => {
    const out = join(work, 'datasets', 'tiny');
    const code = await run('--from', EXAMPLE_DIR, '--out', out, '--json');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { datasetId: string; barRows: number; import: { barRows: number } };
    const reader = await DatasetReader.open(new DiskObjectStore(out));
    expect(printed.datasetId).toBe(reader.datasetId);
    expect(printed.barRows).toBe(308);
    expect(printed.import.barRows).toBe(308);
    expect(reader.manifest.name).toBe('import-tiny');
    expect(readdirSync(join(work, 'datasets'))).toEqual(['tiny']);
    expect(existsSync(join(out, '.hts-tmp'))).toBe(false);
  });

  it('prints a readable summary without --json', async () => {
    const out = join(work, 'tiny');
    expect(await run('--from', EXAMPLE_DIR, '--out', out, '--name', 'my-data')).toBe(0);
    expect(stdout).toContain('my-data');
    expect(stdout).toContain('308');
    expect(stdout).toContain('membership.csv');
  });

  it('falls back to the bundled membership and sectors when the files are absent', async () => {
    const from = join(work, 'bars-only');
    mkdirSync(from);
    cpSync(join(EXAMPLE_DIR, 'bars.csv'), join(from, 'bars.csv'));
    writeFileSync(join(from, 'README.md'), 'not data: ignored\n');
    const out = join(work, 'out');
    expect(await run('--from', from, '--out', out, '--json')).toBe(0);
    const report = (JSON.parse(stdout) as { import: { membershipSource: string; sectorsSource: string } })
      .import;
    expect(report.membershipSource).toBe(BUNDLED_MEMBERSHIP_LABEL);
    expect(report.sectorsSource).toBe(BUNDLED_MEMBERSHIP_LABEL);
    const sectors = await (await DatasetReader.open(new DiskObjectStore(out))).readSectors();
    expect(sectors.sector).toEqual(['Information Technology', 'Financials', 'Information Technology']);
  });

  it('a failed import leaves no --out folder and no temp folder', async () => {
    const from = badInput();
    const out = join(work, 'datasets', 'never');
    const error = await run('--from', from, '--out', out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as DataIntegrityError).code).toBe('DATA_INTEGRITY'); // main maps it to exit code 2
    expect((error as DataIntegrityError).details).toMatchObject({
      dataset: 'bars.csv',
      row: 4,
      rule: 'finite_price',
    });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(work, 'datasets'))).toEqual([]);
  });

  it('a failed import leaves an existing dataset untouched; a good one replaces it', async () => {
    const out = join(work, 'ds');
    const from = join(work, 'good');
    cpSync(EXAMPLE_DIR, from, { recursive: true });
    await run('--from', from, '--out', out);
    const before = readFileSync(join(out, 'manifest.json'));
    await expect(run('--from', badInput(), '--out', out)).rejects.toThrow(DataIntegrityError);
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(before);
    expect(readdirSync(work).sort()).toEqual(['bad', 'ds', 'good']);

    rmSync(join(from, 'fundamentals.csv'));
    await run('--from', from, '--out', out);
    const after = await DatasetReader.open(new DiskObjectStore(out));
    expect(after.manifest.series).toEqual([]);
    expect(existsSync(join(out, 'fundamentals'))).toBe(false); // replaced as a whole, not merged
    expect(readdirSync(work).sort()).toEqual(['bad', 'ds', 'good']);
  });

  it('bad usage: missing flags, --from not a folder, --out a folder that is not a dataset', async () => {
    await expect(run('--out', join(work, 'x'))).rejects.toThrow(InvalidInputError);
    await expect(run('--from', join(work, 'nope'), '--out', join(work, 'x'))).rejects.toThrow(
      'is not a folder',
    );
    const notDataset = join(work, 'mine');
    mkdirSync(notDataset);
    writeFileSync(join(notDataset, 'notes.txt'), 'keep me');
    await expect(run('--from', EXAMPLE_DIR, '--out', notDataset)).rejects.toThrow('refusing to replace it');
    expect(readFileSync(join(notDataset, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

describe('import-command: the hts CLI end to end', () => {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const cli = (...argv: string[]) =>
    spawnSync(tsx, [join(ROOT, 'local', 'cli', 'main.ts'), 'data', 'import', ...argv], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  it('exits 2 naming the file, row and rule; --json prints {error: {code, message, details}}', () => {
    const from = badInput();
    const out = join(work, 'out');
    const plain = cli('--from', from, '--out', out);
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain(
      'error DATA_INTEGRITY: bars.csv: row 4 (1-based data row, header not counted)',
    );
    expect(plain.stderr).toContain('finite_price');

    const json = cli('--from', from, '--out', out, '--json');
    expect(json.status).toBe(2);
    const body = JSON.parse(json.stdout) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe('DATA_INTEGRITY');
    expect(body.error.message).toContain('bars.csv: row 4');
    expect(body.error.details).toMatchObject({ dataset: 'bars.csv', row: 4, rule: 'finite_price' });
    expect(existsSync(out)).toBe(false);
  });
});
