/**
 * Issue 15, "corrupt data accepted": a Parquet page edited with the manifest re-hashed gave a negative close and the
 * run SUCCEEDED; a corrupt `--data` folder whose manifest matched a published dataset was used unchecked; a garbled
 * manifest was `INTERNAL: Unterminated string in JSON`, exit 1, naming no file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import {
  barColumns,
  type DatasetManifest,
  DatasetReader,
  DatasetWriter,
  datasetKeys,
  verifyDatasetObjects,
} from '../../lib/data/dataset.ts';
import { datasetManifestKey, datasetPrefix } from '../../lib/data/dataset-keys.ts';
import type { BarTable } from '../../lib/data/tables.ts';
import { publishDataset, readDatasetManifest } from '../../local/stack/publish-dataset.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hts-integrity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MONTH = '2024-03';
const grid = buildBarGrid('2024-03-01', '2024-03-29');
const symbols = ['AAPL', 'MSFT', 'SPY'];

/** Every grid bar of March 2024 for each symbol, valid. */
function bars(): BarTable {
  const nA = symbols.length;
  const n = grid.nT * nA;
  const t: BarTable = {
    n,
    ts: new Float64Array(n),
    symbol: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let a = 0; a < nA; a++) {
    for (let k = 0; k < grid.nT; k++) {
      const i = a * grid.nT + k;
      t.ts[i] = grid.closeMs[k]!;
      t.symbol[i] = a;
      t.open[i] = 100 + k;
      t.close[i] = 100.5 + k;
      t.high[i] = 101 + k;
      t.low[i] = 99 + k;
      t.volume[i] = 1000;
    }
  }
  return t;
}

/** A one-month dataset whose writer did not check the bars (what an edited page with a re-hashed manifest is). */
async function writeDataset(store: DiskObjectStore | MemoryObjectStore, table: BarTable) {
  const writer = new DatasetWriter(store, '');
  await writer.putParquet(datasetKeys.barsMonth(MONTH), barColumns(table, symbols));
  return writer.finish({
    name: 'tiny',
    source: { test: true },
    period: { start: '2024-03-01', end: '2024-03-29' },
    symbols,
    months: [MONTH],
    series: [],
    entityNames: {},
  });
}

describe('data/dataset: DatasetReader.readBarsMonth re-applies the bar invariants', () => {
  it('reads a valid month', async () => {
    const store = new MemoryObjectStore();
    await writeDataset(store, bars());
    const table = await (await DatasetReader.open(store)).readBarsMonth(MONTH);
    expect(table.n).toBe(grid.nT * 3);
  });

  const corruptions: [string, (t: BarTable, i: number) => void, string][] = [
    [
      'a negative close',
      (t, i) => {
        t.close[i] = -5;
      },
      'positive_price',
    ],
    [
      'a high below the close',
      (t, i) => {
        t.high[i] = t.close[i]! - 1;
      },
      'high_ge_max_open_close',
    ],
    [
      'a low above the open',
      (t, i) => {
        t.low[i] = t.open[i]! + 1;
      },
      'low_le_min_open_close',
    ],
    [
      'a negative volume',
      (t, i) => {
        t.volume[i] = -1;
      },
      'volume_positive',
    ],
    [
      'a NaN open',
      (t, i) => {
        t.open[i] = Number.NaN;
      },
      'finite_price',
    ],
    [
      'a bar off the hourly grid',
      (t, i) => {
        t.ts[i] = t.ts[i]! - 60_000;
      },
      'on_grid',
    ],
  ];
  it.each(corruptions)(
    '%s → DATA_INTEGRITY naming the file, row, symbol and rule',
    async (_n, corrupt, rule) => {
      const store = new MemoryObjectStore();
      const table = bars();
      const row = grid.nT + 17; // MSFT's 18th bar
      corrupt(table, row);
      await writeDataset(store, table);
      const reader = await DatasetReader.open(store); // the manifest hashes match: only the rules can tell
      const error = await reader.readBarsMonth(MONTH).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataIntegrityError);
      const e = error as DataIntegrityError;
      expect(e.details).toMatchObject({ dataset: 'bars/month=2024-03/part-0.parquet', row, rule });
      expect(e.message).toContain('bars/month=2024-03/part-0.parquet');
      expect(e.message).toContain('MSFT');
    },
  );
});

describe('local/publish-dataset: a --data folder is verified before its id is trusted', () => {
  it('a folder whose objects no longer match its manifest is refused, even when the lake has that id', async () => {
    const dir = join(tmp, 'published');
    const { datasetId } = await writeDataset(new DiskObjectStore(dir), bars());
    const lake = new MemoryObjectStore();
    const first = await publishDataset(lake, dir, ['tiny']);
    expect(first).toMatchObject({ datasetId, copied: true });
    expect((await publishDataset(lake, dir)).copied).toBe(false);

    // same length, one byte flipped in the Parquet page: the manifest (and so the id) is unchanged
    const file = join(dir, datasetKeys.barsMonth(MONTH));
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const error = await publishDataset(lake, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as Error).message).toContain(datasetKeys.barsMonth(MONTH));
    expect((error as DataIntegrityError).details).toMatchObject({ rule: 'content_hash' });
    // the lake's copy is untouched and still reads
    const reader = await DatasetReader.open(lake, datasetPrefix(datasetId));
    expect((await reader.readBarsMonth(MONTH)).n).toBe(grid.nT * 3);

    rmSync(file);
    await expect(publishDataset(lake, dir)).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
      details: { rule: 'object_present' },
    });
  });

  it('verifyDatasetObjects names a size mismatch', async () => {
    const store = new MemoryObjectStore();
    const { manifest } = await writeDataset(store, bars());
    const wrong: DatasetManifest = {
      ...manifest,
      objects: manifest.objects.map((o) => ({ ...o, bytes: o.bytes + 1 })),
    };
    await expect(verifyDatasetObjects(store, '', wrong)).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
      details: { rule: 'content_size', dataset: datasetKeys.barsMonth(MONTH) },
    });
    expect(await store.head(datasetManifestKey('ds_000000000000000000000000'))).toBeUndefined();
  });

  it('a garbled manifest is DATA_INTEGRITY naming the file, not INTERNAL', async () => {
    const dir = join(tmp, 'garbled');
    await writeDataset(new DiskObjectStore(dir), bars());
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    writeFileSync(join(dir, 'manifest.json'), text.slice(0, 200));
    await expect(readDatasetManifest(dir)).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
      message: expect.stringContaining(join(dir, 'manifest.json')),
    });
    writeFileSync(join(dir, 'manifest.json'), '{"schemaVersion": 1}');
    await expect(readDatasetManifest(dir)).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
      message: expect.stringContaining('is not a dataset manifest'),
    });
  });

  it('the CLI exits 2 with DATA_INTEGRITY naming the garbled manifest (hts audit lookahead --data)', () => {
    const dir = join(tmp, 'garbled-cli');
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(
      join(tmp, 'spec.json'),
      JSON.stringify({
        specVersion: 1,
        dataset: { name: 'x' },
        period: { start: '2024-03-04', end: '2024-03-28' },
        features: ['ret_1'],
      }),
    );
    const store = new DiskObjectStore(dir);
    return writeDataset(store, bars()).then(() => {
      writeFileSync(join(dir, 'manifest.json'), '{"schemaVersion": 1, "name": "tin');
      const cli = new URL('../../local/cli/main.ts', import.meta.url).pathname;
      const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
      const r = spawnSync(
        tsx,
        [
          cli,
          'audit',
          'lookahead',
          '--spec',
          join(tmp, 'spec.json'),
          '--at',
          '2024-03-20',
          '--data',
          dir,
          '--json',
        ],
        { encoding: 'utf8', cwd: tmp, timeout: 120_000 },
      );
      expect(r.status).toBe(2);
      const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(out.error.code).toBe('DATA_INTEGRITY');
      expect(out.error.message).toContain(join(dir, 'manifest.json'));
    });
  });
});
