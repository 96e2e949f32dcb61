/**
 * The portfolio-construction parts of the report: the volatility chart's target band and quarterly table, and the
 * constraint activity section (a table of how often each constraint binds, the failures by reason, the data gaps).
 */
import type { OkPayload } from '../charts/chart-payloads.ts';
import type { ValueFormat } from '../charts/chart-schema.ts';
import { TARGET_BAND_COLOR } from './colors.ts';
import { figure, type LegendItem } from './figure.ts';
import { esc, fixed, formatValue, nyDateTime } from './format.ts';
import type { ValueBand } from './svg.ts';
import type { TimePayload } from './tables.ts';

const TARGET_LABEL = 'Target band (shaded)';

/** The volatility chart's target band as a value band and its legend item (none for any other chart). */
export function targetBandOf(p: TimePayload): { bands: ValueBand[]; legend: LegendItem } | undefined {
  if (p.chartId !== 'ex-ante-volatility' || p.targetVol === null) return undefined;
  const { low, high } = p.targetVol;
  return {
    bands: [{ from: low, to: high, color: TARGET_BAND_COLOR, label: 'Target volatility band' }],
    legend: { label: TARGET_LABEL, color: TARGET_BAND_COLOR, kind: 'box' },
  };
}

function table(cls: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c, j) => (j === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table></div>`;
}

/** The volatility chart's quarterly table (shown, not collapsed: it is half of the comparison). */
export function quarterTable(p: TimePayload): string {
  if (p.chartId !== 'ex-ante-volatility') return '';
  const rows = p.quarters.map((q) => [
    q.quarter,
    String(q.sessions),
    formatValue(q.exAnte, 'percent'),
    formatValue(q.realised, 'percent'),
  ]);
  return (
    '<h3>By calendar quarter</h3>' +
    table('quarters', ['Quarter', 'Sessions', 'Ex-ante (mean)', 'Realised'], rows)
  );
}

/** A count without decimals, any other number with 2; a share in percent with 1 decimal. */
function activityValue(v: number | null, format: ValueFormat): string {
  if (v === null) return '—';
  if (format === 'percent') return formatValue(v, 'percent', 1);
  return Number.isInteger(v) ? fixed(v, 0) : fixed(v, 2);
}

export function constraintActivitySection(p: OkPayload<'constraint-activity'>): string {
  const rows = table(
    'activity',
    ['Measure', 'Value', 'Basis'],
    p.rows.map((r) => [r.label, activityValue(r.value, r.format), r.detail]),
  );
  const failures =
    p.failures.length === 0
      ? '<p class="note">No failed hour: every decision hour was solved.</p>'
      : table(
          'failures',
          ['Reason', 'Hours', 'First', 'Last'],
          p.failures.map((f) => [f.status, String(f.hours), nyDateTime(f.firstMs), nyDateTime(f.lastMs)]),
        );
  const more = p.gaps.count - p.gaps.shown.length;
  const gaps =
    p.gaps.count === 0
      ? '<p class="note">No data gap: every held name had a price at every hour.</p>'
      : `<details class="data"><summary>${esc(`${p.gaps.count} gap${p.gaps.count === 1 ? '' : 's'}: symbol and first missing hour`)}</summary>` +
        table(
          'gaps',
          ['Symbol', 'First missing hour'],
          p.gaps.shown.map((g) => [g.symbol, nyDateTime(g.firstMissingMs)]),
        ) +
        (more > 0
          ? `<p class="note">${esc(`${more} more in portfolio_diagnostics.json (summary.gaps.list).`)}</p>`
          : '') +
        '</details>';
  return figure(
    p,
    `${rows}<p class="note">${esc(`${p.hours} decision hours, ${p.solvedHours} solved.`)}</p>` +
      `<h3>Failures by reason</h3>${failures}<h3>Data gaps</h3>${gaps}`,
  );
}
