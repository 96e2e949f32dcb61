/** The section of one chart: the figure its kind calls for, or why it is not available. */
import type { ChartPayloads } from '../charts/chart-payloads.ts';
import type { ChartId } from '../charts/chart-schema.ts';
import { barFigure, heatmapFigure, icDecayFigure, timeFigure } from './chart-figures.ts';
import { unavailableSection } from './figure.ts';
import { formatValue } from './format.ts';
import { headlineSection } from './headline-section.ts';
import { constraintActivitySection } from './portfolio-sections.ts';

const SECTOR_ABBR: Readonly<Record<string, string>> = {
  'Communication Services': 'Comm',
  'Consumer Discretionary': 'Disc',
  'Consumer Staples': 'Staples',
  'Information Technology': 'IT',
  'Health Care': 'Health',
  'Real Estate': 'RE',
};
const abbreviateSector = (s: string): string => SECTOR_ABBR[s] ?? s;

const LOG_TOGGLE = '<label class="toggle"><input type="checkbox" data-log-toggle> Log scale</label>';

/** Mean of the non-null values of a series. */
function meanOf(values: readonly (number | null)[] | undefined): number | null {
  const v = (values ?? []).filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

export function chartSection(id: ChartId, payloads: ChartPayloads): string {
  const p = payloads[id];
  if (p.status === 'unavailable') return unavailableSection(p);
  switch (p.chartId) {
    case 'headline':
      return headlineSection(p);
    case 'equity':
      return timeFigure(p, {}, LOG_TOGGLE);
    case 'drawdown':
      return timeFigure(p, { fillFirstToZero: true });
    case 'rolling-sharpe':
    case 'rolling-volatility':
    case 'ex-ante-volatility':
    case 'exposure':
    case 'sector-weights':
      return timeFigure(p);
    case 'monthly-returns':
      return heatmapFigure(p);
    case 'top-holdings':
      return barFigure(
        p,
        [],
        p.categories.map((c, i) => (p.sectors[i] ? `${c} · ${abbreviateSector(p.sectors[i])}` : c)),
      );
    case 'turnover':
    case 'costs':
      return barFigure(p);
    case 'constraint-activity':
      return constraintActivitySection(p);
    case 'ic-by-fold': {
      const ic = formatValue(meanOf(p.series[0]?.values), 'ratio', 3);
      const rankIc = formatValue(meanOf(p.series[1]?.values), 'ratio', 3);
      return barFigure(p, [`Mean over folds: IC ${ic}, rank IC ${rankIc}.`]);
    }
    case 'decile-spreads':
      return barFigure(p, [`Top minus bottom decile: ${formatValue(p.topMinusBottom, 'percent', 3)}.`]);
    case 'ic-decay':
      return icDecayFigure(p);
    case 'feature-importance':
      return barFigure(p, [`${p.totalFeatures} features in all; method: ${p.method}.`]);
  }
}
