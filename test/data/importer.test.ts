import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { loadBarPanels } from '../../lib/data/bar-panels.ts';
import { DatasetReader, datasetKeys } from '../../lib/data/dataset.ts';
import { parseNumberCell, parseTimeCell } from '../../lib/data/import-input.ts';
import { type ImportOptions, importDataset } from '../../lib/data/importer.ts';
import { encodeParquet } from '../../lib/data/parquet.ts';
import { loadMembershipSource } from '../../lib/data/universe.ts';

const EXAMPLE_DIR = join(import.meta.dirname, '..', '..', 'examples', 'import-tiny');
const utf8 = new TextEncoder();
const text = new TextDecoder();

function exampleFiles(): Map<string, Uint8Array> {
  return new Map(
    readdirSync(EXAMPLE_DIR)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((f) => [f, new Uint8Array(readFileSync(join(EXAMPLE_DIR, f)))] as const),
  );
}

function csvOf(files: Map<string, Uint8Array>, name: string): string {
  return text.decode(files.get(name)!);
}

/** A copy of the example with `name` rewritten by `edit` (which receives the file's lines, header first). */
function withEdit(name: string, edit: (lines: string[]) => string[]): Map<string, Uint8Array> {
  const files = exampleFiles();
  const lines = csvOf(files, name).trimEnd().split('\n');
  files.set(name, utf8.encode(`${edit(lines).join('\n')}\n`));
  return files;
}

/** Replaces field `column` of data row `row` (1-based, header not counted). */
function setCell(name: string, row: number, column: string, value: string): Map<string, Uint8Array> {
  return withEdit(name, (lines) => {
    const c = lines[0]!.split(',').indexOf(column);
    expect(c).toBeGreaterThanOrEqual(0);
    const cells = lines[row]!.split(',');
    cells[c] = value;
    lines[row] = cells.join(',');
    return lines;
  });
}

const OPTIONS: ImportOptions = { name: 'tiny' };

async function expectRejected(
  files: Map<string, Uint8Array>,
  expected: { file: string; rule: string; row?: number },
  options: ImportOptions = OPTIONS,
): Promise<DataIntegrityError> {
  const store = new MemoryObjectStore();
  const error = await importDataset(files, options, store).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataIntegrityError);
  const e = error as DataIntegrityError;
  expect(e.details.dataset).toBe(expected.file);
  expect(e.details.rule).toBe(expected.rule);
  expect(e.message.startsWith(`${expected.file}: `)).toBe(true);
  expect(e.message).toContain(expected.rule);
  if (expected.row !== undefined) {
    expect(e.details.row).toBe(expected.row);
    expect(e.message).toContain(`row ${expected.row} (1-based`);
  }
  expect(await store.list('')).toEqual([]); // nothing half-written
  return e;
}

interface CsvBar {
  symbol: string;
  tsMs: number;
  values: number[];
}

/** An independent reading of the example's bars.csv (Date.parse for the ISO times). */
function exampleBars(): CsvBar[] {
  const lines = csvOf(exampleFiles(), 'bars.csv').trimEnd().split('\n').slice(1);
  return lines.map((l) => {
    const [ts, symbol, ...rest] = l.split(',');
    return { symbol: symbol!, tsMs: Date.parse(ts!), values: rest.map(Number) };
  });
}

describe('importer: importDataset on the tiny example', () => {
  it('writes a dataset that reads back equal to the input', async () => {
    // Arrange
    const files = exampleFiles();
    const store = new MemoryObjectStore();
    // Act
    const result = await importDataset(files, OPTIONS, store);
    const reader = await DatasetReader.open(store);
    // Assert: manifest
    const m = reader.manifest;
    expect(reader.datasetId).toBe(result.datasetId);
    expect(m.name).toBe('tiny');
    expect(m.symbols).toEqual(['AAPL', 'JPM', 'MSFT', 'SPY']);
    expect(m.months).toEqual(['2024-02', '2024-03']);
    expect(m.period).toEqual({ start: '2024-02-27', end: '2024-03-12' });
    expect(m.series).toEqual(['fundamentals']);
    expect(m.source.importer).toBe('hts data import');
    expect(m.source.files).toEqual(
      [...files.keys()].map((name) => ({
        name,
        bytes: files.get(name)!.length,
        sha256: sha256Hex(files.get(name)!),
      })),
    );
    // bars: every input row, same values
    const input = exampleBars();
    const byKey = new Map<string, number[]>(input.map((b) => [`${b.symbol}|${b.tsMs}`, b.values]));
    let rows = 0;
    for (const month of m.months) {
      const t = await reader.readBarsMonth(month);
      for (let i = 0; i < t.n; i++) {
        const key = `${m.symbols[t.symbol[i]!]}|${t.ts[i]}`;
        const v = byKey.get(key);
        expect(v, key).toBeDefined();
        expect([
          t.open[i],
          t.high[i],
          t.low[i],
          t.close[i],
          t.volume[i],
          t.vwap?.[i],
          t.spreadBps?.[i],
        ]).toEqual(v);
        byKey.delete(key);
        rows++;
      }
    }
    expect(rows).toBe(308);
    expect(byKey.size).toBe(0);
    // the grid across the DST switch of 2024-03-10: 10:30 ET is 15:30Z before, 14:30Z after
    const panels = await loadBarPanels(reader, m.period.start, m.period.end);
    expect(panels.nT).toBe(77);
    expect(panels.grid.closeMs[0]).toBe(Date.parse('2024-02-27T15:30:00Z'));
    expect(panels.grid.closeMs[63]).toBe(Date.parse('2024-03-11T14:30:00Z'));
    expect(panels.close.every((x) => Number.isFinite(x))).toBe(true);
    expect(panels.close[0]).toBe(input.find((b) => b.symbol === 'AAPL')!.values[3]);
    // membership, sectors
    const membership = await reader.readMembership();
    expect([...membership.symbol]).toEqual([0, 1, 2]);
    expect([...membership.endMs]).toEqual([Infinity, Infinity, Infinity]);
    expect(membership.startMs[0]).toBe(Date.parse('1996-01-02T05:00:00Z'));
    const sectors = await reader.readSectors();
    expect(sectors.symbol).toEqual(['AAPL', 'JPM', 'MSFT']);
    expect(sectors.sector).toEqual(['Information Technology', 'Financials', 'Information Technology']);
    expect([...sectors.assigned]).toEqual([0, 0, 0]);
    // fundamentals: sorted by (entity, known_time, event_time), known_time derived, empty cell -> NaN
    const f = await reader.readSeries('fundamentals');
    expect(f.n).toBe(4);
    expect([...f.entity]).toEqual([0, 1, 2, 2]);
    expect([...f.fields.revision!]).toEqual([0, 0, 0, 1]);
    expect([...f.fields.eps!]).toEqual([2.18, 3.04, 2.93, 2.95]);
    expect(Number.isNaN(f.fields.gross_margin![1]!)).toBe(true);
    expect(f.knownTime[3]).toBe(Date.parse('2024-03-05T12:35:00Z'));
    for (let i = 0; i < f.n; i++)
      expect(f.knownTime[i]).toBe(Math.max(f.publicReleaseTime[i]!, f.ingestTime[i]!));
    // the report is stored with the dataset
    expect(result.report.barRows).toBe(308);
    expect(result.report.barsOutsideMembership.count).toBe(0);
    expect(JSON.parse(text.decode(await reader.getVerified('import-report.json')))).toEqual(result.report);
  });

  it('is deterministic, and epoch-ms or Parquet bars give the same bar objects as ISO CSV', async () => {
    const base = await importDataset(exampleFiles(), OPTIONS, new MemoryObjectStore());
    const again = await importDataset(exampleFiles(), OPTIONS, new MemoryObjectStore());
    expect(again.datasetId).toBe(base.datasetId);

    const barObjects = (r: typeof base) => r.manifest.objects.filter((o) => o.key.startsWith('bars/'));
    const epoch = withEdit('bars.csv', (lines) =>
      lines.map((l, i) =>
        i === 0 ? l : `${Date.parse(l.slice(0, l.indexOf(',')))}${l.slice(l.indexOf(','))}`,
      ),
    );
    const fromEpoch = await importDataset(epoch, OPTIONS, new MemoryObjectStore());
    expect(barObjects(fromEpoch)).toEqual(barObjects(base));
    expect(fromEpoch.datasetId).not.toBe(base.datasetId); // the source files (and their hashes) differ

    const input = exampleBars();
    const col = (k: number) => Float64Array.from(input, (b) => b.values[k]!);
    const parquet = encodeParquet([
      { name: 'ts', kind: 'epochMs', data: Float64Array.from(input, (b) => b.tsMs) },
      { name: 'symbol', kind: 'string', data: input.map((b) => b.symbol) },
      ...['open', 'high', 'low', 'close', 'volume', 'vwap', 'spread_bps'].map((name, k) => ({
        name,
        kind: 'f64' as const,
        data: col(k),
      })),
    ]);
    const files = exampleFiles();
    files.delete('bars.csv');
    files.set('bars.parquet', parquet);
    const fromParquet = await importDataset(files, OPTIONS, new MemoryObjectStore());
    expect(barObjects(fromParquet)).toEqual(barObjects(base));
  });

  it('accepts PIT rows in any order (sorted for storage) and a consistent known_time column', async () => {
    const base = await importDataset(exampleFiles(), OPTIONS, new MemoryObjectStore());
    const reversed = withEdit('fundamentals.csv', (lines) => [lines[0]!, ...lines.slice(1).reverse()]);
    const fromReversed = await importDataset(reversed, OPTIONS, new MemoryObjectStore());
    const key = datasetKeys.series('fundamentals');
    const sha = (r: typeof base) => r.manifest.objects.find((o) => o.key === key)!.sha256;
    expect(sha(fromReversed)).toBe(sha(base));

    const withKnown = withEdit('fundamentals.csv', (lines) =>
      lines.map((l, i) => {
        if (i === 0) return `${l},known_time`;
        const c = l.split(',');
        return `${l},${Math.max(Date.parse(c[3]!), Date.parse(c[4]!))}`;
      }),
    );
    expect(sha(await importDataset(withKnown, OPTIONS, new MemoryObjectStore()))).toBe(sha(base));
  });

  it('imports macro series with their names as entities, and Parquet PIT files with nulls', async () => {
    const files = exampleFiles();
    files.set(
      'macro.csv',
      utf8.encode(
        [
          'series,event_time,public_release_time,ingest_time,actual,consensus,revision',
          'UST_10Y,2024-03-01T21:00:00Z,2024-03-01T21:30:00Z,2024-03-01T21:31:00Z,4.19,,0',
          'CPI_YOY,2024-02-01T05:00:00Z,2024-03-12T12:30:00Z,2024-03-12T12:30:00Z,3.2,3.1,0',
        ].join('\n'),
      ),
    );
    const sentiment = encodeParquet([
      { name: 'symbol', kind: 'string', data: ['MSFT', 'AAPL'] },
      ...(['event_time', 'public_release_time', 'ingest_time'] as const).map((name) => ({
        name,
        kind: 'epochMs' as const,
        data: Float64Array.of(Date.parse('2024-03-05T13:00:00Z'), Date.parse('2024-03-04T13:00:00Z')),
      })),
      { name: 'score', kind: 'f64', data: Float64Array.of(0.25, -0.5) },
      { name: 'news_count', kind: 'i32', data: Int32Array.of(3, 7) },
    ]);
    files.set('sentiment.parquet', sentiment);
    const store = new MemoryObjectStore();
    const result = await importDataset(files, OPTIONS, store);
    expect(result.manifest.series).toEqual(['fundamentals', 'macro', 'sentiment']);
    expect(result.manifest.entityNames).toEqual({ macro: ['CPI_YOY', 'UST_10Y'] });
    const reader = await DatasetReader.open(store);
    const macro = await reader.readSeries('macro');
    expect([...macro.entity]).toEqual([0, 1]);
    expect(Number.isNaN(macro.fields.consensus![1]!)).toBe(true);
    const s = await reader.readSeries('sentiment');
    expect([...s.entity]).toEqual([0, 2]); // AAPL first: sorted by entity
    expect([...s.fields.score!]).toEqual([-0.5, 0.25]);
    expect([...s.fields.news_count!]).toEqual([7, 3]);
  });

  it('falls back to the given membership and sectors, assigning and flagging missing sectors', async () => {
    const fallback = loadMembershipSource(
      'ticker,start_date,end_date\nAAPL,1996-01-02,\nMSFT,2024-03-04,\nXOM,1996-01-02,\n',
      'Symbol,GICS Sector\nAAPL,Information Technology\nJPM,Financials\n',
    );
    const files = exampleFiles();
    files.delete('membership.csv');
    files.delete('sectors.csv');
    const store = new MemoryObjectStore();
    const result = await importDataset(
      files,
      { name: 'tiny', fallback: { source: fallback, label: 'test' } },
      store,
    );
    const r = result.report;
    expect(r.membershipSource).toBe('test');
    expect(r.sectorsSource).toBe('test');
    // MSFT has a spell but no sector; JPM no spell, so the source carries no sector for it: both assigned, flagged
    expect(r.assignedSectors).toEqual(['JPM', 'MSFT']);
    const sectors = await (await DatasetReader.open(store)).readSectors();
    expect(sectors.sector[0]).toBe('Information Technology');
    expect([...sectors.assigned]).toEqual([0, 1, 1]);
    expect(r.membersWithoutBars).toEqual({ count: 1, examples: ['XOM'] });
    // MSFT joins on 2024-03-04: its bars of 2024-02-27..03-01 (4 sessions) are outside, JPM has no spell at all
    expect(r.barsOutsideMembership.count).toBe(4 * 7 + 77);
    expect(r.barsOutsideMembership.examples[0]).toEqual({
      row: 78,
      symbol: 'JPM',
      ts: '2024-02-27T15:30:00.000Z',
    });

    const partial = exampleFiles();
    partial.set('sectors.csv', utf8.encode('symbol,sector\nAAPL,Information Technology\n'));
    const result2 = await importDataset(partial, OPTIONS, new MemoryObjectStore());
    expect(result2.report.assignedSectors).toEqual(['JPM', 'MSFT']);
  });
});

describe('importer: importDataset rejects bad input', () => {
  it('a NaN price (finite_price), naming the 1-based data row', async () => {
    const e = await expectRejected(setCell('bars.csv', 4, 'open', 'NaN'), {
      file: 'bars.csv',
      row: 4,
      rule: 'finite_price',
    });
    expect(e.message).toContain('AAPL');
  });

  it('high below close (high_ge_max_open_close)', async () => {
    await expectRejected(setCell('bars.csv', 10, 'high', '1'), {
      file: 'bars.csv',
      row: 10,
      rule: 'high_ge_max_open_close',
    });
  });

  it('a duplicate (symbol, ts) and an unsorted file (sorted_unique): rows are not reordered', async () => {
    const dup = withEdit('bars.csv', (lines) => [...lines.slice(0, 6), lines[5]!, ...lines.slice(6)]);
    await expectRejected(dup, { file: 'bars.csv', row: 6, rule: 'sorted_unique' });
    const swapped = withEdit('bars.csv', (lines) => [
      lines[0]!,
      lines[1]!,
      lines[3]!,
      lines[2]!,
      ...lines.slice(4),
    ]);
    await expectRejected(swapped, { file: 'bars.csv', row: 3, rule: 'sorted_unique' });
  });

  it('an off-grid ts such as 10:00 ET (on_grid)', async () => {
    await expectRejected(setCell('bars.csv', 8, 'ts', '2024-02-28T10:00:00-05:00'), {
      file: 'bars.csv',
      row: 8,
      rule: 'on_grid',
    });
    // 10:30 stamped with the daylight-time offset in winter is 09:30 EST, the open, not a bar close
    await expectRejected(setCell('bars.csv', 15, 'ts', '2024-02-29T10:30:00-04:00'), {
      file: 'bars.csv',
      row: 15,
      rule: 'on_grid',
    });
  });

  it('unparseable or ambiguous times (time_format), epoch seconds (time_range)', async () => {
    for (const bad of ['2024-02-28 10:30', '2024-02-28', 'yesterday', '2024-02-30T10:30:00Z']) {
      await expectRejected(setCell('bars.csv', 9, 'ts', bad), {
        file: 'bars.csv',
        row: 9,
        rule: 'time_format',
      });
    }
    await expectRejected(setCell('bars.csv', 9, 'ts', '1709134200'), {
      file: 'bars.csv',
      row: 9,
      rule: 'time_range',
    });
    await expectRejected(setCell('fundamentals.csv', 2, 'ingest_time', '2024-01-12'), {
      file: 'fundamentals.csv',
      row: 2,
      rule: 'time_format',
    });
  });

  it('an empty or non-numeric cell (missing_value, number_format)', async () => {
    await expectRejected(setCell('bars.csv', 5, 'close', ''), {
      file: 'bars.csv',
      row: 5,
      rule: 'missing_value',
    });
    await expectRejected(setCell('bars.csv', 5, 'vwap', ''), {
      file: 'bars.csv',
      row: 5,
      rule: 'missing_value',
    });
    await expectRejected(setCell('bars.csv', 5, 'volume', '12abc'), {
      file: 'bars.csv',
      row: 5,
      rule: 'number_format',
    });
  });

  it('a missing required column or an unknown one (no row)', async () => {
    const noVolume = withEdit('bars.csv', (lines) =>
      lines.map((l) => l.split(',').toSpliced(6, 1).join(',')),
    );
    const e = await expectRejected(noVolume, { file: 'bars.csv', rule: 'missing_column' });
    expect(e.message).toContain("'volume'");
    const extra = withEdit('bars.csv', (lines) => lines.map((l, i) => `${l},${i === 0 ? 'adj_close' : '1'}`));
    await expectRejected(extra, { file: 'bars.csv', rule: 'unknown_column' });
    const noRevision = withEdit('fundamentals.csv', (lines) =>
      lines.map((l) => l.split(',').slice(0, -1).join(',')),
    );
    await expectRejected(noRevision, { file: 'fundamentals.csv', rule: 'missing_column' });
  });

  it('bars without SPY (benchmark_present)', async () => {
    const noSpy = withEdit('bars.csv', (lines) => lines.filter((l) => !l.includes(',SPY,')));
    const e = await expectRejected(noSpy, { file: 'bars.csv', rule: 'benchmark_present' });
    expect(e.message).toContain('SPY');
  });

  it('an unknown sector name (gics_sector) and a bad membership spell (spell_overlap)', async () => {
    const e = await expectRejected(setCell('sectors.csv', 2, 'sector', 'Banks'), {
      file: 'sectors.csv',
      row: 2,
      rule: 'gics_sector',
    });
    expect(e.message).toContain('"Banks"');
    const overlap = withEdit('membership.csv', (lines) => [...lines, 'JPM,2020-01-01,2021-01-01']);
    await expectRejected(overlap, { file: 'membership.csv', row: 4, rule: 'spell_overlap' });
  });

  it('known_time inconsistent with max(public_release_time, ingest_time) (known_time_is_max)', async () => {
    const files = withEdit('fundamentals.csv', (lines) =>
      lines.map((l, i) => {
        if (i === 0) return `${l},known_time`;
        const c = l.split(',');
        return `${l},${i === 3 ? c[3] : c[4]}`; // row 3: the release time, but ingest came later
      }),
    );
    const e = await expectRejected(files, { file: 'fundamentals.csv', row: 3, rule: 'known_time_is_max' });
    expect(e.details.column).toBe('known_time');
  });

  it('PIT rows: a bad field, an unknown symbol, a duplicate key, a release before its event', async () => {
    await expectRejected(setCell('fundamentals.csv', 1, 'fiscal_period', '2023-Q4'), {
      file: 'fundamentals.csv',
      row: 1,
      rule: 'row_schema',
    });
    await expectRejected(setCell('fundamentals.csv', 2, 'symbol', 'GS'), {
      file: 'fundamentals.csv',
      row: 2,
      rule: 'known_symbol',
    });
    const dup = withEdit('fundamentals.csv', (lines) => [...lines, lines[2]!]);
    const e = await expectRejected(dup, {
      file: 'fundamentals.csv',
      row: 5,
      rule: 'unique_entity_known_event',
    });
    expect(e.details.otherRow).toBe(2);
    // file order MSFT rev 1, AAPL, JPM (released before its event), MSFT rev 0: sorted, JPM is still file row 3
    const early = withEdit('fundamentals.csv', (lines) => {
      const jpm = lines[2]!.split(',');
      jpm[2] = '2024-01-31T16:00:00-05:00';
      return [lines[0]!, lines[4]!, lines[1]!, jpm.join(','), lines[3]!];
    });
    await expectRejected(early, { file: 'fundamentals.csv', row: 3, rule: 'release_before_event' });
  });

  it('an unknown file, two formats of one file, no bars, no membership to fall back on', async () => {
    const cases: [Map<string, Uint8Array>, string][] = [];
    const typo = exampleFiles();
    typo.set('fundamental.csv', typo.get('fundamentals.csv')!);
    cases.push([typo, 'fundamental.csv']);
    const both = exampleFiles();
    both.set('bars.parquet', new Uint8Array(4));
    cases.push([both, 'both bars.csv and bars.parquet']);
    const noBars = exampleFiles();
    noBars.delete('bars.csv');
    cases.push([noBars, 'bars.csv or bars.parquet is required']);
    const noMembership = exampleFiles();
    noMembership.delete('membership.csv');
    cases.push([noMembership, 'membership.csv is missing']);
    for (const [files, message] of cases) {
      const store = new MemoryObjectStore();
      await expect(importDataset(files, OPTIONS, store)).rejects.toThrow(InvalidInputError);
      await expect(importDataset(files, OPTIONS, store)).rejects.toThrow(message);
      expect(await store.list('')).toEqual([]);
    }
  });

  it('a file that is not Parquet (parquet_format)', async () => {
    const files = exampleFiles();
    files.delete('bars.csv');
    files.set('bars.parquet', utf8.encode('ts,symbol\n'));
    await expectRejected(files, { file: 'bars.parquet', rule: 'parquet_format' });
  });
});

describe('import-input: parseTimeCell, parseNumberCell', () => {
  it('reads epoch ms and ISO-8601 with an offset; refuses ambiguous or invalid times', () => {
    expect(parseTimeCell('1709134200000')).toBe(1709134200000);
    expect(parseTimeCell(1709134200000)).toBe(1709134200000);
    expect(parseTimeCell('2024-02-28T10:30:00-05:00')).toBe(Date.parse('2024-02-28T15:30:00Z'));
    expect(parseTimeCell('2024-02-28T15:30Z')).toBe(Date.parse('2024-02-28T15:30:00Z'));
    expect(parseTimeCell('2024-02-28 15:30:00.25+0000')).toBe(Date.parse('2024-02-28T15:30:00.250Z'));
    expect(parseTimeCell('2024-02-28T15:30:00.123000Z')).toBe(Date.parse('2024-02-28T15:30:00.123Z'));
    expect(parseTimeCell('2024-02-28T15:30:00.1234Z')).toBeUndefined(); // finer than a millisecond
    expect(parseTimeCell('2024-02-28T15:30:00')).toBeUndefined(); // no offset
    expect(parseTimeCell('2024-02-29')).toBeUndefined(); // a date alone
    expect(parseTimeCell('2023-02-29T15:30Z')).toBeUndefined(); // not a leap year
    expect(parseTimeCell('2024-02-28T24:00Z')).toBeUndefined();
    expect(parseTimeCell(1.5)).toBeUndefined();
    expect(parseTimeCell('')).toBeNull();
    expect(parseTimeCell(null)).toBeNull();
  });

  it('reads decimal numbers and the non-finite words; refuses anything else', () => {
    expect(parseNumberCell('12')).toBe(12);
    expect(parseNumberCell('-0.5')).toBe(-0.5);
    expect(parseNumberCell('.5e2')).toBe(50);
    expect(parseNumberCell('NaN')).toBeNaN();
    expect(parseNumberCell('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseNumberCell('Infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(parseNumberCell('')).toBeNull();
    expect(parseNumberCell('1,5')).toBeUndefined();
    expect(parseNumberCell('0x10')).toBeUndefined();
    expect(parseNumberCell('12abc')).toBeUndefined();
  });
});
