import { describe, expect, it } from 'vitest';
import { formatTick, formatValue } from '../../../lib/report/html/format.ts';
import {
  barChart,
  heatmap,
  lineChart,
  m4Indices,
  niceStep,
  timeTicks,
} from '../../../lib/report/html/svg.ts';

const frame = {
  chartId: 'c',
  variant: 'v-wide',
  title: 'T <1>',
  desc: 'D',
  width: 400,
  height: 200,
  fontSize: 12,
};

describe('report svg: scales and ticks', () => {
  it('picks 1-2-5 steps and labels ticks with the decimals the step needs', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(0.25, 5)).toBe(0.05);
    expect(niceStep(30, 4)).toBe(10);
    expect(formatTick(0.05, 'percent', 0.05)).toBe('5%');
    expect(formatTick(0.025, 'percent', 0.005)).toBe('2.5%');
    expect(formatTick(-0.1, 'percent', 0.05)).toBe('−10%');
    expect(formatValue(null, 'ratio')).toBe('—');
    expect(formatValue(-0.0000001, 'percent')).toBe('0.00%');
  });

  it('puts time ticks on month starts (or years for long spans), never more than asked', () => {
    const t0 = Date.UTC(2024, 0, 2);
    const t1 = Date.UTC(2024, 5, 28);
    const ticks = timeTicks(t0, t1, 10);
    expect(ticks.map((t) => t.label)).toEqual(['Feb ’24', 'Mar ’24', 'Apr ’24', 'May ’24', 'Jun ’24']);
    const long = timeTicks(Date.UTC(2015, 0, 2), Date.UTC(2024, 11, 31), 6);
    expect(long.length).toBeLessThanOrEqual(6);
    expect(long.every((t) => /^\d{4}$/.test(t.label))).toBe(true);
  });

  it('M4 keeps the first, last, min and max point of every pixel column', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const v = x.map((i) => Math.sin(i / 7) + (i === 503 ? 5 : 0));
    const idx = m4Indices(x, v, (t) => t / 10); // 100 columns of 10 points
    expect(idx.length).toBeLessThanOrEqual(400);
    expect(idx).toContain(503);
    expect(idx).toContain(0);
    expect(idx).toContain(999);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });
});

describe('report svg: charts', () => {
  it('draws one series element per series, with an accessible name', () => {
    const svg = lineChart({
      ...frame,
      x: [0, 1, 2, 3],
      xKind: 'number',
      series: [
        { id: 'a', label: 'A', color: '#000', values: [1, 2, null, 4] },
        { id: 'b', label: 'B', color: '#111', values: [2, 1, 0, 1] },
      ],
      format: 'ratio',
    });
    expect(svg.match(/class="series"/g)).toHaveLength(2);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="c-v-wide-t">T &lt;1&gt;</title>');
    // a null breaks the line: two sub-paths for series a
    const a = /data-series="a" d="([^"]+)"/.exec(svg)![1]!;
    expect(a.match(/M/g)).toHaveLength(2);
  });

  it('draws a log scale only over positive values', () => {
    const svg = lineChart({
      ...frame,
      x: [0, 1, 2],
      xKind: 'number',
      series: [{ id: 'a', label: 'A', color: '#000', values: [1, 0, 100] }],
      format: 'multiple',
      log: true,
    });
    expect(/data-series="a" d="([^"]+)"/.exec(svg)![1]!.match(/M/g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });

  it('stacks bars and fills a heatmap cell per month', () => {
    const bars = barChart({
      ...frame,
      categories: ['2024-01', '2024-02'],
      series: [
        { id: 's', label: 'S', color: '#000', values: [1, 2] },
        { id: 't', label: 'T', color: '#111', values: [3, null] },
      ],
      format: 'bps',
      stacked: true,
      orientation: 'vertical',
    });
    expect(bars.match(/class="series"/g)).toHaveLength(2);
    expect(bars.match(/<rect /g)).toHaveLength(3);
    expect(bars).not.toContain('NaN');
    const hm = heatmap({
      ...frame,
      rows: [
        {
          year: 2024,
          months: [0.01, -0.02, ...Array(10).fill(null)],
          yearReturn: -0.01,
          benchmarkYearReturn: 0.1,
        },
      ],
      hasBenchmark: true,
    });
    expect(hm.match(/class="series"/g)).toHaveLength(2);
    expect(hm.match(/<rect /g)).toHaveLength(14);
  });
});
