/**
 * Small server-side SVG chart primitives: line / area / stacked area over time or a number axis, vertical and
 * horizontal bars (grouped or stacked), and a year × month heatmap, each with axes, ticks and gridlines, an
 * accessible name (`<title>`, `<desc>`, `role="img"`) and one element with class `series` per data series
 * (`data-series` = the series id), which the browser test counts. Deterministic: coordinates rounded to 0.1
 * user unit, no clock, no randomness. Legends are HTML (render-html.ts), so they wrap at any width.
 *
 * Long lines are reduced per horizontal pixel with M4 (Jugel et al., "M4: a visualization-oriented time series
 * data aggregation", VLDB 2014): per pixel column the first, minimum, maximum and last points, in index order,
 * which draws the same polyline as all the points at that width.
 */

import type { ValueFormat } from '../charts/chart-schema.ts';
import { esc, fixed, formatTick, formatValue, MONTH_NAMES, nyDate } from './format.ts';

export interface SeriesStyle {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  /** SVG stroke-dasharray (so that two lines differ by more than colour). */
  readonly dash?: string;
  readonly values: readonly (number | null)[];
}

export interface Band {
  readonly from: number;
  readonly to: number;
  readonly color: string;
  readonly label: string;
}

/** A horizontal band between two values of the y axis (e.g. a target range), drawn under the series. */
export interface ValueBand {
  readonly from: number;
  readonly to: number;
  readonly color: string;
  readonly label: string;
}

interface Frame {
  readonly chartId: string;
  /** A class for the variant (`v-wide`, `v-narrow`, plus e.g. `v-log`). */
  readonly variant: string;
  readonly title: string;
  readonly desc: string;
  readonly width: number;
  readonly height: number;
  readonly fontSize: number;
}

export interface LineChartSpec extends Frame {
  readonly x: readonly number[];
  readonly xKind: 'time' | 'number';
  readonly xLabel?: string;
  readonly series: readonly SeriesStyle[];
  readonly format: ValueFormat;
  readonly log?: boolean;
  readonly stacked?: boolean;
  /** Fill the area between the first series and zero (underwater charts). */
  readonly fillFirstToZero?: boolean;
  readonly bands?: readonly Band[];
  /** Value bands (the y range always includes them). */
  readonly valueBands?: readonly ValueBand[];
  readonly markers?: boolean;
  /** Allow the pointer read-out (render-html's script); the payload supplies the values. */
  readonly hover?: boolean;
}

export interface BarChartSpec extends Frame {
  readonly categories: readonly string[];
  readonly series: readonly SeriesStyle[];
  readonly format: ValueFormat;
  readonly stacked: boolean;
  readonly orientation: 'vertical' | 'horizontal';
}

export interface HeatmapSpec extends Frame {
  readonly rows: readonly {
    readonly year: number;
    readonly months: readonly (number | null)[];
    readonly yearReturn: number | null;
    readonly benchmarkYearReturn: number | null;
  }[];
  readonly hasBenchmark: boolean;
}

const AXIS = '#374151';
const GRID = '#e5e7eb';
const r1 = (v: number): string => {
  const s = String(Math.round(v * 10) / 10);
  return s === '-0' ? '0' : s;
};
/** Approximate advance width of a label (system sans-serif), for layout. */
const textWidth = (s: string, fontSize: number): number => s.length * fontSize * 0.58;

function open(f: Frame, extra = ''): string {
  const id = `${f.chartId}-${f.variant.replace(/\s+/g, '-')}`;
  return (
    `<svg class="chart ${f.variant}" data-chart="${esc(f.chartId)}" viewBox="0 0 ${f.width} ${f.height}" ` +
    `width="${f.width}" height="${f.height}" role="img" aria-labelledby="${id}-t ${id}-d" ` +
    `font-size="${f.fontSize}"${extra}><title id="${id}-t">${esc(f.title)}</title>` +
    `<desc id="${id}-d">${esc(f.desc)}</desc>`
  );
}

// ------------------------------------------------------------------------------------------------- scales

/** Nice tick step (1, 2, 5 × 10^k) for a range split in about `count` steps. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
  return nice * p;
}

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: number[];
  readonly step: number;
  readonly map: (v: number) => number;
}

function linearScale(lo: number, hi: number, pixelLo: number, pixelHi: number, count: number): Scale {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step * 1e-6; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  const k = (pixelHi - pixelLo) / (max - min);
  return { min, max, ticks, step, map: (v) => pixelLo + (v - min) * k };
}

function logScale(lo: number, hi: number, pixelLo: number, pixelHi: number, count: number): Scale {
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
  if (!(hi > lo)) hi = lo * 1.1;
  const l0 = Math.log(lo);
  const l1 = Math.log(hi);
  let ticks: number[] = [];
  if (hi / lo >= 10) {
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo && v <= hi) ticks.push(v);
      }
    }
  } else {
    const step = niceStep(hi - lo, count);
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
  }
  if (ticks.length < 2) ticks = [lo, hi];
  const k = (pixelHi - pixelLo) / (l1 - l0);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : hi - lo;
  return { min: lo, max: hi, ticks, step, map: (v) => pixelLo + (Math.log(v) - l0) * k };
}

const DAY = 86_400_000;

/** Ticks of a time axis at month (or year, or week) boundaries, at most `maxTicks`. */
export function timeTicks(t0: number, t1: number, maxTicks: number): { value: number; label: string }[] {
  const out: { value: number; label: string }[] = [];
  const months = (t1 - t0) / (30.44 * DAY);
  if (months < 2.5) {
    // weekly or daily ticks for short runs
    const spanDays = (t1 - t0) / DAY;
    const stepDays = [1, 2, 7, 14].find((s) => spanDays / s <= maxTicks) ?? 28;
    const start = Math.ceil(t0 / DAY) * DAY;
    for (let v = start; v <= t1; v += stepDays * DAY) {
      const d = new Date(v).toISOString();
      out.push({ value: v, label: `${MONTH_NAMES[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}` });
    }
    return out;
  }
  const step = [1, 2, 3, 6, 12, 24, 36, 60, 120].find((s) => months / s <= maxTicks) ?? 240;
  const d0 = new Date(t0);
  let y = d0.getUTCFullYear();
  let m = d0.getUTCMonth() + 1; // first month start after t0
  if (m > 11) {
    m = 0;
    y++;
  }
  for (;;) {
    const idx = y * 12 + m;
    const v = Date.UTC(y, m, 1);
    if (v > t1) break;
    if (idx % step === 0) {
      const label = step >= 12 ? String(y) : `${MONTH_NAMES[m]} ’${String(y).slice(2)}`;
      out.push({ value: v, label });
    }
    m++;
    if (m > 11) {
      m = 0;
      y++;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ helpers

interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function yAxis(plot: Plot, scale: Scale, format: ValueFormat): string {
  let s = '<g class="axis y">';
  for (const t of scale.ticks) {
    const y = r1(scale.map(t));
    s +=
      `<line x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}" stroke="${t === 0 ? '#9ca3af' : GRID}"/>` +
      `<text x="${plot.left - 6}" y="${y}" dy="0.32em" text-anchor="end" fill="${AXIS}">${esc(formatTick(t, format, scale.step))}</text>`;
  }
  return `${s}</g>`;
}

function xAxisTime(plot: Plot, x0: number, x1: number, map: (v: number) => number, fontSize: number): string {
  const maxTicks = Math.max(2, Math.floor((plot.right - plot.left) / (fontSize * 5.5)));
  let s = `<g class="axis x"><line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${AXIS}"/>`;
  for (const t of timeTicks(x0, x1, maxTicks)) {
    const x = r1(map(t.value));
    s +=
      `<line x1="${x}" x2="${x}" y1="${plot.bottom}" y2="${plot.bottom + 4}" stroke="${AXIS}"/>` +
      `<text x="${x}" y="${plot.bottom + 6 + fontSize}" text-anchor="middle" fill="${AXIS}">${esc(t.label)}</text>`;
  }
  return `${s}</g>`;
}

/** M4 reduction to pixel columns (indices into the series, in order, duplicates removed). */
export function m4Indices(
  x: readonly number[],
  values: readonly (number | null)[],
  map: (v: number) => number,
): number[] {
  const out: number[] = [];
  let col = Number.NaN;
  let first = -1;
  let last = -1;
  let lo = -1;
  let hi = -1;
  const flush = (): void => {
    if (first < 0) return;
    const pick = [first, lo, hi, last].filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a - b);
    out.push(...pick);
  };
  for (let i = 0; i < x.length; i++) {
    const v = values[i];
    const c = Math.floor(map(x[i]!));
    if (v === null || v === undefined) {
      flush();
      out.push(i); // keep the gap
      first = -1;
      col = Number.NaN;
      continue;
    }
    if (c !== col) {
      flush();
      col = c;
      first = lo = hi = last = i;
    } else {
      last = i;
      if (v < (values[lo] as number)) lo = i;
      if (v > (values[hi] as number)) hi = i;
    }
  }
  flush();
  return out;
}

function linePath(
  x: readonly number[],
  values: readonly (number | null)[],
  mx: (v: number) => number,
  my: (v: number) => number,
  reduce: boolean,
  valid: (v: number) => boolean,
): string {
  const idx = reduce ? m4Indices(x, values, mx) : x.map((_, i) => i);
  let d = '';
  let pen = false;
  for (const i of idx) {
    const v = values[i];
    if (v === null || v === undefined || !valid(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r1(mx(x[i]!))} ${r1(my(v))}`;
    pen = true;
  }
  return d;
}

// ------------------------------------------------------------------------------------------------- charts

/** Lines (or a stacked area) over a time or number axis. */
export function lineChart(spec: LineChartSpec): string {
  const fs = spec.fontSize;
  const n = spec.x.length;
  const stacked = spec.stacked === true;
  const log = spec.log === true;
  // value range
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const cum = stacked ? new Float64Array(n) : undefined;
  for (const s of spec.series) {
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v === null || v === undefined) continue;
      if (log && !(v > 0)) continue;
      let top = v;
      if (cum) {
        cum[i]! += v;
        top = cum[i]!;
      }
      if (top < lo) lo = top;
      if (top > hi) hi = top;
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  for (const b of spec.valueBands ?? []) {
    lo = Math.min(lo, b.from, b.to);
    hi = Math.max(hi, b.from, b.to);
  }
  if (stacked || spec.format === 'percent' || spec.fillFirstToZero) {
    if (!log && spec.format !== 'multiple') {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
  }
  // layout: the y labels decide the left margin
  const probe = linearScale(lo, hi, 0, 1, 5);
  const labelW = Math.max(
    ...probe.ticks.map((t) => textWidth(formatTick(t, spec.format, probe.step), fs)),
    textWidth('0', fs),
  );
  const plot: Plot = {
    left: Math.ceil(labelW + 12),
    right: spec.width - 12,
    top: 10,
    bottom: spec.height - (spec.xLabel ? 2.6 * fs + 10 : fs + 14),
  };
  const ys = log
    ? logScale(lo, hi, plot.bottom, plot.top, 5)
    : linearScale(lo, hi, plot.bottom, plot.top, Math.max(3, Math.floor((plot.bottom - plot.top) / 45)));
  const x0 = n > 0 ? spec.x[0]! : 0;
  const x1 = n > 1 ? spec.x[n - 1]! : x0 + 1;
  const xs =
    spec.xKind === 'time'
      ? { map: (v: number) => plot.left + ((v - x0) / (x1 - x0 || 1)) * (plot.right - plot.left) }
      : linearScale(x0, x1, plot.left, plot.right, Math.max(2, Math.floor((plot.right - plot.left) / 60)));
  const hoverAttrs = spec.hover
    ? ` data-hover="1" data-plot="${plot.left} ${plot.right} ${plot.top} ${plot.bottom}" data-x="${x0} ${x1}"`
    : '';
  let s = open(spec, hoverAttrs);
  // risk bands under everything
  if (spec.bands && spec.bands.length > 0) {
    s += '<g class="bands">';
    for (const b of spec.bands) {
      const a = Math.max(plot.left, xs.map(b.from));
      const z = Math.min(plot.right, xs.map(b.to));
      const w = Math.max(0.6, z - a);
      s += `<rect x="${r1(a)}" y="${plot.top}" width="${r1(w)}" height="${r1(plot.bottom - plot.top)}" fill="${b.color}"><title>${esc(`${b.label}: ${nyDate(b.from)} → ${nyDate(b.to)}`)}</title></rect>`;
    }
    s += '</g>';
  }
  if (spec.valueBands && spec.valueBands.length > 0) {
    s += '<g class="value-bands">';
    for (const b of spec.valueBands) {
      const top = ys.map(Math.max(b.from, b.to));
      const h = Math.max(0.6, ys.map(Math.min(b.from, b.to)) - top);
      s += `<rect x="${plot.left}" y="${r1(top)}" width="${r1(plot.right - plot.left)}" height="${r1(h)}" fill="${b.color}"><title>${esc(`${b.label}: ${formatValue(b.from, spec.format)} to ${formatValue(b.to, spec.format)}`)}</title></rect>`;
    }
    s += '</g>';
  }
  s += yAxis(plot, ys, spec.format);
  if (spec.xKind === 'time') s += xAxisTime(plot, x0, x1, xs.map, fs);
  else {
    const sc = xs as Scale;
    s += `<g class="axis x"><line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${AXIS}"/>`;
    for (const t of sc.ticks) {
      const x = r1(sc.map(t));
      s += `<line x1="${x}" x2="${x}" y1="${plot.bottom}" y2="${plot.bottom + 4}" stroke="${AXIS}"/><text x="${x}" y="${plot.bottom + 6 + fs}" text-anchor="middle" fill="${AXIS}">${esc(fixed(t, 0))}</text>`;
    }
    s += '</g>';
  }
  if (spec.xLabel) {
    s += `<text x="${r1((plot.left + plot.right) / 2)}" y="${spec.height - 4}" text-anchor="middle" fill="${AXIS}">${esc(spec.xLabel)}</text>`;
  }
  const reduce = spec.xKind === 'time' && n > 2 * (plot.right - plot.left);
  const valid = log ? (v: number) => v > 0 : () => true;
  if (stacked) {
    const base = new Float64Array(n);
    for (const ser of spec.series) {
      let up = '';
      let down = '';
      for (let i = 0; i < n; i++) {
        const v = ser.values[i] ?? 0;
        const x = r1(xs.map(spec.x[i]!));
        up += `${i === 0 ? 'M' : 'L'}${x} ${r1(ys.map(base[i]! + v))}`;
        base[i]! += v;
      }
      for (let i = n - 1; i >= 0; i--) {
        const v = ser.values[i] ?? 0;
        down += `L${r1(xs.map(spec.x[i]!))} ${r1(ys.map(base[i]! - v))}`;
      }
      s += `<path class="series" data-series="${esc(ser.id)}" d="${up}${down}Z" fill="${ser.color}" stroke="#ffffff" stroke-width="0.4"/>`;
    }
  } else {
    if (spec.fillFirstToZero && spec.series[0]) {
      const ser = spec.series[0];
      const idx = reduce ? m4Indices(spec.x, ser.values, xs.map) : spec.x.map((_, i) => i);
      const zero = r1(ys.map(0));
      let d = '';
      let runStart = '';
      let lastX = '';
      for (const i of idx) {
        const v = ser.values[i];
        const x = r1(xs.map(spec.x[i]!));
        if (v === null || v === undefined) {
          if (runStart) d += `L${lastX} ${zero}Z`;
          runStart = '';
          continue;
        }
        if (!runStart) {
          d += `M${x} ${zero}`;
          runStart = x;
        }
        d += `L${x} ${r1(ys.map(v))}`;
        lastX = x;
      }
      if (runStart) d += `L${lastX} ${zero}Z`;
      s += `<path class="area" d="${d}" fill="${ser.color}" fill-opacity="0.1"/>`;
    }
    for (const ser of spec.series) {
      const d = linePath(spec.x, ser.values, xs.map, ys.map, reduce, valid);
      s += `<path class="series" data-series="${esc(ser.id)}" d="${d}" fill="none" stroke="${ser.color}" stroke-width="1.6" stroke-linejoin="round"${ser.dash ? ` stroke-dasharray="${ser.dash}"` : ''}/>`;
      if (spec.markers) {
        for (let i = 0; i < n; i++) {
          const v = ser.values[i];
          if (v === null || v === undefined) continue;
          s += `<circle cx="${r1(xs.map(spec.x[i]!))}" cy="${r1(ys.map(v))}" r="3" fill="${ser.color}"><title>${esc(`${ser.label} at ${spec.x[i]}: ${formatValue(v, spec.format)}`)}</title></circle>`;
        }
      }
    }
  }
  if (spec.hover) {
    s += `<line class="guide" x1="0" x2="0" y1="${plot.top}" y2="${plot.bottom}" stroke="${AXIS}" stroke-width="1" visibility="hidden"/>`;
  }
  return `${s}</svg>`;
}

/** Grouped or stacked bars, vertical (categories along x) or horizontal (categories down y). */
export function barChart(spec: BarChartSpec): string {
  const fs = spec.fontSize;
  const nC = spec.categories.length;
  let lo = 0;
  let hi = 0;
  for (let c = 0; c < nC; c++) {
    let pos = 0;
    let neg = 0;
    for (const ser of spec.series) {
      const v = ser.values[c] ?? 0;
      if (spec.stacked) {
        if (v >= 0) pos += v;
        else neg += v;
      } else {
        pos = Math.max(pos, v);
        neg = Math.min(neg, v);
      }
    }
    hi = Math.max(hi, pos);
    lo = Math.min(lo, neg);
  }
  if (hi === lo) hi = lo + 1;
  const horizontal = spec.orientation === 'horizontal';
  const probe = linearScale(lo, hi, 0, 1, 5);
  const tickLabelW = Math.max(
    ...probe.ticks.map((t) => textWidth(formatTick(t, spec.format, probe.step), fs)),
  );
  let plot: Plot;
  let height = spec.height;
  if (horizontal) {
    const maxLabel = Math.min(
      spec.width * 0.38,
      Math.max(...spec.categories.map((c) => textWidth(c, fs))) + 10,
    );
    const rowH = spec.series.length > 1 ? 2 * fs + 4 : fs + 8;
    height = 14 + nC * rowH + fs + 16;
    plot = {
      left: Math.ceil(maxLabel),
      right: spec.width - Math.ceil(tickLabelW / 2) - 6,
      top: 10,
      bottom: height - fs - 16,
    };
  } else {
    plot = {
      left: Math.ceil(tickLabelW + 12),
      right: spec.width - 12,
      top: 10,
      bottom: spec.height - fs - 14,
    };
  }
  const valueScale = horizontal
    ? linearScale(lo, hi, plot.left, plot.right, Math.max(2, Math.floor((plot.right - plot.left) / 70)))
    : linearScale(lo, hi, plot.bottom, plot.top, Math.max(3, Math.floor((plot.bottom - plot.top) / 45)));
  const band = ((horizontal ? plot.bottom - plot.top : plot.right - plot.left) || 1) / Math.max(1, nC);
  const inner = band * (nC > 40 ? 0.9 : 0.75);
  const slot = spec.stacked ? inner : inner / spec.series.length;
  let s = open({ ...spec, height });
  // value axis with gridlines
  s += '<g class="axis value">';
  for (const t of valueScale.ticks) {
    const p = r1(valueScale.map(t));
    const label = esc(formatTick(t, spec.format, valueScale.step));
    const stroke = t === 0 ? '#9ca3af' : GRID;
    s += horizontal
      ? `<line x1="${p}" x2="${p}" y1="${plot.top}" y2="${plot.bottom}" stroke="${stroke}"/><text x="${p}" y="${plot.bottom + 6 + fs}" text-anchor="middle" fill="${AXIS}">${label}</text>`
      : `<line x1="${plot.left}" x2="${plot.right}" y1="${p}" y2="${p}" stroke="${stroke}"/><text x="${plot.left - 6}" y="${p}" dy="0.32em" text-anchor="end" fill="${AXIS}">${label}</text>`;
  }
  s += '</g><g class="axis category">';
  const every = horizontal
    ? 1
    : Math.max(1, Math.ceil(Math.max(...spec.categories.map((c) => textWidth(c, fs))) / (band * 0.9)));
  const minEvery = horizontal ? 1 : labelStride(spec.categories, every);
  for (let c = 0; c < nC; c++) {
    if (c % minEvery !== 0) continue;
    const mid = r1((horizontal ? plot.top : plot.left) + band * (c + 0.5));
    const label = esc(spec.categories[c]!);
    s += horizontal
      ? `<text x="${plot.left - 6}" y="${mid}" dy="0.32em" text-anchor="end" fill="${AXIS}">${label}</text>`
      : categoryLabel(Number(mid), plot.bottom + 6 + fs, spec.categories[c]!, fs, spec.width);
  }
  s += '</g>';
  const zero = valueScale.map(0);
  const posBase = new Float64Array(nC);
  const negBase = new Float64Array(nC);
  spec.series.forEach((ser, k) => {
    s += `<g class="series" data-series="${esc(ser.id)}" fill="${ser.color}">`;
    for (let c = 0; c < nC; c++) {
      const v = ser.values[c];
      if (v === null || v === undefined) continue;
      let a: number;
      let b: number;
      if (spec.stacked) {
        const from = v >= 0 ? posBase[c]! : negBase[c]!;
        a = valueScale.map(from);
        b = valueScale.map(from + v);
        if (v >= 0) posBase[c]! += v;
        else negBase[c]! += v;
      } else {
        a = zero;
        b = valueScale.map(v);
      }
      const start =
        (horizontal ? plot.top : plot.left) + band * c + (band - inner) / 2 + (spec.stacked ? 0 : slot * k);
      const lo2 = Math.min(a, b);
      const len = Math.max(Math.abs(b - a), v === 0 ? 0 : 0.8);
      const tip = `<title>${esc(`${spec.categories[c]} · ${ser.label}: ${formatValue(v, spec.format)}`)}</title>`;
      s += horizontal
        ? `<rect x="${r1(lo2)}" y="${r1(start)}" width="${r1(len)}" height="${r1(slot)}">${tip}</rect>`
        : `<rect x="${r1(start)}" y="${r1(lo2)}" width="${r1(slot)}" height="${r1(len)}">${tip}</rect>`;
    }
    s += '</g>';
  });
  return `${s}</svg>`;
}

/** A category label under a vertical bar, kept inside the chart at both ends. */
function categoryLabel(mid: number, y: number, text: string, fs: number, width: number): string {
  const half = textWidth(text, fs) / 2;
  const [x, anchor] =
    mid - half < 2 ? [2, 'start'] : mid + half > width - 2 ? [width - 2, 'end'] : [mid, 'middle'];
  return `<text x="${r1(x)}" y="${y}" text-anchor="${anchor}" fill="${AXIS}">${esc(text)}</text>`;
}

/** Label every k-th category, k from {1, 2, 3, 4, 6, 12, 24, ...} so that month labels land on quarters/years. */
function labelStride(categories: readonly string[], minEvery: number): number {
  const monthly = categories.length > 0 && categories.every((c) => /^\d{4}-\d{2}$/.test(c));
  if (!monthly) return minEvery;
  return [1, 2, 3, 4, 6, 12, 24, 36, 60].find((k) => k >= minEvery) ?? minEvery;
}

const NEG = [178, 24, 43];
const POS = [33, 102, 172];
function heatColor(v: number, maxAbs: number): { fill: string; text: string } {
  const t = Math.min(1, Math.abs(v) / maxAbs);
  const c = v < 0 ? NEG : POS;
  const mix = (k: number) => Math.round(255 + (c[k]! - 255) * t);
  const hex = (k: number) => mix(k).toString(16).padStart(2, '0');
  return { fill: `#${hex(0)}${hex(1)}${hex(2)}`, text: t > 0.55 ? '#ffffff' : '#111827' };
}

/** Years × months of returns, with the year (and SPY's year) in the last columns. Values in percent. */
export function heatmap(spec: HeatmapSpec): string {
  const fs = spec.fontSize;
  const narrow = spec.width < 500;
  const cols = [
    ...MONTH_NAMES.map((m) => (narrow ? m.slice(0, 1) : m)),
    narrow ? 'Yr' : 'Year',
    ...(spec.hasBenchmark ? ['SPY'] : []),
  ];
  const left = Math.ceil(textWidth('2024', fs) + 10);
  const top = fs + 12;
  const rowH = narrow ? 22 : 26;
  const height = top + spec.rows.length * rowH + 6;
  const gap = 6;
  const cellW = (spec.width - left - 4 - gap) / cols.length;
  let maxAbs = 0;
  for (const r of spec.rows) for (const v of r.months) if (v !== null) maxAbs = Math.max(maxAbs, Math.abs(v));
  if (maxAbs === 0) maxAbs = 0.01;
  let yearMax = 0;
  for (const r of spec.rows) {
    for (const v of [r.yearReturn, r.benchmarkYearReturn])
      if (v !== null) yearMax = Math.max(yearMax, Math.abs(v));
  }
  if (yearMax === 0) yearMax = 0.01;
  const digits = narrow ? 0 : 1;
  let s = open({ ...spec, height });
  s += '<g class="axis">';
  cols.forEach((c, j) => {
    const x = left + cellW * (j + 0.5) + (j >= 12 ? gap : 0);
    s += `<text x="${r1(x)}" y="${fs + 2}" text-anchor="middle" fill="${AXIS}">${esc(c)}</text>`;
  });
  spec.rows.forEach((r, i) => {
    s += `<text x="${left - 6}" y="${r1(top + rowH * (i + 0.5))}" dy="0.32em" text-anchor="end" fill="${AXIS}">${r.year}</text>`;
  });
  s += '</g>';
  const cell = (x: number, y: number, v: number | null, scaleMax: number, label: string): string => {
    const w = r1(cellW - 2);
    const h = rowH - 2;
    if (v === null) {
      return `<rect x="${r1(x + 1)}" y="${r1(y + 1)}" width="${w}" height="${h}" fill="#f3f4f6"><title>${esc(`${label}: no data`)}</title></rect>`;
    }
    const c = heatColor(v, scaleMax);
    return (
      `<rect x="${r1(x + 1)}" y="${r1(y + 1)}" width="${w}" height="${h}" fill="${c.fill}"><title>${esc(`${label}: ${formatValue(v, 'percent')}`)}</title></rect>` +
      `<text x="${r1(x + cellW / 2)}" y="${r1(y + rowH / 2)}" dy="0.32em" text-anchor="middle" fill="${c.text}">${esc(fixed(v * 100, digits))}</text>`
    );
  };
  s += '<g class="series" data-series="strategy">';
  spec.rows.forEach((r, i) => {
    const y = top + rowH * i;
    r.months.forEach((v, j) => {
      s += cell(left + cellW * j, y, v, maxAbs, `${MONTH_NAMES[j]} ${r.year}`);
    });
    s += cell(left + cellW * 12 + gap, y, r.yearReturn, yearMax, `${r.year}`);
  });
  s += '</g>';
  if (spec.hasBenchmark) {
    s += '<g class="series" data-series="spy">';
    spec.rows.forEach((r, i) => {
      s += cell(left + cellW * 13 + gap, top + rowH * i, r.benchmarkYearReturn, yearMax, `SPY ${r.year}`);
    });
    s += '</g>';
  }
  return `${s}</svg>`;
}
