import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildArtifacts, runMetrics } from '../../lib/artifacts/index.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { decodeParquet } from '../../lib/data/parquet.ts';
import {
  bucketSessions,
  buildChartPayloads,
  buildReportArtifact,
  buildReportPayloads,
  CHART_IDS,
  ChartPayloadSchemas,
  minOfBuckets,
  parseChartPayload,
  renderReportHtml,
  reportProvenance,
  reportTablesFromColumns,
  reportTablesFromOutputs,
  sessionIndexOf,
} from '../../lib/report/index.ts';
import { CAPITAL, smallRun } from './fixtures.ts';

const html = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('report payloads: buildChartPayloads', () => {
  it('builds one payload per chart id, each valid against its versioned schema and plain JSON', () => {
    const { input } = smallRun({ diagnostics: 'synthetic' });
    const payloads = buildReportPayloads(input);
    expect(Object.keys(payloads)).toEqual([...CHART_IDS]);
    for (const id of CHART_IDS) {
      const p = payloads[id];
      expect(p.schemaVersion).toBe(1);
      expect(p.chartId).toBe(id);
      expect(p.status, `${id}: ${'reason' in p ? p.reason : ''}`).toBe('ok');
      const json = JSON.parse(JSON.stringify(p));
      expect(json).toEqual(p); // no NaN, Infinity or undefined hiding in it
      expect(parseChartPayload(id, json)).toEqual(p);
    }
    expect(() => ChartPayloadSchemas.equity.parse({ ...payloads.equity, schemaVersion: 2 })).toThrow();
  });

  it('agrees with the run: final growth = NAV / capital, deepest drawdown = metrics max drawdown', () => {
    const { input, outputs } = smallRun();
    const p = buildReportPayloads(input);
    const metrics = runMetrics(input);
    if (p.equity.status !== 'ok' || p.drawdown.status !== 'ok') throw new Error('expected ok payloads');
    const strategy = p.equity.series.find((s) => s.id === 'strategy')!.values;
    const b = outputs.bars;
    expect(strategy.at(-1)).toBeCloseTo(b.nav[b.n - 1]! / CAPITAL, 5);
    expect(p.equity.series.map((s) => s.id)).toEqual(['strategy', 'spy']);
    const dd = p.drawdown.series[0]!.values.filter((v): v is number => v !== null);
    expect(Math.min(...dd)).toBeCloseTo(metrics.hourly.maxDrawdown!, 5);
    // one point per session on a short run
    expect(p.equity.x).toHaveLength(
      new Set(Array.from(b.closeMs, (t) => new Date(t).toISOString().slice(0, 10))).size,
    );
  });

  it('stacks sector weights to the gross exposure at the closes, and marks risk states as bands', () => {
    const { input, outputs } = smallRun();
    const p = buildReportPayloads(input);
    if (p['sector-weights'].status !== 'ok' || p.drawdown.status !== 'ok')
      throw new Error('expected ok payloads');
    const sw = p['sector-weights'];
    const b = outputs.bars;
    const exposureAt = new Map(Array.from(b.closeMs, (t, i) => [t, b.grossExposure[i]!]));
    sw.x.forEach((t, k) => {
      const sum = sw.series.reduce((acc, s) => acc + (s.values[k] ?? 0), 0);
      expect(sum).toBeCloseTo(exposureAt.get(t)!, 4);
    });
    const nonNormal = Array.from(b.riskState).filter((s) => s !== 0).length;
    expect(nonNormal).toBeGreaterThan(0); // the fixture does exercise the governor
    expect(p.drawdown.bands.length).toBeGreaterThan(0);
    for (const band of p.drawdown.bands) expect(band.toMs).toBeGreaterThanOrEqual(band.fromMs);
  });

  it('says why a chart is not available instead of drawing it empty', () => {
    const { input } = smallRun({ sectors: false });
    const p = buildReportPayloads(input);
    for (const id of ['ic-by-fold', 'decile-spreads', 'ic-decay', 'feature-importance'] as const) {
      expect(p[id]).toMatchObject({
        status: 'unavailable',
        reason: 'the models stage supplied no signal diagnostics',
      });
    }
    expect(p['sector-weights']).toMatchObject({
      status: 'unavailable',
      reason: 'no sector map was supplied to the report',
    });
    const page = renderReportHtml(p, reportProvenance(input));
    expect(page).toContain('Not available for this run: the models stage supplied no signal diagnostics.');
    expect(page).toContain('Not available for this run: no sector map was supplied to the report.');

    const fixed = buildReportPayloads({
      ...input,
      diagnostics: { available: false, reason: 'the run used fixed targets, no model' },
    });
    expect(fixed['ic-decay']).toMatchObject({
      status: 'unavailable',
      reason: 'the run used fixed targets, no model',
    });
  });

  it('builds the same payloads from the decoded Parquet artifacts as from the outputs (the API path)', async () => {
    const { input } = smallRun({ diagnostics: 'synthetic' });
    const artifacts = buildArtifacts(input);
    const decode = async (name: string) =>
      (await decodeParquet(artifacts.find((a) => a.name === `${name}.parquet`)!.bytes)).columns;
    const tables = reportTablesFromColumns({
      equity_curve: await decode('equity_curve'),
      weights: await decode('weights'),
      risk_history: await decode('risk_history'),
    });
    const metrics = runMetrics(input);
    const common = { metrics, sectorBySymbol: input.sectorBySymbol!, diagnostics: input.diagnostics! };
    const fromParquet = buildChartPayloads({ tables, ...common });
    const fromOutputs = buildChartPayloads({
      tables: reportTablesFromOutputs(input.outputs, input.symbols, input.capital),
      ...common,
    });
    expect(fromParquet).toEqual(fromOutputs);

    const { nav: _nav, ...withoutNav } = await decode('equity_curve');
    const weights = await decode('weights');
    const risk = await decode('risk_history');
    expect(() => reportTablesFromColumns({ equity_curve: withoutNav, weights, risk_history: risk })).toThrow(
      InvalidInputError,
    );
    expect(() => reportTablesFromColumns({ equity_curve: withoutNav, weights, risk_history: risk })).toThrow(
      'equity_curve.nav must be a numeric column, received no such column',
    );
  });
});

describe('report: buildReportArtifact / renderReportHtml', () => {
  it('is deterministic: same inputs give the same bytes, another run different bytes', () => {
    const a = buildReportArtifact(smallRun({ seed: 5, diagnostics: 'synthetic' }).input);
    const b = buildReportArtifact(smallRun({ seed: 5, diagnostics: 'synthetic' }).input);
    const c = buildReportArtifact(smallRun({ seed: 6, diagnostics: 'synthetic' }).input);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('is self-contained: no URL, a CSP that forbids every load, and the inline script pinned by its hash', () => {
    const page = html(buildReportArtifact(smallRun({ diagnostics: 'synthetic' }).input));
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(page).not.toMatch(/<script[^>]*\bsrc=/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
      .exec(page)![1]!
      .replaceAll('&#39;', "'");
    expect(csp).toContain("default-src 'none'");
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!, 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
  });

  it('escapes what comes from the spec and embeds the payloads as inert JSON', () => {
    const { input } = smallRun({ diagnostics: 'synthetic' });
    const page = html(buildReportArtifact(input));
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const json = /<script type="application\/json" id="hts-payloads">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(buildReportPayloads(input))));
  });

  it('states the annualisation factor and the provenance', () => {
    const { input } = smallRun({ diagnostics: 'synthetic' });
    const metrics = runMetrics(input);
    const page = html(buildReportArtifact(input));
    expect(page).toContain(`${metrics.annualizationFactor.toFixed(2)} bars per year`);
    expect(page).toContain(`${metrics.sessionsPerYear.toFixed(2)} sessions per year`);
    for (const s of [
      input.runId,
      input.datasetId,
      input.specHash,
      input.codeVersion,
      'fold-00',
      'simulate',
    ]) {
      expect(page).toContain(s);
    }
  });
});

describe('report downsampling: sessionIndexOf / bucketSessions / minOfBuckets', () => {
  it('groups bars into sessions and sessions into at most maxPoints buckets, keeping each trough', () => {
    // 3 sessions of 7 bars, 1 early close of 4 bars (New York 10:30 … 16:00 in winter = 15:30Z …)
    const days = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
    const ts: number[] = [];
    for (const d of days)
      for (let k = 0; k < (d === '2024-01-05' ? 4 : 7); k++)
        ts.push(Date.parse(`${d}T15:30:00Z`) + k * 3_600_000);
    const s = sessionIndexOf(Float64Array.from(ts));
    expect(s.sessionDate).toEqual(days);
    expect(Array.from(s.sessionEnd)).toEqual([6, 13, 20, 24]);
    const b = bucketSessions(s, 2);
    expect(b.sessionsPerBucket).toBe(2);
    expect(Array.from(b.lastBar)).toEqual([13, 24]);
    const x = new Float64Array(25).fill(0);
    x[3] = -0.5;
    x[20] = Number.NaN;
    x[22] = -0.2;
    expect(Array.from(minOfBuckets(x, b))).toEqual([-0.5, -0.2]);
    expect(bucketSessions(s, 10).sessionsPerBucket).toBe(1);
  });
});
