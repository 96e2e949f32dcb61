/** The data table under each chart: its text fallback, collapsed in a `<details>`. */
import type { OkPayload } from '../charts/chart-payloads.ts';
import type { ChartSeries, ValueFormat } from '../charts/chart-schema.ts';
import { esc, formatValue, nyDate } from './format.ts';

export function dataTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  caption: string,
): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const tr = rows.map(
    (r) =>
      `<tr>${r.map((c, j) => (j === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
  );
  return `<details class="data"><summary>${esc(caption)}</summary><div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>${tr.join('')}</tbody></table></div></details>`;
}

/** The formatted values of every series at point `i` (a data table row after its first cell). */
export const seriesCells = (series: readonly ChartSeries[], i: number, format: ValueFormat): string[] =>
  series.map((s) => formatValue(s.values[i] ?? null, format));

export type TimePayload = OkPayload<
  | 'equity'
  | 'drawdown'
  | 'rolling-sharpe'
  | 'rolling-volatility'
  | 'ex-ante-volatility'
  | 'exposure'
  | 'sector-weights'
>;

/** Month-end rows (the last point of each New York month) of a time series, for the text fallback. */
export function monthEndTable(p: TimePayload): string {
  const rows: string[][] = [];
  for (let i = 0; i < p.x.length; i++) {
    const m = nyDate(p.x[i]!).slice(0, 7);
    const next = i + 1 < p.x.length ? nyDate(p.x[i + 1]!).slice(0, 7) : '';
    if (m === next) continue;
    rows.push([nyDate(p.x[i]!), ...seriesCells(p.series, i, p.format)]);
  }
  return dataTable(['Date', ...p.series.map((s) => s.label)], rows, 'Data table (month-end values)');
}
