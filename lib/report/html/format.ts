/**
 * Number and date formatting for the report, written out by hand so the output does not depend on the host's
 * locale or time zone (Intl would): same inputs ⇒ same bytes.
 */
import { utcMsToNyDate, utcMsToNyParts } from '../../core/index.ts';
import type { ValueFormat } from '../charts/chart-schema.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
export const MONTH_NAMES: readonly string[] = MONTHS;

/** `x.toFixed(d)` with a true minus sign and no negative zero. */
export function fixed(x: number, d: number): string {
  const s = x.toFixed(d);
  if (/^-0(\.0+)?$/.test(s)) return s.slice(1);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** A value for a table or a tooltip. */
export function formatValue(x: number | null, format: ValueFormat, digits?: number): string {
  if (x === null || !Number.isFinite(x)) return '—';
  switch (format) {
    case 'percent':
      return `${fixed(x * 100, digits ?? 2)}%`;
    case 'multiple':
      return fixed(x, digits ?? 3);
    case 'ratio':
      return fixed(x, digits ?? 2);
    case 'bps':
      return `${fixed(x, digits ?? 1)} bps`;
    case 'number':
      return Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? expo(x) : fixed(x, digits ?? 3);
  }
}

function expo(x: number): string {
  const [m, e] = x.toExponential(2).split('e');
  return `${fixed(Number(m), 2)}e${Number(e)}`;
}

/** An axis tick label: as few decimals as the tick step needs. */
export function formatTick(x: number, format: ValueFormat, step: number): string {
  const decimals = (s: number): number => {
    let d = 0;
    while (d < 6 && Math.abs(Math.round(s * 10 ** d) - s * 10 ** d) > 1e-6) d++;
    return d;
  };
  switch (format) {
    case 'percent':
      return `${fixed(x * 100, decimals(step * 100))}%`;
    case 'bps':
      return `${fixed(x, decimals(step))} bps`;
    case 'number':
      return Math.abs(x) >= 1e4 ? expo(x) : fixed(x, decimals(step));
    default:
      return fixed(x, decimals(step));
  }
}

/** New York date of an instant, `YYYY-MM-DD`. */
export const nyDate = (ms: number): string => utcMsToNyDate(ms);

/** New York date and wall time of an instant, `YYYY-MM-DD HH:MM ET` (a bar close). */
export function nyDateTime(ms: number): string {
  const p = utcMsToNyParts(ms);
  return `${p.date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')} ET`;
}

/** `Mar 2024` for `2024-03`. */
export function monthLabel(yyyyMm: string): string {
  return `${MONTHS[Number(yyyyMm.slice(5, 7)) - 1]} ${yyyyMm.slice(0, 4)}`;
}

/** Escapes text for HTML/SVG text content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}
