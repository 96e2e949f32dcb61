/**
 * Corporate actions with delistings, end to end through the data layer: import (CSV and Parquet, the former
 * split-only columns), storage round trip, point-in-time visibility, and the dataset summary's data gaps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import { loadBarPanels } from '../../lib/data/bar-panels.ts';
import { DatasetReader, datasetKeys } from '../../lib/data/dataset.ts';
import { summarizeDataset } from '../../lib/data/dataset-summary.ts';
import { importDataset } from '../../lib/data/importer.ts';
import { createPitView } from '../../lib/data/pit-view.ts';
import { ACTION_DELISTING, ACTION_SPLIT } from '../../lib/data/schemas.ts';

const EXAMPLE_DIR = join(import.meta.dirname, '..', '..', 'examples', 'import-tiny');
const utf8 = new TextEncoder();

function exampleFiles(): Map<string, Uint8Array> {
  return new Map(
    readdirSync(EXAMPLE_DIR)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((f) => [f, new Uint8Array(readFileSync(join(EXAMPLE_DIR, f)))] as const),
  );
}

const ms = (iso: string): number => Date.parse(iso);

/** A split of AAPL (announced before its ex-date), a delisting of MSFT with a price, one of JPM without. */
const ACTIONS_CSV = [
  'symbol,event_time,public_release_time,ingest_time,action,ratio,last_price,delisting_return',
  'MSFT,2024-03-05T16:00:00-05:00,2024-02-27T16:15:00-05:00,2024-02-27T16:25:00-05:00,delisting,,401.15,',
  'AAPL,2024-03-04T09:30:00-05:00,2024-02-28T16:15:00-05:00,2024-02-28T16:15:00-05:00,split,4,,',
  'JPM,2024-03-12T16:00:00-04:00,2024-03-13T08:00:00-04:00,2024-03-13T08:00:00-04:00,delisting,,,-0.05',
].join('\n');

async function importWith(files: Map<string, Uint8Array>): Promise<DatasetReader> {
  const store = new MemoryObjectStore();
  await importDataset(files, { name: 'tiny' }, store);
  return DatasetReader.open(store);
}

async function rejection(files: Map<string, Uint8Array>): Promise<DataIntegrityError> {
  const e = await importDataset(files, { name: 'tiny' }, new MemoryObjectStore()).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DataIntegrityError);
  return e as DataIntegrityError;
}

describe('corporate actions: import and storage round trip', () => {
  it('imports a CSV of splits and delistings and reads it back row for row', async () => {
    const files = exampleFiles();
    files.set('corporate_actions.csv', utf8.encode(ACTIONS_CSV));
    const reader = await importWith(files);
    const ca = await reader.readSeries('corporate_actions');
    // sorted by (entity, known_time): AAPL, JPM, MSFT
    expect(ca.n).toBe(3);
    expect([...ca.entity].map((e) => ca.entityNames[e])).toEqual(['AAPL', 'JPM', 'MSFT']);
    expect([...ca.fields.action!]).toEqual([ACTION_SPLIT, ACTION_DELISTING, ACTION_DELISTING]);
    expect(ca.fields.ratio![0]).toBe(4);
    expect(Number.isNaN(ca.fields.ratio![1]!) && Number.isNaN(ca.fields.ratio![2]!)).toBe(true);
    expect(Number.isNaN(ca.fields.last_price![1]!)).toBe(true); // not given: NaN, never 0
    expect(ca.fields.last_price![2]).toBe(401.15);
    expect(ca.fields.delisting_return![1]).toBe(-0.05);
    expect(Number.isNaN(ca.fields.delisting_return![2]!)).toBe(true);
    expect(ca.eventTime[2]).toBe(ms('2024-03-05T21:00:00Z'));
    expect(ca.knownTime[2]).toBe(ms('2024-02-27T21:25:00Z')); // derived: max(release, ingest)
    // stored with the action as text, so the file reads in any Parquet tool
    const stored = new TextDecoder().decode(
      await reader.getVerified(datasetKeys.series('corporate_actions')),
    );
    expect(stored).toContain('delisting');

    // the same rows as Parquet (empty cells as nulls) give the same stored object
    const times = (...iso: string[]): ColumnSource['data'] => BigInt64Array.from(iso, (x) => BigInt(ms(x)));
    const columnData: ColumnSource[] = [
      { name: 'symbol', data: ['MSFT', 'AAPL', 'JPM'], type: 'STRING', nullable: false },
      {
        name: 'event_time',
        data: times('2024-03-05T21:00:00Z', '2024-03-04T14:30:00Z', '2024-03-12T20:00:00Z'),
        type: 'INT64',
        nullable: false,
      },
      {
        name: 'public_release_time',
        data: times('2024-02-27T21:15:00Z', '2024-02-28T21:15:00Z', '2024-03-13T12:00:00Z'),
        type: 'INT64',
        nullable: false,
      },
      {
        name: 'ingest_time',
        data: times('2024-02-27T21:25:00Z', '2024-02-28T21:15:00Z', '2024-03-13T12:00:00Z'),
        type: 'INT64',
        nullable: false,
      },
      { name: 'action', data: ['delisting', 'split', 'delisting'], type: 'STRING', nullable: false },
      { name: 'ratio', data: [null, 4, null], type: 'DOUBLE', nullable: true },
      { name: 'last_price', data: [401.15, null, null], type: 'DOUBLE', nullable: true },
      { name: 'delisting_return', data: [null, null, -0.05], type: 'DOUBLE', nullable: true },
    ];
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData }));
    const viaParquet = exampleFiles();
    viaParquet.set('corporate_actions.parquet', parquet);
    const key = datasetKeys.series('corporate_actions');
    const sha = (r: DatasetReader) => r.manifest.objects.find((o) => o.key === key)!.sha256;
    expect(sha(await importWith(viaParquet))).toBe(sha(reader));
  });

  it("keeps reading split-only files: no action column, or the former 'kind' column", async () => {
    const splitRow = 'AAPL,2024-03-04T09:30:00-05:00,2024-02-28T16:15:00-05:00,2024-02-28T16:15:00-05:00';
    const bare = exampleFiles();
    bare.set(
      'corporate_actions.csv',
      utf8.encode(`symbol,event_time,public_release_time,ingest_time,ratio\n${splitRow},4\n`),
    );
    const legacy = exampleFiles();
    legacy.set(
      'corporate_actions.csv',
      utf8.encode(`symbol,event_time,public_release_time,ingest_time,kind,ratio\n${splitRow},split,4\n`),
    );
    const a = await (await importWith(bare)).readSeries('corporate_actions');
    const b = await (await importWith(legacy)).readSeries('corporate_actions');
    for (const ca of [a, b]) {
      expect([...ca.fields.action!]).toEqual([ACTION_SPLIT]);
      expect([...ca.fields.ratio!]).toEqual([4]);
    }
    const both = exampleFiles();
    both.set(
      'corporate_actions.csv',
      utf8.encode(
        `symbol,event_time,public_release_time,ingest_time,kind,action,ratio\n${splitRow},split,split,4\n`,
      ),
    );
    expect((await rejection(both)).details.rule).toBe('duplicate_column');
  });

  it('rejects a bad row naming the file, the row and the column', async () => {
    const lines = ACTIONS_CSV.split('\n');
    const cases: [string, string][] = [
      [lines[1]!.replace(',delisting,,', ',delisting,2,'), 'ratio'], // a delisting with a ratio
      [lines[2]!.replace(',split,4,', ',split,,'), 'ratio'], // a split without one
      [lines[1]!.replace('401.15', '-3'), 'last_price'],
      [lines[1]!.replace(',delisting,', ',merger,'), 'action'],
    ];
    for (const [row, column] of cases) {
      const files = exampleFiles();
      files.set('corporate_actions.csv', utf8.encode([lines[0], lines[2], row].join('\n')));
      const e = await rejection(files);
      expect(e.details.dataset).toBe('corporate_actions.csv');
      expect(e.details.rule).toBe('row_schema');
      expect(e.details.row).toBe(2);
      expect(e.details.column).toBe(column);
      expect(e.message).toContain('row 2 (1-based');
    }
  });
});

describe('corporate actions: point in time', () => {
  it('a delisting announced after T is invisible at T, and perturbing it changes nothing seen at T', async () => {
    const files = exampleFiles();
    files.set('corporate_actions.csv', utf8.encode(ACTIONS_CSV));
    const ca = await (await importWith(files)).readSeries('corporate_actions');
    const jpm = ca.entityNames.indexOf('JPM');
    const T = ms('2024-03-12T21:00:00Z'); // after JPM's last close, before its delisting is known
    const view = createPitView(ca);
    expect(view.rowAsOf(jpm, T)).toBe(-1);
    expect(view.withCutoff(T).value(jpm, 'action')).toBeNaN();
    expect(view.rowAsOf(jpm, ms('2024-03-13T12:00:00Z'))).toBeGreaterThanOrEqual(0);
    // change everything about the late row: what is known at T is the same
    const perturbed = {
      ...ca,
      fields: {
        ...ca.fields,
        delisting_return: ca.fields.delisting_return!.map((x, i) => (ca.knownTime[i]! > T ? -0.9 : x)),
      },
    };
    const atT = (t: typeof ca) => [...createPitView(t).asOf(T).row];
    expect(atT(perturbed)).toEqual(atT(ca));
  });
});

describe('dataset summary: data gaps', () => {
  /** The example with MSFT's bars stopping after 2024-03-05 and JPM's missing for the session of 2024-03-07. */
  function withGaps(): Map<string, Uint8Array> {
    const files = exampleFiles();
    const lines = new TextDecoder().decode(files.get('bars.csv')!).trimEnd().split('\n');
    const kept = lines.filter(
      (l, i) =>
        i === 0 ||
        !(
          (l.includes(',MSFT,') && l.slice(0, 10) > '2024-03-05') ||
          (l.includes(',JPM,') && l.startsWith('2024-03-07')) ||
          (l.includes(',AAPL,') && /^2024-03-08T1[0-4]/.test(l)) // 10:30-14:30, part of a session: no gap
        ),
    );
    files.set('bars.csv', utf8.encode(`${kept.join('\n')}\n`));
    return files;
  }

  async function summary(files: Map<string, Uint8Array>) {
    const reader = await importWith(files);
    const { start, end } = reader.manifest.period;
    return summarizeDataset(reader, await loadBarPanels(reader, start, end));
  }

  it('lists a stop and a full-session pause of a member without a delisting event', async () => {
    const s = await summary(withGaps());
    expect(s.delistings).toBe(0);
    expect(s.gaps).toEqual([
      {
        symbol: 'JPM',
        lastBar: '2024-03-06T21:00:00.000Z',
        resumesAt: '2024-03-08T15:30:00.000Z',
        missingSessions: 1,
      },
      { symbol: 'MSFT', lastBar: '2024-03-05T21:00:00.000Z', resumesAt: null, missingSessions: 5 },
    ]);
    expect(s.sectorHistory).toBe('static');
  });

  it('does not list a stop that a delisting event explains', async () => {
    const files = withGaps();
    files.set('corporate_actions.csv', utf8.encode(ACTIONS_CSV));
    const s = await summary(files);
    expect(s.delistings).toBe(2);
    expect(s.gaps.map((g) => g.symbol)).toEqual(['JPM']);
  });

  it('lists nothing for complete data', async () => {
    expect((await summary(exampleFiles())).gaps).toEqual([]);
  });
});
