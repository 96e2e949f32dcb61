import { nyWallToUtcMs } from '../../core/index.ts';
import { barColumns, type DatasetWriter, datasetKeys, pitColumns } from '../dataset.ts';
import type { PitSeriesName, PitTable } from '../tables.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS, type MembershipSource } from '../universe.ts';
import { validateBars, validatePit } from '../validate.ts';
import type { MonthBars } from './month-bars.ts';
import { MACRO_SERIES } from './pit-events.ts';
import type { MarketState, NameTable, PitBuffers } from './state.ts';

/** Validates and writes one month of bars (uncompressed). Returns its row count. */
export async function writeMonthBars(
  writer: DatasetWriter,
  month: string,
  bars: MonthBars,
  state: MarketState,
): Promise<number> {
  const { symbols } = state.names;
  const { grid } = state.calendar;
  const table = bars.toTable(grid.closeMs);
  validateBars(table, { dataset: `bars/month=${month}`, symbols, gridCloseMs: grid.closeMs });
  await writer.putParquet(datasetKeys.barsMonth(month), barColumns(table, symbols), {
    codec: 'UNCOMPRESSED',
  });
  return table.n;
}

/** The point-in-time series as validated tables, written; with the macro series' names and each table's rows. */
export async function writePitTables(
  writer: DatasetWriter,
  pit: PitBuffers,
  symbols: readonly string[],
): Promise<{ tables: PitTable[]; macroNames: string[]; seriesRows: Record<string, number> }> {
  const seriesRows: Record<string, number> = {};
  const macroNames = [...MACRO_SERIES];
  const tables: PitTable[] = [
    pit.fundamentals.toTable(symbols),
    pit.macro.toTable(macroNames),
    pit.sentiment.toTable(symbols),
    pit.analyst.toTable(symbols),
    pit.corporate.toTable(symbols),
    pit.trap.toTable(symbols),
  ];
  for (const table of tables) {
    validatePit(table, table.name);
    await writer.putParquet(datasetKeys.series(table.name as PitSeriesName), pitColumns(table));
    seriesRows[table.name] = table.n;
  }
  return { tables, macroNames, seriesRows };
}

/** The membership spells of the dataset's symbols. */
export async function writeMembership(
  writer: DatasetWriter,
  source: MembershipSource,
  symbols: readonly string[],
): Promise<void> {
  const spellRows = source.spells.filter((sp) => symbols.includes(sp.symbol));
  await writer.putParquet(datasetKeys.membership, [
    { name: 'symbol', kind: 'string', data: spellRows.map((sp) => sp.symbol) },
    {
      name: 'start_ms',
      kind: 'epochMs',
      data: Float64Array.from(spellRows, (sp) => nyWallToUtcMs(sp.startDate, 0, 0)),
    },
    {
      name: 'end_ms',
      kind: 'epochMs',
      data: Float64Array.from(spellRows, (sp) => (sp.endDate === null ? 0 : nyWallToUtcMs(sp.endDate, 0, 0))),
    },
  ]);
}

/**
 * The stocks' sectors: the source's snapshot applied to every time (`static`, no `effective_date`; the manifest
 * says so). Returns the stocks whose sector the source did not give (assigned deterministically).
 */
export async function writeSectors(
  writer: DatasetWriter,
  source: MembershipSource,
  names: NameTable,
): Promise<string[]> {
  const { symbols, sectorOf } = names;
  const stockSymbols = symbols.filter((s) => s !== BENCHMARK_SYMBOL);
  const assignedSectors = stockSymbols.filter((s) => source.sectors.get(s)?.assigned !== false);
  await writer.putParquet(datasetKeys.sectors, [
    { name: 'symbol', kind: 'string', data: stockSymbols },
    {
      name: 'sector',
      kind: 'string',
      data: stockSymbols.map((s) => GICS_SECTORS[sectorOf[symbols.indexOf(s)]!] ?? GICS_SECTORS[0]),
    },
    {
      name: 'assigned',
      kind: 'i32',
      data: Int32Array.from(stockSymbols, (s) => (source.sectors.get(s)?.assigned === false ? 0 : 1)),
    },
  ]);
  return assignedSectors;
}
