/**
 * report.html: one self-contained page (no external request of any kind: a Content-Security-Policy with
 * `default-src 'none'` and a hash-pinned inline script enforces it), charts as server-rendered SVG in two
 * layouts (wide for laptops, narrow for phones, switched by a CSS media query), HTML legends, a data table
 * under each chart as a text fallback, and a small inline script for the pointer read-out and the equity
 * curve's log-scale toggle. The dashboard payloads are embedded as JSON (`#hts-payloads`) for that script.
 * Deterministic: the same payloads and provenance give the same bytes (no rendering time, no locale).
 */
import type { ChartPayloads } from '../charts/chart-payloads.ts';
import { CHART_IDS, type ChartId } from '../charts/chart-schema.ts';
import { chartSection } from './chart-section.ts';
import { esc, nyDate } from './format.ts';
import { provenanceSection, type ReportProvenance } from './provenance-section.ts';
import { CSS, REPORT_SCRIPT_HASH, SCRIPT } from './report-assets.ts';

/** JSON that is safe inside a `<script type="application/json">` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const NAV_LABELS: Readonly<Record<ChartId, string>> = {
  headline: 'Headline',
  equity: 'Equity',
  drawdown: 'Drawdown',
  'rolling-sharpe': 'Rolling Sharpe',
  'rolling-volatility': 'Rolling vol',
  'ex-ante-volatility': 'Ex-ante vol',
  'monthly-returns': 'Monthly',
  exposure: 'Exposure',
  'sector-weights': 'Sectors',
  'top-holdings': 'Holdings',
  turnover: 'Turnover',
  costs: 'Costs',
  'constraint-activity': 'Constraints',
  'ic-by-fold': 'IC by fold',
  'decile-spreads': 'Deciles',
  'ic-decay': 'IC decay',
  'feature-importance': 'Features',
};

/** The whole report page. Deterministic: same payloads and provenance ⇒ same string. */
export function renderReportHtml(payloads: ChartPayloads, provenance: ReportProvenance): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src ${REPORT_SCRIPT_HASH}; img-src data:; base-uri 'none'; form-action 'none'`;
  const eq = payloads.equity;
  const period =
    eq.status === 'ok' && eq.x.length > 0 ? `${nyDate(eq.x[0]!)} to ${nyDate(eq.x[eq.x.length - 1]!)}` : '';
  const nav =
    CHART_IDS.map((id) => `<a href="#chart-${id}">${esc(NAV_LABELS[id])}</a>`).join('') +
    '<a href="#provenance">Provenance</a>';
  const sections = CHART_IDS.map((id) => chartSection(id, payloads)).join('\n');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">` +
    `<meta name="referrer" content="no-referrer"><title>${esc(`Backtest ${provenance.runId}`)}</title>` +
    `<style>${CSS}</style></head><body>` +
    `<header><h1>Backtest report</h1><p>${esc(`Run ${provenance.runId}${period ? ` · ${period}` : ''} · dataset ${provenance.datasetId} · code ${provenance.codeVersion}`)}</p></header>` +
    `<nav aria-label="Sections">${nav}</nav><main>\n${sections}\n${provenanceSection(provenance, payloads)}</main>` +
    `<script type="application/json" id="hts-payloads">${scriptJson(payloads)}</script>` +
    `<script>${SCRIPT}</script></body></html>\n`
  );
}
