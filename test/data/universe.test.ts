import { describe, expect, it } from 'vitest';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import {
  assignedSector,
  BENCHMARK_SYMBOL,
  buildMembershipMask,
  buildUniverse,
  GICS_SECTORS,
  membershipChanges,
  membersOn,
  parseConstituentSectors,
  parseMembershipSpells,
  symbolsActiveBetween,
} from '../../lib/data/universe.ts';
import { readSp500, sp500Source } from '../support/sp500.ts';

describe('universe: loadMembershipSource on the real S&P 500 files', () => {
  it('reads every spell and ticker of the source', () => {
    const src = sp500Source();
    expect(src.report.spells).toBe(1230);
    expect(src.report.symbols).toBe(1181);
  });

  it('has about 500 members on any date, as the index does', () => {
    const { spells } = sp500Source();
    for (const d of ['1996-01-02', '2008-09-15', '2015-01-02', '2020-03-16', '2024-12-31']) {
      const n = membersOn(spells, d).length;
      expect(n).toBeGreaterThanOrEqual(485);
      expect(n).toBeLessThanOrEqual(510);
    }
    expect(membersOn(spells, '2024-12-31')).toHaveLength(503);
  });

  it('keeps names that left the index in history, and handles a ticker with two spells (AAL)', () => {
    const { spells } = sp500Source();
    expect(membersOn(spells, '1996-06-03')).toContain('AAL');
    expect(membersOn(spells, '2010-06-01')).not.toContain('AAL');
    expect(membersOn(spells, '2015-03-23')).toContain('AAL');
    expect(membersOn(spells, '2015-03-20')).not.toContain('AAL');
    expect(membersOn(spells, '2024-09-23')).not.toContain('AAL');
    expect(symbolsActiveBetween(spells, '2015-01-01', '2024-12-31').length).toBe(735);
  });

  it('reports entries and exits with their effective dates', () => {
    const changes = membershipChanges(sp500Source().spells, '2024-09-01', '2024-09-30');
    expect(changes).toContainEqual({ date: '2024-09-23', symbol: 'AAL', change: 'exit' });
    expect(changes.every((c) => c.date >= '2024-09-01' && c.date <= '2024-09-30')).toBe(true);
  });

  it('assigns a deterministic sector to tickers the sectors file lacks, and says so', () => {
    const src = sp500Source();
    expect(src.report.assignedSectors).toContain('ANSS');
    expect(src.sectors.get('ANSS')).toEqual({ sector: assignedSector('ANSS'), assigned: true });
    expect(src.sectors.get('MMM')).toEqual({ sector: 'Industrials', assigned: false });
    expect(src.report.sectorsWithoutSpells).toContain('APP');
    expect(GICS_SECTORS).toContain(assignedSector('ANSS'));
    expect(assignedSector('ANSS')).toBe(assignedSector('ANSS'));
  });
});

describe('universe: parseMembershipSpells rejects corrupt rows by name', () => {
  const header = 'ticker,start_date,end_date\n';
  it.each([
    ['end before start', `${header}AAA,2020-01-02,2019-01-01\n`, 'spell_order', 1],
    ['bad date', `${header}AAA,2020-01-02,\nBBB,2020/01/02,\n`, 'date_format', 2],
    ['overlap', `${header}AAA,2010-01-04,2015-01-02\nAAA,2014-06-02,\n`, 'spell_overlap', 2],
    ['lower-case ticker', `${header}aaa,2010-01-04,\n`, 'symbol_format', 1],
  ])('%s', (_name, csv, rule, row) => {
    try {
      parseMembershipSpells(csv);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(DataIntegrityError);
      expect((e as DataIntegrityError).details).toMatchObject({ rule, row });
      expect((e as Error).message).toContain(`row ${row}`);
    }
  });

  it('rejects a sector that is not GICS', () => {
    expect(() => parseConstituentSectors('Symbol,GICS Sector\nAAA,Technology\n')).toThrow(
      /row 1.*not a GICS sector/,
    );
  });

  it('parses the real sectors file (503 rows, 11 sectors)', () => {
    const m = parseConstituentSectors(readSp500('constituents_sectors.csv'));
    expect(m.size).toBe(503);
    expect(new Set(m.values()).size).toBe(11);
  });
});

describe('universe: buildUniverse and buildMembershipMask', () => {
  it('sorts symbols, codes sectors and gives the benchmark sector -1', () => {
    const src = sp500Source();
    const u = buildUniverse(['MMM', BENCHMARK_SYMBOL, 'ANSS', 'MMM'], src.sectors);
    expect(u.symbols).toEqual(['ANSS', 'MMM', 'SPY']);
    expect(u.sector[2]).toBe(-1);
    expect(u.sectorNames[u.sector[1]!]).toBe('Industrials');
    expect(Array.from(u.sectorAssigned)).toEqual([1, 0, 0]);
  });

  it('makes a join effective from the first bar of its date and an exit from the first bar of the exit date', () => {
    const src = sp500Source();
    const grid = buildBarGrid('2015-03-19', '2015-03-24');
    const u = buildUniverse(['AAL'], src.sectors);
    const mask = buildMembershipMask(grid, u, src.spells);
    const dates = grid.sessions.map((s) => s.date);
    for (let t = 0; t < grid.nT; t++) {
      const date = dates[grid.sessionOfBar[t]!]!;
      expect(mask.member[t]).toBe(date >= '2015-03-23' ? 1 : 0);
    }
    const exitGrid = buildBarGrid('2024-09-19', '2024-09-24');
    const exitMask = buildMembershipMask(exitGrid, u, src.spells);
    const exitDates = exitGrid.sessions.map((s) => s.date);
    for (let t = 0; t < exitGrid.nT; t++) {
      expect(exitMask.member[t]).toBe(exitDates[exitGrid.sessionOfBar[t]!]! < '2024-09-23' ? 1 : 0);
    }
  });
});
