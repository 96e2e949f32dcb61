/**
 * report.html: one self-contained page (no external request of any kind: a Content-Security-Policy with
 * `default-src 'none'` and a hash-pinned inline script enforces it), charts as server-rendered SVG in two
 * layouts (wide for laptops, narrow for phones, switched by a CSS media query), HTML legends, a data table
 * under each chart as a text fallback, and a small inline script for the pointer read-out and the equity
 * curve's log-scale toggle. The dashboard payloads are embedded as JSON (`#hts-payloads`). Deterministic: the
 * same payloads and provenance give the same bytes (no rendering time, no locale).
 */
import { createHash } from 'node:crypto';
import { esc, fixed, formatValue, MONTH_NAMES, nyDate } from './format.ts';
import {
  CHART_IDS,
  type ChartId,
  type ChartPayloads,
  type ChartSeries,
  NOT_APPLICABLE_TO_SPY as NOT_APPLICABLE,
  type OkPayload,
} from './payloads.ts';
import { barChart, heatmap, type LineChartSpec, lineChart, type SeriesStyle } from './svg.ts';

/** A walk-forward fold's boundaries as the report shows them (ISO-8601 instants or dates). */
export interface ReportFold {
  readonly id: string;
  readonly trainStart: string;
  readonly cutoff: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly purgeBars?: number;
  readonly embargoBars?: number;
}

export interface StageTiming {
  readonly stage: string;
  readonly seconds: number;
}

export interface ReportProvenance {
  readonly runId: string;
  /** The parsed run spec (shown as JSON, collapsed). */
  readonly spec: unknown;
  readonly specHash: string;
  readonly datasetId: string;
  readonly codeVersion: string;
  /** Walk-forward folds (absent: the run had no model stage). */
  readonly folds?: readonly ReportFold[];
  /** Wall-clock time of each stage, as recorded by the workflow. */
  readonly timings?: readonly StageTiming[];
}

// ------------------------------------------------------------------------------------------------- colours

/** Okabe–Ito-derived colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics). */
const BLUE = '#1f5fa8';
const GREY = '#5f5f5f';
const ORANGE = '#b85c00';
const GREEN = '#2e7d32';
const PURPLE = '#7b3294';
const BAND_COLORS = { conservative: '#fbe3a6', risk_off: '#f6b8b8' } as const;
/** One fixed colour per GICS sector (in GICS_SECTORS order) so runs compare at a glance. */
const SECTOR_COLORS: Readonly<Record<string, string>> = {
  'communication-services': '#4e79a7',
  'consumer-discretionary': '#f28e2b',
  'consumer-staples': '#e15759',
  energy: '#76b7b2',
  financials: '#59a14f',
  'health-care': '#edc948',
  industrials: '#b07aa1',
  'information-technology': '#ff9da7',
  materials: '#9c755f',
  'real-estate': '#bab0ac',
  utilities: '#1f3b73',
  unclassified: '#7f7f7f',
};
const EXTRA = ['#17becf', '#bcbd22', '#8c564b', '#e377c2'];

function colorOf(chartId: ChartId, s: ChartSeries, i: number): { color: string; dash?: string } {
  if (s.id === 'spy') return { color: GREY, dash: '6 4' };
  if (chartId === 'sector-weights') return { color: SECTOR_COLORS[s.id] ?? EXTRA[i % EXTRA.length]! };
  const byId: Record<string, string> = {
    strategy: BLUE,
    exposure: BLUE,
    cash: GREEN,
    mean: BLUE,
    final: ORANGE,
    ic: BLUE,
    'rank-ic': ORANGE,
    slippage: BLUE,
    spread: ORANGE,
    impact: PURPLE,
  };
  return { color: byId[s.id] ?? [BLUE, ORANGE, GREEN, PURPLE][i % 4]! };
}

function styled(chartId: ChartId, series: readonly ChartSeries[]): SeriesStyle[] {
  return series.map((s, i) => ({ ...s, ...colorOf(chartId, s, i) }));
}

// --------------------------------------------------------------------------------------------------- sizes

const WIDE = { width: 960, height: 320, fontSize: 12, variant: 'v-wide' };
const NARROW = { width: 360, height: 250, fontSize: 11, variant: 'v-narrow' };
const LAYOUTS = [WIDE, NARROW] as const;

// ------------------------------------------------------------------------------------------------ sections

function legend(
  items: readonly { label: string; color: string; dash?: string; kind: 'line' | 'box' }[],
): string {
  if (items.length === 0) return '';
  const li = items.map((it) => {
    const mark =
      it.kind === 'line'
        ? `<line x1="1" x2="21" y1="6" y2="6" stroke="${it.color}" stroke-width="2.5"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`
        : `<rect x="4" y="0" width="13" height="12" fill="${it.color}"/>`;
    return `<li><svg width="22" height="12" aria-hidden="true">${mark}</svg>${esc(it.label)}</li>`;
  });
  return `<ul class="legend">${li.join('')}</ul>`;
}

function figure(p: ChartPayloads[ChartId], body: string, extraHead = ''): string {
  return (
    `<section class="fig" id="chart-${p.chartId}" data-chart="${p.chartId}" data-status="${p.status}"${p.chartId === 'equity' ? ' data-log="0"' : ''}>` +
    `<h2>${esc(p.title)}</h2>${extraHead}<p class="desc">${esc(p.description)}</p>${body}</section>`
  );
}

function unavailableSection(p: Extract<ChartPayloads[ChartId], { status: 'unavailable' }>): string {
  return figure(p, `<p class="unavailable">Not available for this run: ${esc(p.reason)}.</p>`);
}

function dataTable(head: readonly string[], rows: readonly (readonly string[])[], caption: string): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const tr = rows.map(
    (r) =>
      `<tr>${r.map((c, j) => (j === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
  );
  return `<details class="data"><summary>${esc(caption)}</summary><div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>${tr.join('')}</tbody></table></div></details>`;
}

type TimePayload = OkPayload<
  'equity' | 'drawdown' | 'rolling-sharpe' | 'rolling-volatility' | 'exposure' | 'sector-weights'
>;

/** Month-end rows (the last point of each New York month) of a time series, for the text fallback. */
function monthEndTable(p: TimePayload): string {
  const rows: string[][] = [];
  for (let i = 0; i < p.x.length; i++) {
    const m = nyDate(p.x[i]!).slice(0, 7);
    const next = i + 1 < p.x.length ? nyDate(p.x[i + 1]!).slice(0, 7) : '';
    if (m === next) continue;
    rows.push([nyDate(p.x[i]!), ...p.series.map((s) => formatValue(s.values[i] ?? null, p.format))]);
  }
  return dataTable(['Date', ...p.series.map((s) => s.label)], rows, 'Data table (month-end values)');
}

function timeFigure(p: TimePayload, extra: Partial<LineChartSpec> = {}, headExtra = ''): string {
  const series = styled(p.chartId, p.series);
  const stacked = p.chartId === 'sector-weights';
  let svgs = '';
  const bands =
    p.chartId === 'drawdown'
      ? p.bands.map((b) => ({
          from: b.fromMs,
          to: b.toMs,
          color: BAND_COLORS[b.state],
          label: b.state === 'risk_off' ? 'Risk-off' : 'Conservative',
        }))
      : undefined;
  const variants = p.chartId === 'equity' ? [false, true] : [false];
  for (const layout of LAYOUTS) {
    for (const log of variants) {
      svgs += lineChart({
        chartId: p.chartId,
        variant: `${layout.variant}${p.chartId === 'equity' ? (log ? ' v-log' : ' v-lin') : ''}`,
        title: `${p.title}${log ? ' (log scale)' : ''}`,
        desc: `${p.description} ${p.series.length} series: ${p.series.map((s) => s.label).join(', ')}. ${p.downsampling}.`,
        width: layout.width,
        height: layout.height,
        fontSize: layout.fontSize,
        x: p.x,
        xKind: 'time',
        series,
        format: p.format,
        log,
        stacked,
        ...(bands ? { bands } : {}),
        hover: true,
        ...extra,
      });
    }
  }
  const items = series.map((s) => ({
    label: s.label,
    color: s.color,
    ...(s.dash ? { dash: s.dash } : {}),
    kind: stacked ? ('box' as const) : ('line' as const),
  }));
  if (bands) {
    items.push({ label: 'Conservative (shaded)', color: BAND_COLORS.conservative, kind: 'box' });
    items.push({ label: 'Risk-off (shaded)', color: BAND_COLORS.risk_off, kind: 'box' });
  }
  const note = `<p class="note">${esc(`Points: ${p.downsampling}.`)}</p>`;
  return figure(
    p,
    `${legend(items)}<div class="plot" data-series-count="${p.series.length}">${svgs}</div>${note}${monthEndTable(p)}`,
    headExtra,
  );
}

type BarPayload = OkPayload<
  'top-holdings' | 'turnover' | 'costs' | 'ic-by-fold' | 'decile-spreads' | 'feature-importance'
>;

function barFigure(p: BarPayload, notes: string[] = [], labels?: readonly string[]): string {
  const series = styled(p.chartId, p.series);
  const categories = labels ?? p.categories;
  let svgs = '';
  for (const layout of LAYOUTS) {
    svgs += barChart({
      chartId: p.chartId,
      variant: layout.variant,
      title: p.title,
      desc: `${p.description} ${p.series.length} series over ${p.categories.length} categories.`,
      width: layout.width,
      height: layout.height,
      fontSize: layout.fontSize,
      categories,
      series,
      format: p.format,
      stacked: p.stacked,
      orientation: p.orientation,
    });
  }
  const items =
    series.length > 1 ? series.map((s) => ({ label: s.label, color: s.color, kind: 'box' as const })) : [];
  const rows = p.categories.map((c, i) => [
    c,
    ...p.series.map((s) => formatValue(s.values[i] ?? null, p.format)),
  ]);
  const noteHtml = notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return figure(
    p,
    `${legend(items)}<div class="plot" data-series-count="${p.series.length}">${svgs}</div>${noteHtml}${dataTable(['', ...p.series.map((s) => s.label)], rows, 'Data table')}`,
  );
}

function headlineSection(p: ChartPayloads['headline']): string {
  if (p.status !== 'ok') return unavailableSection(p);
  const basis = (b: string) =>
    b === 'hourly'
      ? `hourly, A = ${trimmed(p.annualization.barsPerYear)}`
      : b === 'daily'
        ? `daily, A = ${trimmed(p.annualization.sessionsPerYear)}`
        : '';
  const cell = (v: number | null, format: (typeof p.rows)[number]['format'], why: string | undefined) => {
    if (v !== null) return `<td>${esc(formatValue(v, format))}</td>`;
    const shown = why !== undefined && why !== NOT_APPLICABLE ? `<span class="why">${esc(why)}</span>` : '';
    return `<td class="null" title="${esc(why ?? '')}">—${shown}</td>`;
  };
  const rows = p.rows
    .map(
      (r) =>
        `<tr data-figure="${esc(r.id)}"><th scope="row">${esc(r.label)}${r.note ? `<span class="why">${esc(r.note)}</span>` : ''}` +
        `${r.basis === 'none' ? '' : `<span class="why basis-inline">${esc(basis(r.basis))}</span>`}</th>` +
        `${cell(r.strategy, r.format, r.strategyNull)}${cell(r.benchmark, r.format, r.benchmarkNull)}<td class="basis">${esc(basis(r.basis))}</td></tr>`,
    )
    .join('');
  const conv = Object.entries(p.conventions)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  return (
    `<section class="fig" id="chart-headline" data-chart="headline" data-status="ok"><h2>${esc(p.title)}</h2>` +
    `<p class="desc">${esc(p.annualization.statement)}</p>` +
    `<div class="table-wrap"><table class="headline"><thead><tr><th scope="col">Figure</th><th scope="col">Strategy</th>` +
    `<th scope="col">SPY</th><th scope="col">Annualisation</th></tr></thead><tbody>${rows}</tbody></table></div>` +
    `<p class="note">${esc(`${p.counts.bars} bars, ${p.counts.sessions} sessions, ${p.counts.months} months. Benchmark: ${p.benchmark ?? 'none'}.`)}</p>` +
    `<details class="data"><summary>Conventions (metrics.json)</summary><dl class="conv">${conv}</dl></details></section>`
  );
}

const trimmed = (x: number): string => fixed(x, 2).replace(/\.?0+$/, '');

/** A fold boundary for people: `2024-01-31 21:00Z` from an ISO instant (dates pass through). */
const instant = (iso: string): string => iso.replace('T', ' ').replace(/:00(\.000)?Z$/, 'Z');

function heatmapSection(p: ChartPayloads['monthly-returns']): string {
  if (p.status !== 'ok') return unavailableSection(p);
  const hasBenchmark = p.rows.some((r) => r.benchmarkYearReturn !== null);
  let svgs = '';
  for (const layout of LAYOUTS) {
    svgs += heatmap({
      chartId: p.chartId,
      variant: layout.variant,
      title: p.title,
      desc: `${p.description} Values in percent.`,
      width: layout.width,
      height: layout.height,
      fontSize: layout.fontSize,
      rows: p.rows,
      hasBenchmark,
    });
  }
  const rows = p.rows.map((r) => [
    String(r.year),
    ...r.months.map((v) => formatValue(v, 'percent')),
    formatValue(r.yearReturn, 'percent'),
    formatValue(r.benchmarkYearReturn, 'percent'),
  ]);
  return figure(
    p,
    `<p class="note">Cells in percent; blue gains, red losses; colour scaled to the largest monthly move (years separately).</p>` +
      `<div class="plot" data-series-count="${hasBenchmark ? 2 : 1}">${svgs}</div>` +
      dataTable(['Year', ...MONTH_NAMES, 'Year', 'SPY year'], rows, 'Data table'),
  );
}

function icDecaySection(p: ChartPayloads['ic-decay']): string {
  if (p.status !== 'ok') return unavailableSection(p);
  const series = styled(p.chartId, p.series);
  let svgs = '';
  for (const layout of LAYOUTS) {
    svgs += lineChart({
      chartId: p.chartId,
      variant: layout.variant,
      title: p.title,
      desc: `${p.description} ${p.series.length} series.`,
      width: layout.width,
      height: layout.height,
      fontSize: layout.fontSize,
      x: p.x,
      xKind: 'number',
      xLabel: p.xLabel,
      series,
      format: p.format,
      markers: true,
    });
  }
  const rows = p.x.map((h, i) => [
    String(h),
    ...p.series.map((s) => formatValue(s.values[i] ?? null, p.format)),
  ]);
  return figure(
    p,
    `${legend(series.map((s) => ({ label: s.label, color: s.color, kind: 'line' as const })))}<div class="plot" data-series-count="${p.series.length}">${svgs}</div>` +
      dataTable(['Horizon (bars)', ...p.series.map((s) => s.label)], rows, 'Data table'),
  );
}

function chartSection(id: ChartId, payloads: ChartPayloads): string {
  const p = payloads[id];
  if (p.status === 'unavailable') return unavailableSection(p);
  switch (p.chartId) {
    case 'headline':
      return headlineSection(p);
    case 'equity':
      return timeFigure(
        p,
        {},
        '<label class="toggle"><input type="checkbox" data-log-toggle> Log scale</label>',
      );
    case 'drawdown':
      return timeFigure(p, { fillFirstToZero: true });
    case 'rolling-sharpe':
    case 'rolling-volatility':
    case 'exposure':
    case 'sector-weights':
      return timeFigure(p);
    case 'monthly-returns':
      return heatmapSection(p);
    case 'top-holdings':
      return barFigure(
        p,
        [],
        p.categories.map((c, i) => (p.sectors[i] ? `${c} · ${abbreviateSector(p.sectors[i])}` : c)),
      );
    case 'turnover':
    case 'costs':
      return barFigure(p);
    case 'ic-by-fold': {
      const mean = (k: number) => {
        const v = p.series[k]!.values.filter((x): x is number => x !== null);
        return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
      };
      return barFigure(p, [
        `Mean over folds: IC ${formatValue(mean(0), 'ratio', 3)}, rank IC ${formatValue(mean(1), 'ratio', 3)}.`,
      ]);
    }
    case 'decile-spreads':
      return barFigure(p, [`Top minus bottom decile: ${formatValue(p.topMinusBottom, 'percent', 3)}.`]);
    case 'ic-decay':
      return icDecaySection(p);
    case 'feature-importance':
      return barFigure(p, [`${p.totalFeatures} features in all; method: ${p.method}.`]);
  }
}

const SECTOR_ABBR: Readonly<Record<string, string>> = {
  'Communication Services': 'Comm',
  'Consumer Discretionary': 'Disc',
  'Consumer Staples': 'Staples',
  'Information Technology': 'IT',
  'Health Care': 'Health',
  'Real Estate': 'RE',
};
const abbreviateSector = (s: string): string => SECTOR_ABBR[s] ?? s;

function provenanceSection(prov: ReportProvenance, payloads: ChartPayloads): string {
  const eq = payloads.equity;
  const period =
    eq.status === 'ok' && eq.x.length > 0 ? `${nyDate(eq.x[0]!)} → ${nyDate(eq.x[eq.x.length - 1]!)}` : 'n/a';
  const dl = [
    ['Run id', prov.runId],
    ['Period (sessions)', period],
    ['Dataset id', prov.datasetId],
    ['Spec hash', prov.specHash],
    ['Code version', prov.codeVersion],
  ]
    .map(([k, v]) => `<dt>${esc(k!)}</dt><dd><code>${esc(v!)}</code></dd>`)
    .join('');
  const folds =
    prov.folds === undefined || prov.folds.length === 0
      ? '<p class="unavailable">No walk-forward folds: the run had no model stage.</p>'
      : `<div class="table-wrap"><table><thead><tr><th scope="col">Fold</th><th scope="col">Train start</th><th scope="col">Training cutoff</th><th scope="col">Test start</th><th scope="col">Test end</th><th scope="col">Purge + embargo (bars)</th></tr></thead><tbody>${prov.folds
          .map(
            (f) =>
              `<tr><th scope="row">${esc(f.id)}</th><td>${esc(instant(f.trainStart))}</td><td>${esc(instant(f.cutoff))}</td><td>${esc(instant(f.testStart))}</td><td>${esc(instant(f.testEnd))}</td><td>${f.purgeBars === undefined ? '—' : `${f.purgeBars} + ${f.embargoBars ?? 0}`}</td></tr>`,
          )
          .join('')}</tbody></table></div>`;
  const timings =
    prov.timings === undefined || prov.timings.length === 0
      ? '<p class="unavailable">No stage timings were recorded.</p>'
      : `<div class="table-wrap"><table><thead><tr><th scope="col">Stage</th><th scope="col">Seconds</th></tr></thead><tbody>${prov.timings
          .map((t) => `<tr><th scope="row">${esc(t.stage)}</th><td>${esc(fixed(t.seconds, 2))}</td></tr>`)
          .join('')}<tr><th scope="row">Total</th><td>${esc(
          fixed(
            prov.timings.reduce((a, t) => a + t.seconds, 0),
            2,
          ),
        )}</td></tr></tbody></table></div>`;
  const spec = JSON.stringify(prov.spec ?? null, null, 2);
  return (
    `<section class="fig" id="provenance"><h2>Provenance</h2><dl class="prov">${dl}</dl>` +
    `<h3>Walk-forward folds</h3>${folds}<h3>Timings</h3>${timings}` +
    `<details class="data"><summary>Run spec (JSON)</summary><pre>${esc(spec)}</pre></details></section>`
  );
}

// ---------------------------------------------------------------------------------------------- page shell

const CSS = `
:root{color-scheme:light;--fg:#111827;--muted:#4b5563;--line:#d1d5db;--bg:#f9fafb;--card:#fff;--accent:#1f5fa8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#0f2f57;color:#fff;padding:18px 20px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#dbe6f3;font-size:14px;overflow-wrap:anywhere}
nav{max-width:1040px;margin:12px auto 0;padding:0 12px;display:flex;flex-wrap:wrap;gap:6px 12px;font-size:13px}
nav a{color:var(--accent)}
main{max-width:1040px;margin:0 auto;padding:12px}
.fig{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 14px;min-width:0}
.fig h2{margin:0 0 4px;font-size:18px}
.fig h3{font-size:15px;margin:14px 0 6px}
.desc,.note{color:var(--muted);margin:0 0 8px;font-size:13.5px}
.plot{width:100%}
svg.chart{display:block;width:100%;height:auto;font-family:inherit;overflow:visible}
@media (max-width:720px){.v-wide{display:none!important}.fig{padding:10px}body{font-size:14px}}
@media (min-width:721px){.v-narrow{display:none!important}}
.fig[data-log="0"] .v-log,.fig[data-log="1"] .v-lin{display:none!important}
.legend{list-style:none;margin:0 0 6px;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
.legend li{display:flex;align-items:center;gap:5px}
.toggle{float:right;font-size:13px;margin-top:-26px;cursor:pointer}
.unavailable{color:#7c2d12;background:#fff7ed;border:1px solid #fed7aa;border-radius:6px;padding:8px 10px;margin:6px 0}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th[scope=row],thead th:first-child{text-align:left}
table.headline{width:100%}
table.headline th[scope=row]{white-space:normal}
td.basis{color:var(--muted);font-size:12px}
.basis-inline{display:none}
.why{display:block;color:var(--muted);font-size:11.5px;font-weight:normal;white-space:normal}
td.null{color:var(--muted)}
details.data{margin-top:8px;font-size:13px}
details.data summary{cursor:pointer;color:var(--accent)}
pre{background:#f3f4f6;padding:10px;overflow-x:auto;font-size:12px;max-width:100%}
dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0;font-size:13.5px}
dl.prov dd{margin:0;overflow-wrap:anywhere;min-width:0}
dl.conv dt{font-weight:600;margin-top:6px}
dl.conv dd{margin:0 0 0 12px;color:var(--muted)}
code{font-size:12.5px}
.tip{position:fixed;z-index:10;background:#111827;color:#fff;font-size:12px;padding:6px 8px;border-radius:5px;pointer-events:none;max-width:260px}
.tip strong{display:block;margin-bottom:2px}
@media (max-width:720px){.toggle{float:none;display:block;margin:0 0 6px}dl.prov{grid-template-columns:1fr}
table.headline .basis,table.headline thead th:last-child{display:none}table.headline .basis-inline{display:block}}
`;

const SCRIPT = `(function(){
var el=document.getElementById('hts-payloads');if(!el)return;
var data=JSON.parse(el.textContent);
var tip=document.createElement('div');tip.className='tip';tip.hidden=true;tip.setAttribute('role','status');document.body.appendChild(tip);
function fmt(v,f){if(v===null||v===undefined)return '\\u2014';if(f==='percent')return (v*100).toFixed(2)+'%';if(f==='bps')return v.toFixed(1)+' bps';if(f==='multiple')return v.toFixed(3);return v.toFixed(2);}
function day(ms){return new Date(ms).toISOString().slice(0,10);}
document.querySelectorAll('svg[data-hover]').forEach(function(svg){
var p=data[svg.getAttribute('data-chart')];if(!p||p.status!=='ok'||!p.x||!p.x.length)return;
var pl=svg.getAttribute('data-plot').split(' ').map(Number),xr=svg.getAttribute('data-x').split(' ').map(Number);
var guide=svg.querySelector('.guide');
function hide(){tip.hidden=true;if(guide)guide.setAttribute('visibility','hidden');}
svg.addEventListener('pointerleave',hide);
svg.addEventListener('pointermove',function(ev){
var m=svg.getScreenCTM();if(!m)return;var pt=svg.createSVGPoint();pt.x=ev.clientX;pt.y=ev.clientY;var q=pt.matrixTransform(m.inverse());
if(q.x<pl[0]||q.x>pl[1]){hide();return;}
var t=xr[0]+(q.x-pl[0])/(pl[1]-pl[0])*(xr[1]-xr[0]);var lo=0,hi=p.x.length-1;
while(hi-lo>1){var mid=(lo+hi)>>1;if(p.x[mid]<t)lo=mid;else hi=mid;}
var i=Math.abs(p.x[lo]-t)<=Math.abs(p.x[hi]-t)?lo:hi;
var gx=pl[0]+(p.x[i]-xr[0])/((xr[1]-xr[0])||1)*(pl[1]-pl[0]);
if(guide){guide.setAttribute('x1',gx);guide.setAttribute('x2',gx);guide.setAttribute('visibility','visible');}
tip.textContent='';var h=document.createElement('strong');h.textContent=day(p.x[i]);tip.appendChild(h);
p.series.forEach(function(s){var r=document.createElement('div');r.textContent=s.label+': '+fmt(s.values[i],p.format);tip.appendChild(r);});
tip.hidden=false;var w=tip.offsetWidth,hh=tip.offsetHeight;
var x=ev.clientX+14;if(x+w>window.innerWidth-4)x=ev.clientX-w-14;if(x<4)x=4;
var y=ev.clientY+14;if(y+hh>window.innerHeight-4)y=ev.clientY-hh-14;
tip.style.left=x+'px';tip.style.top=y+'px';});
});
document.querySelectorAll('input[data-log-toggle]').forEach(function(box){
box.addEventListener('change',function(){var f=box.closest('.fig');if(f)f.setAttribute('data-log',box.checked?'1':'0');});});
})();`;

function base64OfHex(hex: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!;
    out += b === undefined ? '=' : alphabet[(n >> 6) & 63]!;
    out += c === undefined ? '=' : alphabet[n & 63]!;
  }
  return out;
}

/** The CSP hash of the inline script: `'sha256-…'`. */
export const REPORT_SCRIPT_HASH = `'sha256-${base64OfHex(createHash('sha256').update(SCRIPT, 'utf8').digest('hex'))}'`;

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
  'monthly-returns': 'Monthly',
  exposure: 'Exposure',
  'sector-weights': 'Sectors',
  'top-holdings': 'Holdings',
  turnover: 'Turnover',
  costs: 'Costs',
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
