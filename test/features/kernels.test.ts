import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  csRank,
  csZscore,
  rollingExtreme,
  rollingMeanStd,
  rollingQuantile,
  rollingQuantiles,
  rollingRegression,
  rollingRegressions,
  rollingSum,
  rollingWarmupBars,
} from '../../lib/features/kernels.ts';

const N = Number.NaN;
const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);

describe('features/kernels: rollingMeanStd', () => {
  it('matches hand-computed means and sample stds, with NaN below minObs', () => {
    const x = f64([1, 2, 4, 7, N, 11]);
    const m = new Float64Array(6);
    const s = new Float64Array(6);
    rollingMeanStd(x, 6, 1, 3, 2, 0, m, s);
    expect(m[0]).toBeNaN();
    expect(m[1]).toBeCloseTo(1.5, 14);
    expect(m[2]).toBeCloseTo(7 / 3, 14);
    expect(s[2]).toBeCloseTo(Math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2), 14);
    expect(m[3]).toBeCloseTo(13 / 3, 14);
    expect(m[4]).toBeCloseTo(5.5, 14); // window {4, 7, NaN}
    expect(s[4]).toBeCloseTo(Math.sqrt(4.5), 14);
    expect(m[5]).toBeCloseTo(9, 14); // {7, NaN, 11}
  });

  it('handles N = 0, all-NaN, and one asset among several (time-major stride)', () => {
    rollingMeanStd(new Float64Array(0), 0, 3, 5, 2, 0, new Float64Array(0), new Float64Array(0));
    const allNaN = new Float64Array(8).fill(N);
    const out = new Float64Array(8);
    rollingMeanStd(allNaN, 4, 2, 2, 1, 0, out, null);
    expect([...out].every(Number.isNaN)).toBe(true);
    // asset 1 listed at t = 2 and delisted after t = 3
    const x = f64([1, N, 2, N, 3, 10, 4, 20, 5, N, 6, N]);
    const m = new Float64Array(12);
    rollingMeanStd(x, 6, 2, 2, 2, 0, m, null);
    expect(m[2 * 2 + 1]).toBeNaN(); // only one obs since listing
    expect(m[3 * 2 + 1]).toBeCloseTo(15, 14);
    expect(m[4 * 2 + 1]).toBeNaN(); // {20, NaN}
    expect(m[5 * 2 + 0]).toBeCloseTo(5.5, 14);
  });

  it('is chunk invariant: a suffix computed alone with its absolute anchor and w - 1 bars of warm-up equals the full run bit for bit', () => {
    const nT = 400;
    const nA = 3;
    const x = new Float64Array(nT * nA);
    const y = new Float64Array(nT * nA);
    for (let i = 0; i < x.length; i++) {
      x[i] = i % 17 === 0 ? N : Math.sin(i * 0.37) * 100 + 1000;
      y[i] = i % 13 === 0 ? N : Math.cos(i * 0.11) * 3 + 0.01 * i;
    }
    const w = 35;
    const ANCHOR = 1000;
    type Run = (x: Float64Array, y: Float64Array, nT: number, anchor: number) => Float64Array[];
    const alloc = (nT: number): Float64Array => new Float64Array(nT * nA);
    const kernels: Record<string, Run> = {
      meanStd: (x, _y, nT, an) => {
        const [m, s] = [alloc(nT), alloc(nT)];
        rollingMeanStd(x, nT, nA, w, 20, an, m, s);
        return [m, s];
      },
      mean: (x, _y, nT, an) => {
        const m = alloc(nT);
        rollingMeanStd(x, nT, nA, w, 20, an, m, null);
        return [m];
      },
      sum: (x, _y, nT, an) => {
        const [s, c] = [alloc(nT), alloc(nT)];
        rollingSum(x, nT, nA, w, 1, an, s, c);
        return [s, c];
      },
      max: (x, _y, nT, an) => {
        const [e, age] = [alloc(nT), alloc(nT)];
        rollingExtreme(x, nT, nA, w, 20, an, 1, e, age);
        return [e, age];
      },
      min: (x, _y, nT, an) => {
        const [e, age] = [alloc(nT), alloc(nT)];
        rollingExtreme(x, nT, nA, w, 20, an, -1, e, age);
        return [e, age];
      },
      trend: (x, _y, nT, an) => {
        const [s, r, l] = [alloc(nT), alloc(nT), alloc(nT)];
        rollingRegressions(null, x, nT, nA, w, 20, an, { slope: s, rsq: r, intercept_last: l });
        return [s, r, l];
      },
      regression: (x, y, nT, an) => {
        const [s, c, r] = [alloc(nT), alloc(nT), alloc(nT)];
        rollingRegressions(x, y, nT, nA, w, 20, an, { slope: s, corr: c, resid_std: r });
        return [s, c, r];
      },
      quantiles: (x, _y, nT) => {
        const [u, d] = [alloc(nT), alloc(nT)];
        rollingQuantiles(x, nT, nA, w, 20, [0.8, 0.2], [u, d]);
        return [u, d];
      },
    };
    const warm = rollingWarmupBars(w);
    expect(warm).toBe(w - 1);
    for (const [name, run] of Object.entries(kernels)) {
      const full = run(x, y, nT, ANCHOR);
      for (const start of [1, 50, 123, 200, 201, 365 - warm]) {
        const part = run(x.subarray(start * nA), y.subarray(start * nA), nT - start, ANCHOR + start);
        for (let k = 0; k < full.length; k++)
          for (let t = start + warm; t < nT; t++)
            for (let a = 0; a < nA; a++) {
              const p = part[k]![(t - start) * nA + a];
              const f = full[k]![t * nA + a];
              if (!Object.is(p, f)) expect.fail(`${name}[${k}] start ${start} t ${t} a ${a}: ${p} vs ${f}`);
            }
      }
    }
    // the harness can fail: a chunk whose anchor is off by one bar splits its windows elsewhere
    const full = kernels.meanStd!(x, y, nT, ANCHOR);
    const off = kernels.meanStd!(x.subarray(123 * nA), y, nT - 123, ANCHOR + 124);
    let differ = 0;
    for (let t = 123 + warm; t < nT; t++)
      for (let a = 0; a < nA; a++)
        if (!Object.is(off[1]![(t - 123) * nA + a], full[1]![t * nA + a])) differ++;
    expect(differ).toBeGreaterThan(0);
  });

  it('mean, std, sum, extremes and their ages, quantiles equal a brute-force window computation', () => {
    const nT = 180;
    const nA = 2;
    const x = new Float64Array(nT * nA);
    let seed = 7;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 16807) % 2147483647;
      // a few NaN, and repeated values so ties happen
      x[i] = seed % 11 === 0 ? N : Math.round((seed / 2147483647) * 20) + 100;
    }
    for (const [w, minObs, anchor] of [
      [7, 5, 3],
      [10, 1, 0],
      [35, 28, 1234],
    ] as const) {
      const m = new Float64Array(nT * nA);
      const s = new Float64Array(nT * nA);
      const sum = new Float64Array(nT * nA);
      const mx = new Float64Array(nT * nA);
      const mxAge = new Float64Array(nT * nA);
      const mn = new Float64Array(nT * nA);
      const mnAge = new Float64Array(nT * nA);
      rollingMeanStd(x, nT, nA, w, minObs, anchor, m, s);
      rollingSum(x, nT, nA, w, minObs, anchor, sum);
      rollingExtreme(x, nT, nA, w, minObs, anchor, 1, mx, mxAge);
      rollingExtreme(x, nT, nA, w, minObs, anchor, -1, mn, mnAge);
      const q8 = new Float64Array(nT * nA);
      const q2 = new Float64Array(nT * nA);
      rollingQuantiles(x, nT, nA, w, minObs, [0.8, 0.2], [q8, q2]);
      for (let t = 0; t < nT; t++)
        for (let a = 0; a < nA; a++) {
          const vals: number[] = [];
          let hi = -Infinity;
          let hiAt = -1;
          let lo = Infinity;
          let loAt = -1;
          for (let u = Math.max(0, t - w + 1); u <= t; u++) {
            const v = x[u * nA + a]!;
            if (Number.isNaN(v)) continue;
            vals.push(v);
            if (v >= hi) [hi, hiAt] = [v, u];
            if (v <= lo) [lo, loAt] = [v, u];
          }
          const i = t * nA + a;
          if (vals.length < minObs) {
            for (const o of [m, s, sum, mx, mxAge, mn, mnAge, q8, q2]) expect(o[i]).toBeNaN();
            continue;
          }
          const sorted = [...vals].sort((p, q) => p - q);
          for (const [q, o] of [
            [0.8, q8],
            [0.2, q2],
          ] as const) {
            const h = (sorted.length - 1) * q;
            const lo = Math.floor(h);
            const want =
              lo + 1 < sorted.length ? sorted[lo]! + (h - lo) * (sorted[lo + 1]! - sorted[lo]!) : sorted[lo]!;
            expect(o[i]).toBeCloseTo(want, 10);
          }
          const mean = vals.reduce((p, v) => p + v, 0) / vals.length;
          expect(m[i]).toBeCloseTo(mean, 10);
          expect(sum[i]).toBe(mean * vals.length); // small integers: exact
          if (vals.length >= 2) {
            const sd = Math.sqrt(vals.reduce((p, v) => p + (v - mean) ** 2, 0) / (vals.length - 1));
            expect(s[i]).toBeCloseTo(sd, 10);
          } else expect(s[i]).toBeNaN();
          expect([mx[i], mxAge[i], mn[i], mnAge[i]]).toEqual([hi, t - hiAt, lo, t - loAt]);
        }
    }
  });

  it('agrees with DuckDB window avg / stddev_samp to 1e-12 relative', async () => {
    const nT = 300;
    const nA = 4;
    const x = new Float64Array(nT * nA);
    let s = 1;
    for (let i = 0; i < x.length; i++) {
      s = (s * 16807) % 2147483647;
      x[i] = i % 23 === 5 ? N : (s / 2147483647 - 0.5) * 0.02;
    }
    const w = 35;
    const m = new Float64Array(nT * nA);
    const sd = new Float64Array(nT * nA);
    rollingMeanStd(x, nT, nA, w, 28, 0, m, sd);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const values: string[] = [];
    for (let t = 0; t < nT; t++)
      for (let a = 0; a < nA; a++)
        values.push(`(${t},${a},${Number.isNaN(x[t * nA + a]!) ? 'NULL' : x[t * nA + a]!.toPrecision(17)})`);
    await con.run(`CREATE TABLE p(t INTEGER, a INTEGER, x DOUBLE); INSERT INTO p VALUES ${values.join(',')}`);
    const res = await con.runAndReadAll(
      `SELECT t, a, CASE WHEN count(x) OVER w >= 28 THEN avg(x) OVER w END AS m,
              CASE WHEN count(x) OVER w >= 28 THEN stddev_samp(x) OVER w END AS s
       FROM p WINDOW w AS (PARTITION BY a ORDER BY t ROWS BETWEEN ${w - 1} PRECEDING AND CURRENT ROW) ORDER BY t, a`,
    );
    const rows = res.getRowObjectsJS() as { t: number; a: number; m: number | null; s: number | null }[];
    expect(rows.length).toBe(nT * nA);
    let checked = 0;
    for (const r of rows) {
      const i = r.t * nA + r.a;
      if (r.m === null) expect(m[i]).toBeNaN();
      else {
        expect(Math.abs(m[i]! - r.m)).toBeLessThanOrEqual(1e-12 * Math.abs(r.m) + 1e-18);
        expect(Math.abs(sd[i]! - r.s!)).toBeLessThanOrEqual(1e-12 * Math.abs(r.s!));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(900);
    con.closeSync();
  });
});

describe('features/kernels: rollingSum', () => {
  it('sums valid values over the window', () => {
    const out = new Float64Array(5);
    const cnt = new Float64Array(5);
    rollingSum(f64([1, 2, N, 4, 8]), 5, 1, 3, 1, 0, out, cnt);
    expect([...out]).toEqual([1, 3, 3, 6, 12]);
    expect([...cnt]).toEqual([1, 2, 2, 2, 2]);
  });
});

describe('features/kernels: rollingExtreme', () => {
  it('gives the rolling max / min and the bars since it', () => {
    const x = f64([3, 1, 4, 1, 5, 9, 2, 6]);
    const mx = new Float64Array(8);
    const age = new Float64Array(8);
    rollingExtreme(x, 8, 1, 3, 1, 0, 1, mx, age);
    expect([...mx]).toEqual([3, 3, 4, 4, 5, 9, 9, 9]);
    expect([...age]).toEqual([0, 1, 0, 1, 0, 0, 1, 2]);
    const mn = new Float64Array(8);
    rollingExtreme(x, 8, 1, 3, 1, 0, -1, mn);
    expect([...mn]).toEqual([3, 1, 1, 1, 1, 1, 2, 2]);
  });
  it('skips NaN and respects minObs', () => {
    const out = new Float64Array(4);
    rollingExtreme(f64([N, 2, N, N]), 4, 1, 2, 1, 0, 1, out);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(2);
    expect(out[2]).toBe(2);
    expect(out[3]).toBeNaN();
  });
});

describe('features/kernels: rollingQuantile', () => {
  it('interpolates linearly like numpy', () => {
    const out = new Float64Array(5);
    rollingQuantile(f64([5, 1, 4, 2, 3]), 5, 1, 5, 5, 0.8, out);
    // sorted 1..5, h = 4 * 0.8 = 3.2 → 4 + 0.2 * 1
    expect(out[4]).toBeCloseTo(4.2, 14);
    rollingQuantile(f64([5, 1, 4, 2, 3]), 5, 1, 3, 3, 0.2, out);
    // last window {4, 2, 3}: sorted 2,3,4, h = 0.4 → 2.4
    expect(out[4]).toBeCloseTo(2.4, 14);
  });
});

describe('features/kernels: rollingRegression', () => {
  it('slope, R², correlation and the last residual of a known line plus noise', () => {
    const y = f64([1, 3, 2, 5]);
    const out = new Float64Array(4);
    rollingRegression(null, y, 4, 1, 4, 4, 0, 'slope', out);
    // x = 0..3, mean 1.5, y mean 2.75; Sxy = (-1.5)(-1.75)+(-0.5)(0.25)+(0.5)(-0.75)+(1.5)(2.25) = 5.5; Sxx = 5
    expect(out[3]).toBeCloseTo(1.1, 14);
    rollingRegression(null, y, 4, 1, 4, 4, 0, 'rsq', out);
    const syy = 1.75 ** 2 + 0.25 ** 2 + 0.75 ** 2 + 2.25 ** 2;
    expect(out[3]).toBeCloseTo((5.5 * 5.5) / (5 * syy), 14);
    rollingRegression(null, y, 4, 1, 4, 4, 0, 'intercept_last', out);
    expect(out[3]).toBeCloseTo(5 - (2.75 + 1.1 * 1.5), 14);
    const x = f64([1, 2, 3, 4]);
    rollingRegression(x, f64([2, 4, 6, 8]), 4, 1, 4, 3, 0, 'corr', out);
    expect(out[3]).toBeCloseTo(1, 14);
  });
});

describe('features/kernels: csRank and csZscore', () => {
  it('ranks included names per bar with average ranks for ties', () => {
    const x = f64([3, 1, 3, 2, N, 7, 0.5, 0.25]);
    const include = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 0]);
    const out = new Float64Array(8);
    csRank(x, include, 2, 4, out);
    expect([...out.subarray(0, 4)]).toEqual([(2 + 3) / 2 / 3, 0, (2 + 3) / 2 / 3, 1 / 3]);
    expect(out[4]).toBeNaN();
    expect(out[5]).toBe(1);
    expect(out[6]).toBe(0);
    expect(out[7]).toBeNaN();
  });
  it('orders values equal at float32 precision exactly', () => {
    const x = f64([1 + 1e-12, 1, 1 + 2e-12]);
    const out = new Float64Array(3);
    csRank(x, null, 1, 3, out);
    expect([...out]).toEqual([0.5, 0, 1]);
  });
  it('a single name ranks 0.5; N = 0 does nothing', () => {
    const out = new Float64Array(1);
    csRank(f64([4]), null, 1, 1, out);
    expect(out[0]).toBe(0.5);
    csRank(new Float64Array(0), null, 0, 0, new Float64Array(0));
  });
  it('z-scores overall and within sectors', () => {
    const x = f64([1, 2, 3, 10, 20]);
    const out = new Float64Array(5);
    csZscore(x, null, Int16Array.from([0, 0, 0, 1, 1]), 1, 5, false, out);
    const sd = Math.sqrt(2 / 3);
    expect(out[0]).toBeCloseTo(-1 / sd, 14);
    expect(out[4]).toBeCloseTo(1, 14);
    csZscore(x, null, Int16Array.from([0, 0, 0, 1, -1]), 1, 5, true, out);
    expect(out[1]).toBeCloseTo(0, 14);
    expect(out[3]).toBeNaN(); // alone in its sector
    expect(out[4]).toBeNaN(); // no sector
  });
});
