/**
 * Line charts as SVG, drawn at the container's pixel width (text stays legible on a phone) and redrawn when it
 * changes. Each series is one `<path class="series" data-series="…">`, broken at nulls; an HTML legend and a
 * small summary table (first, last, low, high of each series) stand beside the graphic as its text fallback.
 */

import { h, s } from './dom.js';
import { formatValue, isoDate } from './format.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MARGIN = { top: 12, right: 16, bottom: 28, left: 60 };
let chartCount = 0;

function niceStep(range, count) {
  if (!(range > 0)) return 1;
  const raw = range / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

function tickLabel(v, format, step) {
  const digits = (scale) => Math.max(0, Math.min(6, -Math.floor(Math.log10(step * scale) + 1e-9)));
  if (format === 'percent') return `${(v * 100).toFixed(digits(100))}%`;
  if (format === 'multiple') return `${v.toFixed(digits(1))}×`;
  if (format === 'bps') return `${v.toFixed(digits(1))}`;
  return v.toFixed(digits(1));
}

/** Month-start ticks (every 1, 2, 3, 6, 12 … months) between t0 and t1, at most `max` of them; days if short. */
function timeTicks(t0, t1, max) {
  const start = new Date(t0);
  for (const months of [1, 2, 3, 6, 12, 24, 60]) {
    const ticks = [];
    let y = start.getUTCFullYear();
    let m = start.getUTCMonth() + 1;
    m = Math.ceil(m / months) * months;
    for (;;) {
      while (m >= 12) {
        m -= 12;
        y += 1;
      }
      const t = Date.UTC(y, m, 1);
      if (t > t1) break;
      if (t >= t0) ticks.push({ t, label: months >= 12 ? String(y) : `${MONTHS[m]} ${y}` });
      m += months;
    }
    if (ticks.length <= max) {
      if (ticks.length >= 2 || months > 1) return ticks;
      break;
    }
  }
  const day = 86_400_000;
  const stepDays = Math.max(1, Math.ceil((t1 - t0) / day / Math.max(1, max)));
  const ticks = [];
  for (let t = Math.ceil(t0 / day) * day; t <= t1; t += stepDays * day) {
    const d = new Date(t);
    ticks.push({ t, label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}` });
  }
  return ticks;
}

function pathOf(xs, ys, sx, sy) {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(xs[i]).toFixed(1)} ${sy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function draw(spec, width) {
  const height = width < 520 ? 220 : 300;
  const w = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const series of spec.series) {
    series.x.forEach((x, i) => {
      const y = series.y[i];
      if (y === null || y === undefined || !Number.isFinite(y)) return;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    });
  }
  if (!Number.isFinite(x0)) return h('p', { class: 'muted' }, 'No data points to draw.');
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= Math.abs(y0) * 0.05 || 1;
    y1 += Math.abs(y1) * 0.05 || 1;
  }
  const step = niceStep(y1 - y0, height < 260 ? 4 : 6);
  const lo = Math.floor(y0 / step) * step;
  const hi = Math.ceil(y1 / step) * step;
  const sx = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y) => MARGIN.top + (1 - (y - lo) / (hi - lo)) * ph;
  const grid = s('g', { class: 'grid' });
  const yAxis = s('g', { class: 'axis axis-y' });
  for (let v = lo, k = 0; v <= hi + step / 2 && k < 50; v += step, k++) {
    const y = sy(v).toFixed(1);
    grid.appendChild(s('line', { x1: MARGIN.left, x2: MARGIN.left + w, y1: y, y2: y }));
    yAxis.appendChild(
      s(
        'text',
        { x: MARGIN.left - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        tickLabel(v, spec.format, step),
      ),
    );
  }
  const xAxis = s('g', { class: 'axis axis-x' });
  for (const tick of timeTicks(x0, x1, Math.max(2, Math.floor(w / 90)))) {
    const x = sx(tick.t).toFixed(1);
    xAxis.appendChild(s('line', { x1: x, x2: x, y1: MARGIN.top + ph, y2: MARGIN.top + ph + 4 }));
    xAxis.appendChild(s('text', { x, y: MARGIN.top + ph + 18, 'text-anchor': 'middle' }, tick.label));
  }
  const plot = s('g', { class: 'plot' });
  for (const series of spec.series) {
    plot.appendChild(
      s('path', {
        class: 'series',
        'data-series': series.id,
        d: pathOf(series.x, series.y, sx, sy),
        fill: 'none',
        stroke: series.color,
        'stroke-width': 2,
        'stroke-linejoin': 'round',
        'stroke-dasharray': series.dash ?? null,
      }),
    );
  }
  return s(
    'svg',
    {
      class: 'chart',
      role: 'img',
      'aria-labelledby': `${spec.id}-title ${spec.id}-desc`,
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
    },
    s('title', { id: `${spec.id}-title` }, spec.title),
    s('desc', { id: `${spec.id}-desc` }, spec.description),
    grid,
    s('line', {
      class: 'baseline',
      x1: MARGIN.left,
      x2: MARGIN.left + w,
      y1: MARGIN.top + ph,
      y2: MARGIN.top + ph,
    }),
    yAxis,
    xAxis,
    plot,
  );
}

function summaryOf(series) {
  let first = null;
  let last = null;
  let low = Infinity;
  let high = -Infinity;
  let firstX = null;
  let lastX = null;
  series.y.forEach((y, i) => {
    if (y === null || y === undefined || !Number.isFinite(y)) return;
    if (first === null) {
      first = y;
      firstX = series.x[i];
    }
    last = y;
    lastX = series.x[i];
    low = Math.min(low, y);
    high = Math.max(high, y);
  });
  return {
    first,
    last,
    low: Number.isFinite(low) ? low : null,
    high: Number.isFinite(high) ? high : null,
    firstX,
    lastX,
  };
}

/**
 * A figure with a line chart: `spec` = { title, description, format, series: [{ id, label, color, dash?, x, y }] }.
 * Returns the `<figure>`; the SVG is drawn once the figure is in the document and redrawn on resize.
 */
export function lineChartFigure(spec) {
  chartCount += 1;
  const id = `chart-${chartCount}`;
  const full = { ...spec, id };
  const canvas = h('div', { class: 'chart-box' });
  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Series' },
    spec.series.map((series) =>
      h(
        'li',
        null,
        s(
          'svg',
          { class: 'swatch', width: 24, height: 10, 'aria-hidden': 'true' },
          s('line', {
            x1: 0,
            x2: 24,
            y1: 5,
            y2: 5,
            stroke: series.color,
            'stroke-width': 3,
            'stroke-dasharray': series.dash ?? null,
          }),
        ),
        series.label,
      ),
    ),
  );
  const rows = spec.series.map((series) => {
    const sum = summaryOf(series);
    return h(
      'tr',
      null,
      h('th', { scope: 'row' }, series.label),
      h('td', null, sum.firstX === null ? '—' : `${isoDate(sum.firstX)} → ${isoDate(sum.lastX)}`),
      h('td', { class: 'num' }, formatValue(sum.last, spec.format)),
      h('td', { class: 'num' }, formatValue(sum.low, spec.format)),
      h('td', { class: 'num' }, formatValue(sum.high, spec.format)),
    );
  });
  const table = h(
    'details',
    { class: 'chart-data' },
    h('summary', null, 'Data summary'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        null,
        h('caption', { class: 'visually-hidden' }, `${spec.title}: summary of each series`),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Series'),
            h('th', { scope: 'col' }, 'Period'),
            h('th', { scope: 'col', class: 'num' }, 'Last'),
            h('th', { scope: 'col', class: 'num' }, 'Low'),
            h('th', { scope: 'col', class: 'num' }, 'High'),
          ),
        ),
        h('tbody', null, rows),
      ),
    ),
  );
  const figure = h(
    'figure',
    { class: 'figure', 'data-chart': spec.chartId ?? 'line', 'data-series-count': spec.series.length },
    h(
      'figcaption',
      null,
      h('strong', null, spec.title),
      spec.note ? h('span', { class: 'muted' }, ` ${spec.note}`) : null,
    ),
    canvas,
    legend,
    table,
  );
  let drawnWidth = 0;
  const redraw = () => {
    const width = Math.floor(canvas.clientWidth);
    if (width <= 0 || width === drawnWidth) return;
    drawnWidth = width;
    canvas.replaceChildren(draw(full, width));
  };
  new ResizeObserver(redraw).observe(canvas);
  return figure;
}

/** Colours with at least 4.5:1 contrast on white (the lines and their legend). */
export const COLORS = { a: '#1f5fa8', b: '#a34f00', spy: '#5f5f5f' };
