/**
 * Time-series and cross-sectional kernels on time-major panels (`x[t * nA + a]`, NaN = missing).
 *
 * Every rolling kernel looks at the window of the last `w` bars `[t - w + 1, t]`, skips NaN, and writes NaN
 * while fewer than `minObs` values are valid. The caller allocates `out` (length nT * nA); kernels allocate only
 * O(nA) or O(w * nA) state per call, never per element.
 *
 * Chunk invariance (a month built alone equals the same month of a full-history build, bit for bit): running
 * sums and Welford states are re-seeded from scratch at bars whose absolute index (`anchor + t`, counted from a
 * fixed calendar origin) is a multiple of the window length. Between re-seeds they are updated in place. So the
 * value at t depends only on bars in `[t - 2w + 1, t]`, evaluated in the same order whatever the first bar of the
 * grid: a chunk whose warm-up is at least `2w - 1` bars reproduces the full build exactly. Monotone deques
 * (max/min) and sorted windows (quantiles) are exact and need `w - 1` bars of warm-up.
 */

/** Bars of warm-up a re-seeded rolling kernel of window `w` needs to be exact. */
export function reseededWarmupBars(w: number): number {
  return 2 * w - 1;
}

function checkWindow(w: number, minObs: number): void {
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`window must be an integer >= 1, received ${w}`);
  if (!Number.isInteger(minObs) || minObs < 1 || minObs > w) {
    throw new RangeError(`minObs must be an integer in [1, ${w}], received ${minObs}`);
  }
}

/** True when bar t re-seeds: its absolute index is a multiple of w (or it is the grid's first bar). */
function isReseed(t: number, anchor: number, w: number): boolean {
  return t === 0 || (anchor + t) % w === 0;
}

/**
 * Rolling mean and sample standard deviation (ddof = 1) by Welford's add/remove updates (Welford 1962; removal as
 * in Finch, "Incremental calculation of weighted mean and variance", 2009), re-seeded every w bars.
 * `outMean` / `outStd` may be null when not wanted. std needs >= 2 valid values.
 */
export function rollingMeanStd(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  outMean: Float64Array | null,
  outStd: Float64Array | null,
): void {
  checkWindow(w, minObs);
  const n = new Float64Array(nA);
  const mean = new Float64Array(nA);
  const m2 = new Float64Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    if (isReseed(t, anchor, w)) {
      n.fill(0);
      mean.fill(0);
      m2.fill(0);
      const u0 = Math.max(t - w + 1, 0);
      for (let u = u0; u <= t; u++) {
        const b = u * nA;
        for (let a = 0; a < nA; a++) {
          const v = x[b + a]!;
          if (Number.isNaN(v)) continue;
          const k = n[a]! + 1;
          n[a] = k;
          const d = v - mean[a]!;
          const m = mean[a]! + d / k;
          mean[a] = m;
          m2[a] = m2[a]! + d * (v - m);
        }
      }
    } else {
      const old = t - w;
      const ob = old * nA;
      for (let a = 0; a < nA; a++) {
        const v = x[base + a]!;
        if (!Number.isNaN(v)) {
          const k = n[a]! + 1;
          n[a] = k;
          const d = v - mean[a]!;
          const m = mean[a]! + d / k;
          mean[a] = m;
          m2[a] = m2[a]! + d * (v - m);
        }
        if (old >= 0) {
          const o = x[ob + a]!;
          if (!Number.isNaN(o)) {
            const k = n[a]! - 1;
            n[a] = k;
            if (k === 0) {
              mean[a] = 0;
              m2[a] = 0;
            } else {
              const d = o - mean[a]!;
              const m = mean[a]! - d / k;
              mean[a] = m;
              m2[a] = m2[a]! - d * (o - m);
            }
          }
        }
      }
    }
    for (let a = 0; a < nA; a++) {
      const k = n[a]!;
      const ok = k >= minObs;
      if (outMean !== null) outMean[base + a] = ok ? mean[a]! : Number.NaN;
      if (outStd !== null) {
        const v = Math.max(m2[a]!, 0);
        outStd[base + a] = ok && k >= 2 ? Math.sqrt(v / (k - 1)) : Number.NaN;
      }
    }
  }
}

/** Rolling sum of the valid values (plain running sum, re-seeded every w bars); NaN below minObs. */
export function rollingSum(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  out: Float64Array,
  outCount: Float64Array | null = null,
): void {
  checkWindow(w, minObs);
  const s = new Float64Array(nA);
  const n = new Float64Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    if (isReseed(t, anchor, w)) {
      s.fill(0);
      n.fill(0);
      const u0 = Math.max(t - w + 1, 0);
      for (let u = u0; u <= t; u++) {
        const b = u * nA;
        for (let a = 0; a < nA; a++) {
          const v = x[b + a]!;
          if (Number.isNaN(v)) continue;
          s[a] = s[a]! + v;
          n[a] = n[a]! + 1;
        }
      }
    } else {
      const ob = (t - w) * nA;
      for (let a = 0; a < nA; a++) {
        const v = x[base + a]!;
        if (!Number.isNaN(v)) {
          s[a] = s[a]! + v;
          n[a] = n[a]! + 1;
        }
        if (ob >= 0) {
          const o = x[ob + a]!;
          if (!Number.isNaN(o)) {
            s[a] = s[a]! - o;
            n[a] = n[a]! - 1;
          }
        }
      }
    }
    for (let a = 0; a < nA; a++) {
      const k = n[a]!;
      out[base + a] = k >= minObs ? s[a]! : Number.NaN;
      if (outCount !== null) outCount[base + a] = k;
    }
  }
}

/**
 * Rolling max (`sign = 1`) or min (`sign = -1`) by a monotone deque per asset (Lemire, "Streaming maximum-minimum
 * filter using no more than three comparisons per element", 2006). `outAge` (optional) receives the number of
 * bars since the extreme (0 = this bar; the most recent among ties).
 */
export function rollingExtreme(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  sign: 1 | -1,
  out: Float64Array,
  outAge: Float64Array | null = null,
): void {
  checkWindow(w, minObs);
  // Per asset a ring deque of bar indices, capacity w; head/len per asset.
  const dq = new Int32Array(w * nA);
  const head = new Int32Array(nA);
  const len = new Int32Array(nA);
  const cnt = new Int32Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    const old = t - w;
    for (let a = 0; a < nA; a++) {
      const off = a * w;
      let h = head[a]!;
      let l = len[a]!;
      // expire the bar leaving the window
      if (old >= 0) {
        if (!Number.isNaN(x[old * nA + a]!)) cnt[a] = cnt[a]! - 1;
        if (l > 0 && dq[off + h]! === old) {
          h = h + 1 === w ? 0 : h + 1;
          l--;
        }
      }
      const v = x[base + a]!;
      if (!Number.isNaN(v)) {
        cnt[a] = cnt[a]! + 1;
        const sv = sign * v;
        // pop from the back while the back is <= v (keep the most recent among ties)
        while (l > 0) {
          let back = h + l - 1;
          if (back >= w) back -= w;
          if (sign * x[dq[off + back]! * nA + a]! <= sv) l--;
          else break;
        }
        let pos = h + l;
        if (pos >= w) pos -= w;
        dq[off + pos] = t;
        l++;
      }
      head[a] = h;
      len[a] = l;
      if (cnt[a]! >= minObs && l > 0) {
        const i = dq[off + h]!;
        out[base + a] = x[i * nA + a]!;
        if (outAge !== null) outAge[base + a] = t - i;
      } else {
        out[base + a] = Number.NaN;
        if (outAge !== null) outAge[base + a] = Number.NaN;
      }
    }
  }
}

/**
 * Rolling quantile `q` in [0, 1] with linear interpolation between order statistics (pandas / numpy "linear",
 * Hyndman & Fan type 7), from a sorted window per asset kept by binary insertion and deletion: O(w) per bar.
 */
export function rollingQuantile(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  q: number,
  out: Float64Array,
): void {
  checkWindow(w, minObs);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], received ${q}`);
  const sorted = new Float64Array(w * nA);
  const len = new Int32Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    const old = t - w;
    for (let a = 0; a < nA; a++) {
      const off = a * w;
      let l = len[a]!;
      if (old >= 0) {
        const o = x[old * nA + a]!;
        if (!Number.isNaN(o)) {
          let lo = 0;
          let hi = l;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (sorted[off + mid]! < o) lo = mid + 1;
            else hi = mid;
          }
          for (let k = off + lo; k < off + l - 1; k++) sorted[k] = sorted[k + 1]!;
          l--;
        }
      }
      const v = x[base + a]!;
      if (!Number.isNaN(v)) {
        let lo = 0;
        let hi = l;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (sorted[off + mid]! <= v) lo = mid + 1;
          else hi = mid;
        }
        for (let k = off + l; k > off + lo; k--) sorted[k] = sorted[k - 1]!;
        sorted[off + lo] = v;
        l++;
      }
      len[a] = l;
      if (l >= minObs) {
        const h = (l - 1) * q;
        const i = Math.floor(h);
        const lower = sorted[off + i]!;
        out[base + a] = i + 1 < l ? lower + (h - i) * (sorted[off + i + 1]! - lower) : lower;
      } else out[base + a] = Number.NaN;
    }
  }
}

/** What `rollingRegression` writes. */
export type RegressionOutput = 'slope' | 'corr' | 'rsq' | 'resid_std' | 'intercept_last';

/**
 * Rolling least squares of y on x over the pairs where both are valid, from running sums of x, y, x², y², xy
 * re-seeded every w bars. With `x = null` the regressor is time (the bar index), taken relative to the last
 * re-seed so the sums stay small. Outputs: slope; Pearson correlation; R²; residual standard deviation
 * (ddof = 2); `intercept_last` = the fitted value at the current bar's x subtracted from y (the residual of the
 * last point). Degenerate windows (zero variance) give NaN.
 */
export function rollingRegression(
  x: ArrayLike<number> | null,
  y: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  what: RegressionOutput,
  out: Float64Array,
): void {
  checkWindow(w, minObs);
  const n = new Float64Array(nA);
  const sx = new Float64Array(nA);
  const sy = new Float64Array(nA);
  const sxx = new Float64Array(nA);
  const syy = new Float64Array(nA);
  const sxy = new Float64Array(nA);
  let origin = 0;
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    if (isReseed(t, anchor, w)) {
      // the time regressor is measured from the last aligned bar, so it is the same in every chunk
      origin = t - ((((anchor + t) % w) + w) % w);
      n.fill(0);
      sx.fill(0);
      sy.fill(0);
      sxx.fill(0);
      syy.fill(0);
      sxy.fill(0);
      const u0 = Math.max(t - w + 1, 0);
      for (let u = u0; u <= t; u++) {
        const b = u * nA;
        for (let a = 0; a < nA; a++) {
          const xv = x === null ? u - origin : x[b + a]!;
          const yv = y[b + a]!;
          if (Number.isNaN(xv) || Number.isNaN(yv)) continue;
          n[a] = n[a]! + 1;
          sx[a] = sx[a]! + xv;
          sy[a] = sy[a]! + yv;
          sxx[a] = sxx[a]! + xv * xv;
          syy[a] = syy[a]! + yv * yv;
          sxy[a] = sxy[a]! + xv * yv;
        }
      }
    } else {
      const old = t - w;
      for (let a = 0; a < nA; a++) {
        const xv = x === null ? t - origin : x[base + a]!;
        const yv = y[base + a]!;
        if (!Number.isNaN(xv) && !Number.isNaN(yv)) {
          n[a] = n[a]! + 1;
          sx[a] = sx[a]! + xv;
          sy[a] = sy[a]! + yv;
          sxx[a] = sxx[a]! + xv * xv;
          syy[a] = syy[a]! + yv * yv;
          sxy[a] = sxy[a]! + xv * yv;
        }
        if (old >= 0) {
          const ob = old * nA + a;
          const xo = x === null ? old - origin : x[ob]!;
          const yo = y[ob]!;
          if (!Number.isNaN(xo) && !Number.isNaN(yo)) {
            n[a] = n[a]! - 1;
            sx[a] = sx[a]! - xo;
            sy[a] = sy[a]! - yo;
            sxx[a] = sxx[a]! - xo * xo;
            syy[a] = syy[a]! - yo * yo;
            sxy[a] = sxy[a]! - xo * yo;
          }
        }
      }
    }
    for (let a = 0; a < nA; a++) {
      const k = n[a]!;
      if (k < minObs || k < 2) {
        out[base + a] = Number.NaN;
        continue;
      }
      const mx = sx[a]! / k;
      const my = sy[a]! / k;
      const vxx = sxx[a]! - k * mx * mx;
      const vyy = syy[a]! - k * my * my;
      const vxy = sxy[a]! - k * mx * my;
      let r = Number.NaN;
      if (vxx > 0) {
        const slope = vxy / vxx;
        if (what === 'slope') r = slope;
        else if (what === 'corr') r = vyy > 0 ? vxy / Math.sqrt(vxx * vyy) : Number.NaN;
        else if (what === 'rsq') r = vyy > 0 ? (vxy * vxy) / (vxx * vyy) : Number.NaN;
        else if (what === 'resid_std') {
          const sse = vyy - slope * vxy;
          r = k > 2 ? Math.sqrt(Math.max(sse, 0) / (k - 2)) : Number.NaN;
        } else {
          const xv = x === null ? t - origin : x[base + a]!;
          const yv = y[base + a]!;
          r = yv - (my + slope * (xv - mx));
        }
      }
      out[base + a] = r;
    }
  }
}

/**
 * Cross-sectional percentile rank per bar over the included cells (`include[t * nA + a] = 1` and x valid):
 * (rank - 1) / (n - 1) in [0, 1], ties get their average rank; a single name gets 0.5; excluded cells NaN.
 * Sort: LSD radix sort (4 passes of 8 bits) of the order-preserving float32 bits of x, carrying the column
 * index; runs equal at float32 precision are then ordered exactly by the float64 value (insertion sort).
 */
export function csRank(
  x: ArrayLike<number>,
  include: Uint8Array | null,
  nT: number,
  nA: number,
  out: Float64Array,
): void {
  let keys = new Uint32Array(nA);
  let keys2 = new Uint32Array(nA);
  let idx = new Int32Array(nA);
  let idx2 = new Int32Array(nA);
  const count = new Int32Array(256);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const vals = new Float64Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    let m = 0;
    for (let a = 0; a < nA; a++) {
      out[base + a] = Number.NaN;
      const v = x[base + a]!;
      if (Number.isNaN(v) || (include !== null && include[base + a] !== 1)) continue;
      f32[0] = v;
      const bits = u32[0]!;
      keys[m] = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
      idx[m] = a;
      m++;
    }
    if (m === 0) continue;
    for (let shift = 0; shift < 32; shift += 8) {
      count.fill(0);
      for (let i = 0; i < m; i++) {
        const b = (keys[i]! >>> shift) & 255;
        count[b] = count[b]! + 1;
      }
      let sum = 0;
      for (let b = 0; b < 256; b++) {
        const c = count[b]!;
        count[b] = sum;
        sum += c;
      }
      for (let i = 0; i < m; i++) {
        const k = keys[i]!;
        const b = (k >>> shift) & 255;
        const p = count[b]!;
        count[b] = p + 1;
        keys2[p] = k;
        idx2[p] = idx[i]!;
      }
      const tk = keys;
      keys = keys2;
      keys2 = tk;
      const ti = idx;
      idx = idx2;
      idx2 = ti;
    }
    for (let i = 0; i < m; i++) vals[i] = x[base + idx[i]!]!;
    // exact order inside runs equal at float32 precision: insertion sort by the float64 value (runs are short)
    for (let i = 1; i < m; i++) {
      const v = vals[i]!;
      if (v >= vals[i - 1]!) continue;
      const id = idx[i]!;
      let j = i - 1;
      while (j >= 0 && vals[j]! > v) {
        vals[j + 1] = vals[j]!;
        idx[j + 1] = idx[j]!;
        j--;
      }
      vals[j + 1] = v;
      idx[j + 1] = id;
    }
    const denom = m - 1;
    let i = 0;
    while (i < m) {
      let j = i;
      while (j + 1 < m && vals[j + 1] === vals[i]) j++;
      const r = denom === 0 ? 0.5 : (i + j) / 2 / denom;
      for (let k = i; k <= j; k++) out[base + idx[k]!] = r;
      i = j + 1;
    }
  }
}

/**
 * Cross-sectional z-score per bar over the included valid cells, (x - mean) / std (ddof = 0, two-pass);
 * NaN when fewer than 2 names or zero dispersion; excluded cells NaN. With `group` (sector codes, -1 = none)
 * the mean and std are those of the name's group at that bar (sector-neutral); with `demeanOnly` the output is
 * x - mean (no scaling).
 */
export function csZscore(
  x: ArrayLike<number>,
  include: Uint8Array | null,
  group: Int16Array | null,
  nT: number,
  nA: number,
  demeanOnly: boolean,
  out: Float64Array,
): void {
  let nG = 1;
  if (group !== null) for (let a = 0; a < nA; a++) if (group[a]! + 1 > nG) nG = group[a]! + 1;
  const cnt = new Float64Array(nG);
  const sum = new Float64Array(nG);
  const ss = new Float64Array(nG);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    cnt.fill(0);
    sum.fill(0);
    ss.fill(0);
    for (let a = 0; a < nA; a++) {
      const v = x[base + a]!;
      const g = group === null ? 0 : group[a]!;
      if (Number.isNaN(v) || g < 0 || (include !== null && include[base + a] !== 1)) continue;
      cnt[g] = cnt[g]! + 1;
      sum[g] = sum[g]! + v;
    }
    for (let g = 0; g < nG; g++) sum[g] = cnt[g]! > 0 ? sum[g]! / cnt[g]! : Number.NaN;
    if (!demeanOnly) {
      for (let a = 0; a < nA; a++) {
        const v = x[base + a]!;
        const g = group === null ? 0 : group[a]!;
        if (Number.isNaN(v) || g < 0 || (include !== null && include[base + a] !== 1)) continue;
        const d = v - sum[g]!;
        ss[g] = ss[g]! + d * d;
      }
    }
    for (let a = 0; a < nA; a++) {
      const v = x[base + a]!;
      const g = group === null ? 0 : group[a]!;
      if (Number.isNaN(v) || g < 0 || (include !== null && include[base + a] !== 1) || cnt[g]! < 2) {
        out[base + a] = Number.NaN;
        continue;
      }
      const d = v - sum[g]!;
      if (demeanOnly) out[base + a] = d;
      else {
        const sd = Math.sqrt(ss[g]! / cnt[g]!);
        out[base + a] = sd > 0 ? d / sd : Number.NaN;
      }
    }
  }
}

/** out[t, a] = x[t - k, a] (NaN for t < k). */
export function lag(x: ArrayLike<number>, nT: number, nA: number, k: number, out: Float64Array): void {
  const n = nT * nA;
  const s = k * nA;
  for (let i = 0; i < n; i++) out[i] = i >= s ? x[i - s]! : Number.NaN;
}
