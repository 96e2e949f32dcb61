/**
 * The frame of every chart section: the two layouts (wide for laptops, narrow for phones, switched by a CSS media
 * query), the HTML legend, the `<section>` with title and description, and the section of a chart that is not
 * available for the run.
 */
import type { ChartPayloads } from '../charts/chart-payloads.ts';
import type { ChartId } from '../charts/chart-schema.ts';
import { esc } from './format.ts';

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly fontSize: number;
  /** The class that shows the SVG in its layout only. */
  readonly variant: string;
}

const WIDE: Layout = { width: 960, height: 320, fontSize: 12, variant: 'v-wide' };
const NARROW: Layout = { width: 360, height: 250, fontSize: 11, variant: 'v-narrow' };
export const LAYOUTS: readonly Layout[] = [WIDE, NARROW];

/** The SVG frame of a chart in one layout (`variant` defaults to the layout's class). */
export function frameIn(
  layout: Layout,
  frame: { chartId: string; title: string; desc: string; variant?: string },
) {
  return {
    chartId: frame.chartId,
    variant: frame.variant ?? layout.variant,
    title: frame.title,
    desc: frame.desc,
    width: layout.width,
    height: layout.height,
    fontSize: layout.fontSize,
  };
}

/** One SVG per layout, wide first. */
export const perLayout = (draw: (layout: Layout) => string): string => LAYOUTS.map(draw).join('');

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
  readonly kind: 'line' | 'box';
}

export function legend(items: readonly LegendItem[]): string {
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

/** The plot area: the SVGs of every layout. */
export const plot = (seriesCount: number, svgs: string): string =>
  `<div class="plot" data-series-count="${seriesCount}">${svgs}</div>`;

export function figure(p: ChartPayloads[ChartId], body: string, extraHead = ''): string {
  return (
    `<section class="fig" id="chart-${p.chartId}" data-chart="${p.chartId}" data-status="${p.status}"${p.chartId === 'equity' ? ' data-log="0"' : ''}>` +
    `<h2>${esc(p.title)}</h2>${extraHead}<p class="desc">${esc(p.description)}</p>${body}</section>`
  );
}

export function unavailableSection(p: Extract<ChartPayloads[ChartId], { status: 'unavailable' }>): string {
  return figure(p, `<p class="unavailable">Not available for this run: ${esc(p.reason)}.</p>`);
}
