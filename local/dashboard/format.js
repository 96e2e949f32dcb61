/**
 * Number and time formatting of the dashboard, locale-independent (the same figures as report.html): percent
 * = fraction × 100, multiple = growth of 1, ratio, bps, plain number; null shows as an em dash.
 */

export const NOT_AVAILABLE = '—';

export function formatValue(x, format) {
  if (x === null || x === undefined || !Number.isFinite(x)) return NOT_AVAILABLE;
  switch (format) {
    case 'percent':
      return `${(x * 100).toFixed(2)}%`;
    case 'multiple':
      return `${x.toFixed(3)}×`;
    case 'ratio':
      return x.toFixed(2);
    case 'bps':
      return `${x.toFixed(1)} bps`;
    default:
      return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(4)));
  }
}

/** `2026-01-05 14:03 UTC` from an ISO instant. */
export function formatTime(iso) {
  if (typeof iso !== 'string') return NOT_AVAILABLE;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `YYYY-MM-DD` (UTC) of epoch ms. */
export function isoDate(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The headline figures kept on a run record (`metrics` of the run view): label and format of each. */
export const SUMMARY_METRICS = [
  ['totalReturn', 'Total return', 'percent'],
  ['cagr', 'CAGR', 'percent'],
  ['annualVolatility', 'Annual volatility', 'percent'],
  ['sharpeHourly', 'Sharpe (hourly)', 'ratio'],
  ['sharpeDaily', 'Sharpe (daily)', 'ratio'],
  ['sortinoHourly', 'Sortino (hourly)', 'ratio'],
  ['maxDrawdown', 'Max drawdown', 'percent'],
  ['calmar', 'Calmar', 'ratio'],
  ['benchmarkCagr', 'SPY CAGR', 'percent'],
  ['benchmarkSharpeHourly', 'SPY Sharpe (hourly)', 'ratio'],
  ['benchmarkMaxDrawdown', 'SPY max drawdown', 'percent'],
  ['informationRatioAnnualized', 'Information ratio', 'ratio'],
  ['turnoverOneWayAnnualized', 'Turnover (one-way, annualised)', 'percent'],
  ['costBpsOfTraded', 'Cost (bps of traded)', 'bps'],
  ['costDragBpsPerYear', 'Cost drag (bps a year)', 'bps'],
  ['fillRate', 'Fill rate', 'percent'],
  ['exposureMean', 'Mean gross exposure', 'percent'],
  ['annualizationFactor', 'Bars a year', 'number'],
];
