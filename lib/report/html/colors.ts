/** Series colours of the report: fixed per series id and per GICS sector, so runs compare at a glance. */
import type { ChartId, ChartSeries } from '../charts/chart-schema.ts';
import type { SeriesStyle } from './svg.ts';

/** Okabe–Ito-derived colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics). */
const BLUE = '#1f5fa8';
const GREY = '#5f5f5f';
const ORANGE = '#b85c00';
const GREEN = '#2e7d32';
const PURPLE = '#7b3294';
export const BAND_COLORS = { conservative: '#fbe3a6', risk_off: '#f6b8b8' } as const;
/** The spec's target volatility band. */
export const TARGET_BAND_COLOR = '#d6ead2';
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
  if (s.id === 'realised-quarter') return { color: PURPLE, dash: '4 3' };
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
    'ex-ante': BLUE,
    realised: ORANGE,
  };
  return { color: byId[s.id] ?? [BLUE, ORANGE, GREEN, PURPLE][i % 4]! };
}

export function styled(chartId: ChartId, series: readonly ChartSeries[]): SeriesStyle[] {
  return series.map((s, i) => ({ ...s, ...colorOf(chartId, s, i) }));
}
