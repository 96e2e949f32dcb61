import { describe, expect, it } from 'vitest';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { downsideEvent, forwardExcessReturn, LabelSpec, labelKnownMs } from '../../lib/labels/labels.ts';

const N = Number.NaN;

describe('labels: forwardExcessReturn', () => {
  it('open(t+1) → open(t+6) return minus the benchmark over the same window, by hand', () => {
    // 2 assets, asset 1 = SPY; 10 bars
    const nT = 10;
    const opens = [
      [10, 100],
      [11, 101],
      [12, 102],
      [13, 103],
      [14, 104],
      [15, 105],
      [16, 106],
      [17, 107],
      [N, 108],
      [19, 109],
    ];
    const x = Float64Array.from(opens.flat());
    const out = new Float64Array(nT * 2);
    forwardExcessReturn(x, nT, 2, 1, 5, out);
    expect(out[0]).toBeCloseTo(16 / 11 - 1 - (106 / 101 - 1), 15);
    expect(out[1]).toBe(0); // SPY minus itself
    expect(out[2 * 2]).toBeNaN(); // open at t+6 = 8 is missing (halt / delisting)
    expect(out[3 * 2]).toBeCloseTo(19 / 14 - 1 - (109 / 104 - 1), 15);
    expect(out[4 * 2]).toBeNaN(); // window past the grid
  });
});

describe('labels: labelKnownMs', () => {
  it('is the close of bar t + 6, NaN past the grid', () => {
    const g = buildBarGrid('2024-01-02', '2024-01-03');
    const k = labelKnownMs(g, 5);
    expect(k[0]).toBe(g.closeMs[6]);
    expect(k[3]).toBe(g.closeMs[9]); // across the overnight
    expect(k[8]).toBeNaN();
  });
});

describe('labels: downsideEvent', () => {
  it('flags returns below -k σ sqrt(h), documented defaults k = 1.5, window 35', () => {
    const spec = LabelSpec.parse({});
    expect(spec).toEqual({ horizonBars: 5, downsideK: 1.5, volWindowBars: 35 });
    const fwd = Float64Array.from([-0.05, -0.02, 0.03, N, -0.05]);
    const vol = Float64Array.from([0.01, 0.01, 0.01, 0.01, N]);
    const out = new Float64Array(5);
    downsideEvent(fwd, vol, 5, 5, 1.5, out);
    // threshold -1.5 × 0.01 × sqrt(5) = -0.03354
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(0);
    expect(out[2]).toBe(0);
    expect(out[3]).toBeNaN();
    expect(out[4]).toBeNaN();
  });
});
