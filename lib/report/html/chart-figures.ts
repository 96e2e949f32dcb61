/**
 * The sections of the drawn charts: time series (line, area, stacked area; the equity curve in linear and log
 * scale; the volatility chart with its target band), bar charts, the monthly-returns heatmap and the IC-decay line over horizons. Each has its legend, its
 * SVGs in both layouts and its data table.
 */
import type { OkPayload } from '../charts/chart-payloads.ts';
import { BAND_COLORS, styled } from './colors.ts';
import { figure, frameIn, type LegendItem, legend, perLayout, plot } from './figure.ts';
import { esc, formatValue, MONTH_NAMES } from './format.ts';
import { quarterTable, targetBandOf } from './portfolio-sections.ts';
import { barChart, heatmap, type LineChartSpec, lineChart } from './svg.ts';
import { dataTable, monthEndTable, seriesCells, type TimePayload } from './tables.ts';

/** The drawdown chart's risk bands as SVG bands (undefined for any other chart). */
function bandsOf(p: TimePayload) {
  if (p.chartId !== 'drawdown') return undefined;
  return p.bands.map((b) => ({
    from: b.fromMs,
    to: b.toMs,
    color: BAND_COLORS[b.state],
    label: b.state === 'risk_off' ? 'Risk-off' : 'Conservative',
  }));
}

export function timeFigure(p: TimePayload, extra: Partial<LineChartSpec> = {}, headExtra = ''): string {
  const series = styled(p.chartId, p.series);
  const stacked = p.chartId === 'sector-weights';
  const bands = bandsOf(p);
  const target = targetBandOf(p);
  const variants = p.chartId === 'equity' ? [false, true] : [false];
  const desc = `${p.description} ${p.series.length} series: ${p.series.map((s) => s.label).join(', ')}. ${p.downsampling}.`;
  const svgs = perLayout((layout) =>
    variants
      .map((log) =>
        lineChart({
          ...frameIn(layout, {
            chartId: p.chartId,
            variant: `${layout.variant}${p.chartId === 'equity' ? (log ? ' v-log' : ' v-lin') : ''}`,
            title: `${p.title}${log ? ' (log scale)' : ''}`,
            desc,
          }),
          x: p.x,
          xKind: 'time',
          series,
          format: p.format,
          log,
          stacked,
          ...(bands ? { bands } : {}),
          ...(target ? { valueBands: target.bands } : {}),
          hover: true,
          ...extra,
        }),
      )
      .join(''),
  );
  const items: LegendItem[] = series.map((s) => ({
    label: s.label,
    color: s.color,
    ...(s.dash ? { dash: s.dash } : {}),
    kind: stacked ? 'box' : 'line',
  }));
  if (bands) {
    items.push({ label: 'Conservative (shaded)', color: BAND_COLORS.conservative, kind: 'box' });
    items.push({ label: 'Risk-off (shaded)', color: BAND_COLORS.risk_off, kind: 'box' });
  }
  if (target) items.push(target.legend);
  const note = `<p class="note">${esc(`Points: ${p.downsampling}.`)}</p>`;
  return figure(
    p,
    `${legend(items)}${plot(p.series.length, svgs)}${note}${quarterTable(p)}${monthEndTable(p)}`,
    headExtra,
  );
}

export type BarPayload = OkPayload<
  'top-holdings' | 'turnover' | 'costs' | 'ic-by-fold' | 'decile-spreads' | 'feature-importance'
>;

export function barFigure(p: BarPayload, notes: string[] = [], labels?: readonly string[]): string {
  const series = styled(p.chartId, p.series);
  const desc = `${p.description} ${p.series.length} series over ${p.categories.length} categories.`;
  const svgs = perLayout((layout) =>
    barChart({
      ...frameIn(layout, { chartId: p.chartId, title: p.title, desc }),
      categories: labels ?? p.categories,
      series,
      format: p.format,
      stacked: p.stacked,
      orientation: p.orientation,
    }),
  );
  const items: LegendItem[] =
    series.length > 1 ? series.map((s) => ({ label: s.label, color: s.color, kind: 'box' })) : [];
  const rows = p.categories.map((c, i) => [c, ...seriesCells(p.series, i, p.format)]);
  const noteHtml = notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return figure(
    p,
    `${legend(items)}${plot(p.series.length, svgs)}${noteHtml}${dataTable(['', ...p.series.map((s) => s.label)], rows, 'Data table')}`,
  );
}

export function heatmapFigure(p: OkPayload<'monthly-returns'>): string {
  const hasBenchmark = p.rows.some((r) => r.benchmarkYearReturn !== null);
  const desc = `${p.description} Values in percent.`;
  const svgs = perLayout((layout) =>
    heatmap({ ...frameIn(layout, { chartId: p.chartId, title: p.title, desc }), rows: p.rows, hasBenchmark }),
  );
  const rows = p.rows.map((r) => [
    String(r.year),
    ...r.months.map((v) => formatValue(v, 'percent')),
    formatValue(r.yearReturn, 'percent'),
    formatValue(r.benchmarkYearReturn, 'percent'),
  ]);
  return figure(
    p,
    `<p class="note">Cells in percent; blue gains, red losses; colour scaled to the largest monthly move (years separately).</p>` +
      plot(hasBenchmark ? 2 : 1, svgs) +
      dataTable(['Year', ...MONTH_NAMES, 'Year', 'SPY year'], rows, 'Data table'),
  );
}

export function icDecayFigure(p: OkPayload<'ic-decay'>): string {
  const series = styled(p.chartId, p.series);
  const desc = `${p.description} ${p.series.length} series.`;
  const svgs = perLayout((layout) =>
    lineChart({
      ...frameIn(layout, { chartId: p.chartId, title: p.title, desc }),
      x: p.x,
      xKind: 'number',
      xLabel: p.xLabel,
      series,
      format: p.format,
      markers: true,
    }),
  );
  const rows = p.x.map((h, i) => [String(h), ...seriesCells(p.series, i, p.format)]);
  const items: LegendItem[] = series.map((s) => ({ label: s.label, color: s.color, kind: 'line' }));
  return figure(
    p,
    `${legend(items)}${plot(p.series.length, svgs)}` +
      dataTable(['Horizon (bars)', ...p.series.map((s) => s.label)], rows, 'Data table'),
  );
}
