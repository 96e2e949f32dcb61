/**
 * The portfolio-construction payloads of the report: ex-ante vs realised volatility (with the spec's target band
 * and the quarterly figures) and the constraint activity table, checked against the decision records they come
 * from, and their HTML (the band, the quarterly table, the activity, failures and gaps tables).
 */
import { describe, expect, it } from 'vitest';
import { annualVolatility, resampleToSessions } from '../../lib/analytics/index.ts';
import { type ArtifactInput, portfolioDiagnostics, runMetrics } from '../../lib/artifacts/index.ts';
import { DecisionStatus } from '../../lib/backtest/index.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { constraintActivity } from '../../lib/report/charts/portfolio.ts';
import {
  buildChartPayloads,
  buildReportPayloads,
  ChartPayloadSchemas,
  GAPS_SHOWN,
  parseChartPayload,
  renderReportHtml,
  reportProvenance,
  reportTablesFromOutputs,
  sessionIndexOf,
  targetVolOf,
} from '../../lib/report/index.ts';
import { handOutputs } from '../artifacts/fixtures.ts';
import { CAPITAL, smallRun, TARGET_VOL } from './fixtures.ts';

const grid = buildBarGrid('2024-03-04', '2024-03-05');
const handInput = (outputs: ReturnType<typeof handOutputs>): ArtifactInput => ({
  outputs,
  grid,
  symbols: ['SPY', 'AAA', 'BBB'],
  capital: CAPITAL,
  specHash: 'h',
  datasetId: 'ds',
  codeVersion: 'v',
});

describe('ex-ante vs realised volatility payload', () => {
  const { input, outputs } = smallRun({ diagnostics: 'synthetic' });
  const payloads = buildReportPayloads(input);
  const p = payloads['ex-ante-volatility'];
  if (p.status !== 'ok') throw new Error(`expected an ok payload: ${p.reason}`);

  it('draws the ex-ante, the rolling and the quarterly realised volatility with the spec’s target band', () => {
    expect(parseChartPayload('ex-ante-volatility', JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(p.series.map((s) => s.id)).toEqual(['ex-ante', 'realised', 'realised-quarter']);
    expect(p.targetVol).toEqual(TARGET_VOL);
    expect(p.windowSessions).toBe(20);
    expect(p.format).toBe('percent');
    expect(p.x).toEqual(payloads.equity.status === 'ok' ? payloads.equity.x : []);
  });

  it('shows per point the mean ex-ante volatility of its hours, from the decision records', () => {
    const d = outputs.decisions;
    const sessions = sessionIndexOf(outputs.bars.closeMs);
    const ex = p.series[0]!.values;
    for (const k of [0, 10, p.x.length - 1]) {
      let s = 0;
      let m = 0;
      for (let i = 0; i < d.n; i++) {
        if (sessions.sessionOfBar[i] !== k || !Number.isFinite(d.exAnteVol[i]!)) continue;
        s += d.exAnteVol[i]!;
        m++;
      }
      expect(ex[k]).toBeCloseTo(s / m, 5);
      // the optimizer keeps the decided book under the ceiling
      expect(ex[k]!).toBeLessThanOrEqual(TARGET_VOL.high + 1e-5);
    }
  });

  it('computes the realised volatility from the daily returns: trailing 20 sessions, and per quarter', () => {
    const sessions = sessionIndexOf(outputs.bars.closeMs);
    const daily = resampleToSessions(outputs.bars.ret, sessions.sessionOfBar).returns;
    const S = runMetrics(input).sessionsPerYear;
    const nS = daily.length;
    expect(p.series[1]!.values[18]).toBeNull();
    expect(p.series[1]!.values[nS - 1]).toBeCloseTo(annualVolatility(daily.subarray(nS - 20), S), 5);
    expect(p.quarters.map((q) => q.quarter)).toEqual(['2024Q1', '2024Q2']);
    const q1 = sessions.sessionDate.filter((x) => x < '2024-04-01').length;
    expect(p.quarters[0]!.sessions).toBe(q1);
    expect(p.quarters[0]!.realised).toBeCloseTo(annualVolatility(daily.subarray(0, q1), S), 5);
    expect(p.quarters[1]!.realised).toBeCloseTo(annualVolatility(daily.subarray(q1), S), 5);
    expect(p.series[2]!.values[0]).toBe(p.quarters[0]!.realised);
    expect(p.series[2]!.values[nS - 1]).toBe(p.quarters[1]!.realised);
  });

  it('draws the band and the quarterly table in report.html', () => {
    const page = renderReportHtml(payloads, reportProvenance(input));
    const section = /<section class="fig" id="chart-ex-ante-volatility"[\s\S]*?<\/section>/.exec(page)![0];
    expect(section.match(/<g class="value-bands"><rect /g)).toHaveLength(2); // wide and narrow
    expect(section).toContain('Target band (shaded)');
    expect(section).toContain('<table class="quarters">');
    expect(section).toContain('<th scope="row">2024Q2</th>');
  });

  it('reads the band from the spec; says why it is not available without a solved hour or decisions', () => {
    expect(targetVolOf({ portfolio: { targetVol: { low: 0.1, high: 0.15 } } })).toEqual({
      low: 0.1,
      high: 0.15,
    });
    expect(targetVolOf({ specVersion: 1 })).toBeUndefined();
    const targets = buildReportPayloads(smallRun({ decider: 'targets' }).input)['ex-ante-volatility'];
    expect(targets).toMatchObject({
      status: 'unavailable',
      reason: 'no decision hour was solved: no ex-ante volatility',
    });
    const common = {
      tables: reportTablesFromOutputs(input.outputs, input.symbols, input.capital),
      metrics: runMetrics(input),
    };
    const none = buildChartPayloads(common);
    expect(none['ex-ante-volatility']).toMatchObject({
      status: 'unavailable',
      reason: 'the run has no decision records',
    });
    expect(none['constraint-activity']).toMatchObject({
      status: 'unavailable',
      reason: 'the run has no decision records',
    });
    const noBand = buildChartPayloads({ ...common, portfolio: portfolioDiagnostics(input) })[
      'ex-ante-volatility'
    ];
    expect(noBand).toMatchObject({ status: 'ok', targetVol: null });
  });
});

describe('constraint activity payload', () => {
  const S = DecisionStatus;
  const hours = [
    { binding: ['turnover'] as const, tickets: 2, capsAtUpper: 1 },
    { status: S.infeasible },
    {
      binding: ['volCeiling', 'gross'] as const,
      tickets: 4,
      skippedTickets: 2,
      orderGap: 0.004,
      sectorsOutside: 1,
    },
    { status: S.infeasible },
    { status: S.no_inputs, gaps: 1 },
    { tickets: 1, volFloorReached: false, turnoverRelaxedBy: 0.1 },
  ];
  const gaps = Array.from({ length: GAPS_SHOWN + 3 }, (_, i) => ({ bar: i % 6, asset: 1 + (i % 2) }));
  const input = handInput(handOutputs(grid, CAPITAL, hours, [], gaps));
  const p = constraintActivity(portfolioDiagnostics(input));
  if (p.status !== 'ok') throw new Error('expected an ok payload');

  it('lists the share of solved hours each constraint binds, failures, tickets, relaxed hours and gaps', () => {
    expect(ChartPayloadSchemas['constraint-activity'].parse(p)).toEqual(p);
    expect(p.hours).toBe(6);
    expect(p.solvedHours).toBe(3);
    const value = Object.fromEntries(p.rows.map((r) => [r.id, r.value]));
    expect(value).toEqual({
      'binding-turnover': 0.333333,
      'binding-vol-ceiling': 0.333333,
      'binding-gross': 0.333333,
      'name-cap': 0.333333,
      'sector-band': 0.333333,
      'vol-floor-missed': 0.333333,
      'failed-hours': 3,
      'tickets-median': 0.5, // 2 0 4 0 0 1
      'tickets-skipped': 2,
      'order-gap-max': 0.004,
      'turnover-relaxed': 1,
      gaps: GAPS_SHOWN + 3,
    });
    expect(p.failures).toEqual([
      { status: 'infeasible', hours: 2, firstMs: grid.closeMs[1], lastMs: grid.closeMs[3] },
      { status: 'no_inputs', hours: 1, firstMs: grid.closeMs[4], lastMs: grid.closeMs[4] },
    ]);
    expect(p.gaps.count).toBe(GAPS_SHOWN + 3);
    expect(p.gaps.shown).toHaveLength(GAPS_SHOWN);
    expect(p.gaps.shown[1]).toEqual({ symbol: 'BBB', firstMissingMs: grid.closeMs[1] });
  });

  it('renders the activity, failures and gaps tables in report.html', () => {
    const full = smallRun({ diagnostics: 'synthetic' }).input;
    const payloads = { ...buildReportPayloads(full), 'constraint-activity': p };
    const page = renderReportHtml(payloads, reportProvenance(full));
    const section = /<section class="fig" id="chart-constraint-activity"[\s\S]*?<\/section>/.exec(page)![0];
    expect(section.match(/<table class="activity">[\s\S]*?<\/table>/)![0].match(/<tr>/g)).toHaveLength(
      p.rows.length + 1,
    );
    expect(section).toContain(
      '<th scope="row">Turnover cap binds</th><td>33.3%</td><td>of 3 solved hours</td>',
    );
    expect(section).toContain('<th scope="row">Median tickets per bar</th><td>0.50</td>');
    expect(section).toContain('<table class="failures">');
    expect(section).toContain('<th scope="row">infeasible</th><td>2</td><td>2024-03-04 11:30 ET</td>');
    expect(section).toContain('<table class="gaps">');
    expect(section).toContain('3 more in portfolio_diagnostics.json');
  });
});
