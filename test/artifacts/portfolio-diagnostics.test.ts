/**
 * The decision artifacts: the `targets` table (optimizer weight beside the held one, α̂ and cap) and
 * portfolio_diagnostics.json (per hour and summary), from hand-made outputs whose every row the test states, and
 * from a run of the trade decider.
 */
import { describe, expect, it } from 'vitest';
import { findNonFinite } from '../../lib/analytics/index.ts';
import {
  type ArtifactInput,
  buildArtifacts,
  PORTFOLIO_DIAGNOSTICS_ARTIFACT_NAME,
  PortfolioDiagnostics,
  portfolioDiagnostics,
  portfolioDiagnosticsArtifact,
  targetsTable,
} from '../../lib/artifacts/index.ts';
import { DecisionStatus, initialSimState, type SimOutputs } from '../../lib/backtest/index.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { parseCsv } from '../../lib/data/csv.ts';
import { decodeParquet } from '../../lib/data/parquet.ts';
import { handOutputs, simulateTradeRun, tradeRun } from './fixtures.ts';

const CAPITAL = 1_000_000;
const grid = buildBarGrid('2024-03-04', '2024-03-05'); // 14 bars
const SYMBOLS = ['SPY', 'AAA', 'BBB', 'CCC'];
const iso = (bar: number) => new Date(grid.closeMs[bar]!).toISOString();

const inputOf = (outputs: SimOutputs): ArtifactInput => ({
  outputs,
  grid,
  symbols: SYMBOLS,
  capital: CAPITAL,
  specHash: 's'.repeat(64),
  datasetId: 'ds_test',
  codeVersion: 'v-test',
});

const S = DecisionStatus;
/** Six hours: four solved, one infeasible, one without inputs. */
const HOURS = [
  { exAnteVol: 0.1, binding: ['turnover'] as const, tickets: 3, names: 3, iterations: 0, newtonSteps: 4 },
  {
    exAnteVol: 0.12,
    binding: ['turnover', 'volCeiling'] as const,
    capsAtUpper: 1,
    tickets: 2,
    skippedTickets: 1,
    orderGap: 0.012,
    names: 3,
    turnover: 0.3,
    turnoverRelaxedBy: 0.05,
    newtonSteps: 6,
  },
  { status: S.infeasible, tickets: 0, names: 3 },
  {
    status: S.solved,
    exAnteVol: 0.08,
    volFloorReached: false,
    sectorsOutside: 2,
    tickets: 5,
    iterations: 40,
  },
  { status: S.no_inputs, gaps: 1 },
  { exAnteVol: 0.11, binding: ['gross'] as const, tickets: 1, gaps: 1, newtonSteps: 2 },
];
const WEIGHTS = [
  { bar: 0, asset: 1, held: 0, decided: 0.2, alpha: 0.001, cap: 0.25 },
  { bar: 0, asset: 2, held: 0.1, decided: 0, alpha: -0.002, cap: 0.25 },
  { bar: 1, asset: 1, held: 0.2, decided: 0.25, alpha: 0.0015, cap: 0.25 },
  { bar: 1, asset: 3, held: 0, decided: 0 }, // nothing held, nothing decided: not a row of the table
  { bar: 2, asset: 1, held: 0.25, decided: 0.25 }, // failed hour: held, no α̂ or cap
];
const GAPS = [
  { bar: 4, asset: 3 },
  { bar: 5, asset: 2 },
];
const hand = () => inputOf(handOutputs(grid, CAPITAL, HOURS, WEIGHTS, GAPS));

describe('targets table', () => {
  it('has one row per hour × name with a non-zero optimizer or held weight, NaN α̂ and cap as empty cells', async () => {
    const [pq, csv] = targetsTable(hand());
    expect(pq!.name).toBe('targets.parquet');
    expect(csv!.name).toBe('targets.csv');
    const d = await decodeParquet(pq!.bytes);
    expect(Object.keys(d.columns)).toEqual([
      'ts',
      'symbol',
      'optimizer_weight',
      'held_weight',
      'alpha',
      'cap',
    ]);
    expect(d.metadata['hts.artifact']).toBe('targets');
    expect(d.n).toBe(4);
    expect(Array.from(d.columns.ts as Float64Array)).toEqual([0, 0, 1, 2].map((b) => grid.closeMs[b]!));
    expect(d.columns.symbol).toEqual(['AAA', 'BBB', 'AAA', 'AAA']);
    expect(Array.from(d.columns.optimizer_weight as Float64Array)).toEqual([0.2, 0, 0.25, 0.25]);
    expect(Array.from(d.columns.held_weight as Float64Array)).toEqual([0, 0.1, 0.2, 0.25]);
    expect(Array.from(d.columns.alpha as Float64Array)).toEqual([0.001, -0.002, 0.0015, Number.NaN]);
    expect(Array.from(d.columns.cap as Float64Array)).toEqual([0.25, 0.25, 0.25, Number.NaN]);
    const text = new TextDecoder().decode(csv!.bytes);
    expect(text.split('\n')[0]).toBe('ts,symbol,optimizer_weight,held_weight,alpha,cap');
    expect(text.split('\n')[4]).toBe(`${iso(2)},AAA,0.25,0.25,,`);
    expect(parseCsv(text, 'targets').rows).toHaveLength(4);
  });
});

describe('portfolio_diagnostics.json', () => {
  it('lists every decision hour with its status, ex-ante volatility (null with a reason when unsolved) and counts', () => {
    const d = portfolioDiagnostics(hand());
    expect(d.hours).toHaveLength(6);
    expect(d.hours[1]).toEqual({
      ts: iso(1),
      status: 'solved_polished',
      exAnteVol: 0.12,
      iterations: 0,
      newtonSteps: 6,
      binding: ['turnover', 'volCeiling'],
      volFloorReached: true,
      capsAtUpper: 1,
      sectorsOutside: 0,
      turnover: 0.3,
      turnoverRelaxedBy: 0.05,
      tickets: 2,
      skippedTickets: 1,
      orderGap: 0.012,
      names: 3,
      gaps: 0,
    });
    // the one hour whose orders leave the book more than 1% from the decision is counted
    expect(d.summary.orderGap).toEqual({ median: 0, max: 0.012, hoursAbove1Pct: 1 });
    expect(d.hours.map((h) => h.status)).toEqual([
      'solved_polished',
      'solved_polished',
      'infeasible',
      'solved',
      'no_inputs',
      'solved_polished',
    ]);
    expect(d.hours.map((h) => h.exAnteVol)).toEqual([0.1, 0.12, null, 0.08, null, 0.11]);
    expect(d.nullReasons['hours[].exAnteVol']).toMatch(/not solved/);
    expect(Object.keys(d.nullReasons)).toEqual(['hours[].exAnteVol']);
  });

  it('summarises failures by reason with their hours, binding shares over solved hours, tickets and gaps', () => {
    const s = portfolioDiagnostics(hand()).summary;
    expect(s.hours).toBe(6);
    expect(s.solvedHours).toBe(4);
    expect(s.failedHours).toBe(2);
    expect(s.statusCounts).toEqual({
      solved_polished: 3,
      solved: 1,
      forced: 0,
      infeasible: 1,
      max_iterations: 0,
      degenerate_input: 0,
      no_inputs: 1,
      no_nav: 0,
    });
    expect(s.failures).toEqual({
      infeasible: { hours: 1, ts: [iso(2)] },
      max_iterations: { hours: 0, ts: [] },
      degenerate_input: { hours: 0, ts: [] },
      no_inputs: { hours: 1, ts: [iso(4)] },
      no_nav: { hours: 0, ts: [] },
    });
    expect(s.bindingShare).toEqual({
      turnover: 0.5,
      volCeiling: 0.25,
      gross: 0.25,
      nameCap: 0.25,
      sectorBand: 0.25,
      volFloorMissed: 0.25,
    });
    expect(s.exAnteVol).toEqual({ median: (0.1 + 0.11) / 2, min: 0.08, max: 0.12 });
    // tickets 3, 2, 0, 5, 0, 1: sorted 0 0 1 2 3 5, median (1 + 2) / 2
    expect(s.tickets).toEqual({
      total: 11,
      medianPerBar: 1.5,
      meanPerBar: 11 / 6,
      skipped: 1,
      hoursWithSkipped: 1,
    });
    expect(s.turnover).toEqual({ meanPerHour: 0.3 / 6, relaxedHours: 1 });
    expect(s.solver).toEqual({
      medianIterations: 0,
      maxIterations: 40,
      medianNewtonSteps: 3.5,
      maxNewtonSteps: 6,
    });
    expect(s.gaps).toEqual({
      count: 2,
      list: [
        { symbol: 'CCC', firstMissing: iso(4) },
        { symbol: 'BBB', firstMissing: iso(5) },
      ],
    });
  });

  it('writes null with a reason, never NaN, when no hour was solved', () => {
    const failed = inputOf(handOutputs(grid, CAPITAL, [{ status: S.max_iterations }, { status: S.no_nav }]));
    const d = portfolioDiagnostics(failed);
    expect(d.summary.bindingShare.turnover).toBeNull();
    expect(d.summary.exAnteVol.median).toBeNull();
    expect(d.summary.solver).toEqual({
      medianIterations: null,
      maxIterations: 0,
      medianNewtonSteps: null,
      maxNewtonSteps: 0,
    });
    expect(d.nullReasons['summary.bindingShare.turnover']).toBe('no decision hour was solved');
    expect(d.nullReasons['summary.exAnteVol.median']).toMatch(/no decision hour was solved/);
    expect(findNonFinite(d)).toEqual([]);
    const text = new TextDecoder().decode(portfolioDiagnosticsArtifact(d).bytes);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(text)).toEqual(d);
  });

  it('is pretty-printed with one hour per line, parses back to the document and matches its schema', () => {
    const d = portfolioDiagnostics(hand());
    const a = portfolioDiagnosticsArtifact(d);
    expect(a.name).toBe(PORTFOLIO_DIAGNOSTICS_ARTIFACT_NAME);
    expect(a.contentType).toBe('application/json');
    const text = new TextDecoder().decode(a.bytes);
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).toBe(true);
    expect(text.endsWith('\n  ]\n}\n')).toBe(true);
    const lines = text.split('\n');
    const first = lines.indexOf('  "hours": [');
    expect(lines.slice(first + 1, first + 7).every((l) => l.startsWith('    {"ts":'))).toBe(true);
    expect(JSON.parse(text)).toEqual(d);
    expect(PortfolioDiagnostics.parse(JSON.parse(text))).toEqual(d);
    const empty = portfolioDiagnosticsArtifact({ ...d, hours: [] });
    expect(JSON.parse(new TextDecoder().decode(empty.bytes)).hours).toEqual([]);
  });

  it('from a run of the trade decider: one hour per bar, schema-valid, same bytes for the same inputs', () => {
    const run = tradeRun({ seed: 3, end: '2024-01-19' });
    const outputs = simulateTradeRun(run, initialSimState(CAPITAL));
    const input = { ...inputOf(outputs), grid: run.grid, symbols: run.market.symbols };
    const arts = buildArtifacts(input);
    const names = arts.map((x) => x.name);
    expect(names.slice(-4)).toEqual([
      'targets.parquet',
      'targets.csv',
      'metrics.json',
      'portfolio_diagnostics.json',
    ]);
    const diag = arts.find((x) => x.name === 'portfolio_diagnostics.json')!;
    const d = PortfolioDiagnostics.parse(JSON.parse(new TextDecoder().decode(diag.bytes)));
    expect(d.summary.hours).toBe(outputs.bars.n);
    expect(d.summary.solvedHours).toBeGreaterThan(0);
    expect(d.summary.gaps.count).toBe(outputs.gaps.n);
    expect(d.summary.tickets.total).toBe(outputs.decisions.tickets.reduce((a, b) => a + b, 0));
    for (const h of d.hours) if (h.exAnteVol !== null) expect(h.exAnteVol).toBeLessThanOrEqual(0.12 + 1e-6);
    const again = buildArtifacts(input);
    expect(again.map((x) => sha256Hex(x.bytes))).toEqual(arts.map((x) => sha256Hex(x.bytes)));
  });
});
