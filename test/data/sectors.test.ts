import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { importDataset } from '../../lib/data/importer.ts';
import { type SectorTable, sectorHistoryOf, sectorsAt, validateSectorTable } from '../../lib/data/sectors.ts';
import { GICS_SECTORS } from '../../lib/data/universe.ts';

const code = (name: string): number => GICS_SECTORS.indexOf(name as (typeof GICS_SECTORS)[number]);
const IT = code('Information Technology');
const COMM = code('Communication Services');
const FIN = code('Financials');

const STATIC: SectorTable = {
  symbol: ['AAPL', 'JPM'],
  sector: ['Information Technology', 'Financials'],
  assigned: Int32Array.of(0, 1),
};

/** GOOGL moves from IT to Communication Services on 2018-09-24; META is known only from 2012-05-18. */
const DATED: SectorTable = {
  symbol: ['GOOGL', 'GOOGL', 'META', 'META'],
  sector: [
    'Information Technology',
    'Communication Services',
    'Information Technology',
    'Communication Services',
  ],
  assigned: Int32Array.of(0, 0, 0, 0),
  effectiveDate: ['2004-08-19', '2018-09-24', '2012-05-18', '2018-09-24'],
};

describe('sectors: sectorsAt', () => {
  it('applies a static table at every time; -1 for a symbol it does not hold, never 0', () => {
    for (const at of ['1990-01-02', '2024-06-03', Date.UTC(2030, 0, 2)]) {
      expect([...sectorsAt(STATIC, ['AAPL', 'JPM', 'SPY'], at)]).toEqual([IT, FIN, -1]);
    }
    expect(sectorHistoryOf(STATIC)).toBe('static');
  });

  it('applies the row with the latest effective date on or before the date, -1 before the first', () => {
    const symbols = ['META', 'GOOGL'];
    expect([...sectorsAt(DATED, symbols, '2010-01-04')]).toEqual([-1, IT]);
    expect([...sectorsAt(DATED, symbols, '2018-09-21')]).toEqual([IT, IT]);
    expect([...sectorsAt(DATED, symbols, '2018-09-24')]).toEqual([COMM, COMM]); // effective on its date
    expect([...sectorsAt(DATED, symbols, '2024-01-02')]).toEqual([COMM, COMM]);
    expect(sectorHistoryOf(DATED)).toBe('point_in_time');
  });

  it('reads epoch ms as its New York date, and ignores row order', () => {
    // 2018-09-24T03:00Z is still 2018-09-23 in New York
    expect([...sectorsAt(DATED, ['GOOGL'], Date.UTC(2018, 8, 24, 3))]).toEqual([IT]);
    expect([...sectorsAt(DATED, ['GOOGL'], Date.UTC(2018, 8, 24, 14))]).toEqual([COMM]);
    const reversed: SectorTable = {
      symbol: [...DATED.symbol].reverse(),
      sector: [...DATED.sector].reverse(),
      assigned: DATED.assigned,
      effectiveDate: [...DATED.effectiveDate!].reverse(),
    };
    expect([...sectorsAt(reversed, ['META', 'GOOGL'], '2019-01-02')]).toEqual([COMM, COMM]);
  });

  it('gives -1 for a sector outside the given names', () => {
    expect([...sectorsAt(STATIC, ['AAPL', 'JPM'], '2024-01-02', ['Financials'])]).toEqual([-1, 0]);
  });
});

describe('sectors: validateSectorTable', () => {
  const rejects = (table: SectorTable, rule: string, row: number | undefined) => {
    let caught: unknown;
    try {
      validateSectorTable(table, 'sectors.parquet');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataIntegrityError);
    const e = caught as DataIntegrityError;
    expect(e.details.rule).toBe(rule);
    expect(e.details.row).toBe(row);
    expect(e.message).toContain(rule);
  };

  it('accepts static and dated tables', () => {
    expect(() => validateSectorTable(STATIC)).not.toThrow();
    expect(() => validateSectorTable(DATED)).not.toThrow();
  });

  it('rejects an unknown sector, a malformed date, a duplicate and a short column, naming row and rule', () => {
    rejects({ ...STATIC, sector: ['Information Technology', 'Banks'] }, 'gics_sector', 1);
    rejects(
      { ...DATED, effectiveDate: ['2004-08-19', '2018/09/24', '2012-05-18', '2018-09-24'] },
      'date_format',
      1,
    );
    rejects(
      { ...DATED, effectiveDate: ['2004-08-19', '2004-08-19', '2012-05-18', '2018-09-24'] },
      'unique_symbol_date',
      1,
    );
    rejects({ ...STATIC, symbol: ['AAPL', 'AAPL'] }, 'unique_symbol_date', 1);
    rejects({ ...STATIC, assigned: Int32Array.of(0) }, 'column_length', undefined);
  });
});

describe('sectors: import and read back', () => {
  const dir = join(import.meta.dirname, '..', '..', 'examples', 'import-tiny');
  const files = (): Map<string, Uint8Array> =>
    new Map(
      readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))] as const),
    );
  const withSectors = (csv: string) => {
    const f = files();
    f.set('sectors.csv', new TextEncoder().encode(csv));
    return f;
  };

  it('imports dated sectors as point in time; a symbol without rows is assigned from the first date', async () => {
    const store = new MemoryObjectStore();
    const result = await importDataset(
      withSectors(
        [
          'symbol,sector,effective_date',
          'MSFT,Communication Services,2024-03-05',
          'AAPL,Information Technology,2000-01-03',
          'MSFT,Information Technology,2000-01-03',
        ].join('\n'),
      ),
      { name: 'tiny' },
      store,
    );
    expect(result.manifest.sectorHistory).toBe('point_in_time');
    expect(result.report.assignedSectors).toEqual(['JPM']);
    const table = await (await DatasetReader.open(store)).readSectors();
    expect(table.symbol).toEqual(['AAPL', 'JPM', 'MSFT', 'MSFT']);
    expect(table.effectiveDate).toEqual(['2000-01-03', '2024-02-27', '2000-01-03', '2024-03-05']);
    expect([...table.assigned]).toEqual([0, 1, 0, 0]);
    const symbols = ['AAPL', 'MSFT'];
    expect([...sectorsAt(table, symbols, '2024-03-04')]).toEqual([IT, IT]);
    expect([...sectorsAt(table, symbols, '2024-03-05')]).toEqual([IT, COMM]);
  });

  it('keeps an undated sectors.csv static', async () => {
    const store = new MemoryObjectStore();
    const result = await importDataset(files(), { name: 'tiny' }, store);
    expect(result.manifest.sectorHistory).toBe('static');
    expect((await (await DatasetReader.open(store)).readSectors()).effectiveDate).toBeUndefined();
  });

  it('rejects a bad effective_date and a repeated (symbol, effective_date), naming the row', async () => {
    const cases: [string, string, number][] = [
      ['symbol,sector,effective_date\nAAPL,Information Technology,2024-02-30\n', 'date_format', 1],
      [
        'symbol,sector,effective_date\nAAPL,Information Technology,2024-01-02\nAAPL,Financials,2024-01-02\n',
        'unique_symbol',
        2,
      ],
    ];
    for (const [csv, rule, row] of cases) {
      const e = await importDataset(withSectors(csv), { name: 'tiny' }, new MemoryObjectStore()).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(DataIntegrityError);
      expect((e as DataIntegrityError).details).toMatchObject({ dataset: 'sectors.csv', rule, row });
    }
  });
});
