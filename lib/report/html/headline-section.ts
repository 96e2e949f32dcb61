/** The headline table's section: strategy beside SPY, each figure's annualisation, and why a value is missing. */
import type { OkPayload } from '../charts/chart-payloads.ts';
import type { ValueFormat } from '../charts/chart-schema.ts';
import { type HeadlineRow, NOT_APPLICABLE_TO_SPY } from '../charts/headline.ts';
import { esc, fixed, formatValue } from './format.ts';

type HeadlinePayload = OkPayload<'headline'>;

const trimmed = (x: number): string => fixed(x, 2).replace(/\.?0+$/, '');

/** `hourly, A = 1754.86` / `daily, A = 251.5`; empty for a figure that is not annualised. */
function basisText(p: HeadlinePayload, basis: HeadlineRow['basis']): string {
  if (basis === 'hourly') return `hourly, A = ${trimmed(p.annualization.barsPerYear)}`;
  if (basis === 'daily') return `daily, A = ${trimmed(p.annualization.sessionsPerYear)}`;
  return '';
}

/** A value cell; a null shows a dash and why (unless the figure simply does not apply to SPY). */
function cell(v: number | null, format: ValueFormat, why: string | undefined): string {
  if (v !== null) return `<td>${esc(formatValue(v, format))}</td>`;
  const shown =
    why !== undefined && why !== NOT_APPLICABLE_TO_SPY ? `<span class="why">${esc(why)}</span>` : '';
  return `<td class="null" title="${esc(why ?? '')}">—${shown}</td>`;
}

function headlineRow(p: HeadlinePayload, r: HeadlineRow): string {
  const basis = basisText(p, r.basis);
  return (
    `<tr data-figure="${esc(r.id)}"><th scope="row">${esc(r.label)}${r.note ? `<span class="why">${esc(r.note)}</span>` : ''}` +
    `${r.basis === 'none' ? '' : `<span class="why basis-inline">${esc(basis)}</span>`}</th>` +
    `${cell(r.strategy, r.format, r.strategyNull)}${cell(r.benchmark, r.format, r.benchmarkNull)}<td class="basis">${esc(basis)}</td></tr>`
  );
}

export function headlineSection(p: HeadlinePayload): string {
  const rows = p.rows.map((r) => headlineRow(p, r)).join('');
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
