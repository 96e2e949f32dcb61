/**
 * Time-series and cross-sectional kernels on time-major panels (`x[t * nA + a]`, NaN = missing).
 *
 * Every rolling kernel looks at the window of the last `w` bars `[t - w + 1, t]`, skips NaN, and writes NaN
 * while fewer than `minObs` values are valid. The caller allocates `out` (length nT * nA); kernels allocate only
 * O(nA) or O(w * nA) state per call, never per element. Bars before the grid's first bar count as missing.
 *
 * Chunk invariance (a month built alone equals the same month of a full-history build, bit for bit): windowed
 * sums, moments, regressions and extremes use the block prefix/suffix decomposition (van Herk 1992; Gil & Werman
 * 1993, there for max/min): the time axis is cut into blocks of `w` bars aligned at absolute bar indices
 * (`anchor + t`, counted from a fixed calendar origin) that are multiples of `w`. A window `[t - w + 1, t]` is
 * then the tail of the previous block (a suffix aggregate, accumulated backwards from that block's end) plus the
 * head of the current block (a prefix aggregate, accumulated forwards from its start). Both are evaluated in a
 * fixed order from bars inside the window only, so the value at t depends on bars in `[t - w + 1, t]` and nothing
 * else: a chunk with `w - 1` bars of warm-up reproduces the full build exactly (`rollingWarmupBars`). No value
 * is ever removed from a running sum, so there is no drift and no re-seeding: each cell costs one prefix update,
 * one suffix update and one combine. Sorted windows (quantiles) are exact and need `w - 1` bars of warm-up too.
 */

/** Bars of warm-up (before the first output bar) a rolling kernel of window `w` needs to be exact. */
export function rollingWarmupBars(w: number): number {
  return w - 1;
}

function checkWindow(w: number, minObs: number): void {
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`window must be an integer >= 1, received ${w}`);
  if (!Number.isInteger(minObs) || minObs < 1 || minObs > w) {
    throw new RangeError(`minObs must be an integer in [1, ${w}], received ${minObs}`);
  }
}

function checkAnchor(anchor: number): void {
  if (!Number.isInteger(anchor)) throw new RangeError(`anchor must be an integer, received ${anchor}`);
}

/** Grid index of the start of the block holding bar 0 (<= 0): blocks start where (anchor + t) % w === 0. */
function firstBlockStart(anchor: number, w: number): number {
  return -(((anchor % w) + w) % w);
}

/**
 * Row (offset in the previous block `[b0 - w, b0)`) of the suffix aggregate that covers the part of the window
 * of bar t inside that block, or -1 when the window lies in the current block alone. Rows before the grid's
 * first bar were never built: the window then starts at bar 0.
 */
function suffixRow(t: number, b0: number, w: number, havePrev: boolean): number {
  const j = t - b0 + 1;
  if (!havePrev || j >= w) return -1;
  return Math.max(j, w - b0);
}

/**
 * Rolling mean and sample standard deviation (ddof = 1); `outMean` / `outStd` may be null when not wanted.
 * std needs >= 2 valid values. Mean only: plain prefix and suffix sums, mean = sum / n. With std: each part
 * accumulates shifted sums Σd, Σd² of d = x - c, c a value of that part inside the window (the first valid value
 * of the block's head, the last valid value of the previous block's tail), merged on a common shift (Chan, Golub
 * & LeVeque 1983); the shift keeps Σd² - (Σd)²/n free of the cancellation of raw power sums.
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
  checkAnchor(anchor);
  if (outStd === null) {
    if (outMean !== null) rollingMeanPlain(x, nT, nA, w, minObs, anchor, outMean);
    return;
  }
  // prefix state of the current block, per asset
  const pn = new Float64Array(nA);
  const pc = new Float64Array(nA);
  const ps = new Float64Array(nA);
  const pq = new Float64Array(nA);
  // suffix aggregates of the previous block, row k = offset of the tail's first bar in that block
  const sn = new Float64Array(w * nA);
  const ss = new Float64Array(w * nA);
  const sq = new Float64Array(w * nA);
  const sc = new Float64Array(nA);
  let b0 = firstBlockStart(anchor, w);
  let havePrev = false;
  for (let t = 0; t < nT; t++) {
    if (t - b0 === w) {
      // the block [b0, t) is complete: its suffix aggregates, accumulated backwards (pn/ps/pq as accumulators)
      pn.fill(0);
      ps.fill(0);
      pq.fill(0);
      sc.fill(0);
      const lo = Math.max(b0, 0);
      for (let u = t - 1; u >= lo; u--) {
        const xb = u * nA;
        const kb = (u - b0) * nA;
        for (let a = 0; a < nA; a++) {
          const v = x[xb + a]!;
          let n = pn[a]!;
          if (!Number.isNaN(v)) {
            if (n === 0) sc[a] = v;
            const d = v - sc[a]!;
            n++;
            pn[a] = n;
            ps[a] = ps[a]! + d;
            pq[a] = pq[a]! + d * d;
          }
          sn[kb + a] = n;
          ss[kb + a] = ps[a]!;
          sq[kb + a] = pq[a]!;
        }
      }
      pn.fill(0);
      ps.fill(0);
      pq.fill(0);
      b0 = t;
      havePrev = true;
    }
    const xb = t * nA;
    const row = suffixRow(t, b0, w, havePrev);
    const kb = row * nA;
    for (let a = 0; a < nA; a++) {
      const v = x[xb + a]!;
      let n = pn[a]!;
      let s = ps[a]!;
      let q = pq[a]!;
      let c = pc[a]!;
      if (!Number.isNaN(v)) {
        if (n === 0) {
          c = v;
          pc[a] = v;
        }
        const d = v - c;
        n++;
        s += d;
        q += d * d;
        pn[a] = n;
        ps[a] = s;
        pq[a] = q;
      }
      if (row >= 0) {
        const m = sn[kb + a]!;
        if (m > 0) {
          const s2 = ss[kb + a]!;
          if (n === 0) {
            c = sc[a]!;
            s = s2;
            q = sq[kb + a]!;
          } else {
            const e = sc[a]! - c;
            s += s2 + m * e;
            q += sq[kb + a]! + 2 * e * s2 + m * e * e;
          }
          n += m;
        }
      }
      const i = xb + a;
      if (n >= minObs) {
        const inv = 1 / n;
        if (outMean !== null) outMean[i] = c + s * inv;
        const m2 = q - s * s * inv;
        outStd[i] = n >= 2 ? Math.sqrt((m2 > 0 ? m2 : 0) / (n - 1)) : Number.NaN;
      } else {
        if (outMean !== null) outMean[i] = Number.NaN;
        outStd[i] = Number.NaN;
      }
    }
  }
}

/** Rolling mean from plain prefix / suffix sums (see `rollingMeanStd`). */
function rollingMeanPlain(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  out: Float64Array,
): void {
  rollingSumImpl(x, nT, nA, w, minObs, anchor, out, null, true);
}

/** Rolling sum of the valid values from prefix / suffix sums (see the file comment); NaN below minObs. */
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
  checkAnchor(anchor);
  rollingSumImpl(x, nT, nA, w, minObs, anchor, out, outCount, false);
}

function rollingSumImpl(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  out: Float64Array,
  outCount: Float64Array | null,
  mean: boolean,
): void {
  const pn = new Float64Array(nA);
  const ps = new Float64Array(nA);
  const sn = new Float64Array(w * nA);
  const ss = new Float64Array(w * nA);
  let b0 = firstBlockStart(anchor, w);
  let havePrev = false;
  for (let t = 0; t < nT; t++) {
    if (t - b0 === w) {
      pn.fill(0);
      ps.fill(0);
      const lo = Math.max(b0, 0);
      for (let u = t - 1; u >= lo; u--) {
        const xb = u * nA;
        const kb = (u - b0) * nA;
        for (let a = 0; a < nA; a++) {
          const v = x[xb + a]!;
          if (!Number.isNaN(v)) {
            pn[a] = pn[a]! + 1;
            ps[a] = ps[a]! + v;
          }
          sn[kb + a] = pn[a]!;
          ss[kb + a] = ps[a]!;
        }
      }
      pn.fill(0);
      ps.fill(0);
      b0 = t;
      havePrev = true;
    }
    const xb = t * nA;
    const row = suffixRow(t, b0, w, havePrev);
    const kb = row * nA;
    for (let a = 0; a < nA; a++) {
      const v = x[xb + a]!;
      let n = pn[a]!;
      let s = ps[a]!;
      if (!Number.isNaN(v)) {
        n++;
        s += v;
        pn[a] = n;
        ps[a] = s;
      }
      if (row >= 0) {
        n += sn[kb + a]!;
        s += ss[kb + a]!;
      }
      out[xb + a] = n >= minObs ? (mean ? s / n : s) : Number.NaN;
      if (outCount !== null) outCount[xb + a] = n;
    }
  }
}

/**
 * Rolling max (`sign = 1`) or min (`sign = -1`) by the van Herk / Gil-Werman prefix/suffix extremes on blocks of
 * w bars (three comparisons per cell, no per-asset deque). `outAge` (optional) receives the number of bars since
 * the extreme (0 = this bar; the most recent among ties).
 */
export function rollingExtreme(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  sign: 1 | -1,
  out: Float64Array,
  outAge: Float64Array | null = null,
): void {
  checkWindow(w, minObs);
  checkAnchor(anchor);
  const NEG = Number.NEGATIVE_INFINITY;
  // prefix: extreme of sign * x, its bar, valid count; suffix rows of the previous block likewise
  const pm = new Float64Array(nA).fill(NEG);
  const pi = new Float64Array(nA).fill(-1);
  const pn = new Float64Array(nA);
  const sm = new Float64Array(w * nA);
  const si = new Float64Array(w * nA);
  const sn = new Float64Array(w * nA);
  let b0 = firstBlockStart(anchor, w);
  let havePrev = false;
  for (let t = 0; t < nT; t++) {
    if (t - b0 === w) {
      pm.fill(NEG);
      pi.fill(-1);
      pn.fill(0);
      const lo = Math.max(b0, 0);
      for (let u = t - 1; u >= lo; u--) {
        const xb = u * nA;
        const kb = (u - b0) * nA;
        for (let a = 0; a < nA; a++) {
          const v = x[xb + a]!;
          if (!Number.isNaN(v)) {
            pn[a] = pn[a]! + 1;
            const sv = sign * v;
            // backwards: a later bar already holds ties, keep it (most recent among ties)
            if (pi[a]! < 0 || sv > pm[a]!) {
              pm[a] = sv;
              pi[a] = u;
            }
          }
          sm[kb + a] = pm[a]!;
          si[kb + a] = pi[a]!;
          sn[kb + a] = pn[a]!;
        }
      }
      pm.fill(NEG);
      pi.fill(-1);
      pn.fill(0);
      b0 = t;
      havePrev = true;
    }
    const xb = t * nA;
    const row = suffixRow(t, b0, w, havePrev);
    const kb = row * nA;
    for (let a = 0; a < nA; a++) {
      const v = x[xb + a]!;
      let n = pn[a]!;
      let m = pm[a]!;
      let idx = pi[a]!;
      if (!Number.isNaN(v)) {
        n++;
        pn[a] = n;
        const sv = sign * v;
        // forwards: a tie moves to this bar (most recent)
        if (idx < 0 || sv >= m) {
          m = sv;
          idx = t;
          pm[a] = m;
          pi[a] = t;
        }
      }
      if (row >= 0) {
        const k = sn[kb + a]!;
        if (k > 0) {
          n += k;
          // the head is more recent than the tail: it wins ties
          if (idx < 0 || sm[kb + a]! > m) {
            m = sm[kb + a]!;
            idx = si[kb + a]!;
          }
        }
      }
      if (n >= minObs && idx >= 0) {
        out[xb + a] = sign * m;
        if (outAge !== null) outAge[xb + a] = t - idx;
      } else {
        out[xb + a] = Number.NaN;
        if (outAge !== null) outAge[xb + a] = Number.NaN;
      }
    }
  }
}

/**
 * Rolling quantiles `qs` (each in [0, 1]) with linear interpolation between order statistics (pandas / numpy
 * "linear", Hyndman & Fan type 7), from one sorted window per asset kept by binary insertion and deletion: O(w)
 * per bar whatever the number of quantiles. `outs[j]` receives quantile `qs[j]`.
 */
export function rollingQuantiles(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  qs: readonly number[],
  outs: readonly Float64Array[],
): void {
  checkWindow(w, minObs);
  if (qs.length !== outs.length)
    throw new RangeError(`one output per quantile: ${qs.length} vs ${outs.length}`);
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], received ${q}`);
  const nQ = qs.length;
  const sorted = new Float64Array(w * nA);
  const len = new Int32Array(nA);
  for (let t = 0; t < nT; t++) {
    const base = t * nA;
    const old = t - w;
    for (let a = 0; a < nA; a++) {
      const off = a * w;
      let l = len[a]!;
      const o = old >= 0 ? x[old * nA + a]! : Number.NaN;
      const v = x[base + a]!;
      // p: position of the leaving value (its first occurrence), -1 when none leaves
      let p = -1;
      if (!Number.isNaN(o)) {
        let lo = 0;
        let hi = l;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (sorted[off + mid]! < o) lo = mid + 1;
          else hi = mid;
        }
        p = lo;
      }
      if (!Number.isNaN(v)) {
        // insertion by a scan that shifts as it goes (one unpredictable branch instead of a binary search):
        // from the leaving value's slot when one leaves (the slot is reused), else from the end
        let k = p >= 0 ? off + p : off + l;
        if (p >= 0 && k + 1 < off + l && sorted[k + 1]! < v) {
          while (k + 1 < off + l && sorted[k + 1]! < v) {
            sorted[k] = sorted[k + 1]!;
            k++;
          }
        } else {
          while (k > off && sorted[k - 1]! > v) {
            sorted[k] = sorted[k - 1]!;
            k--;
          }
        }
        sorted[k] = v;
        if (p < 0) l++;
      } else if (p >= 0) {
        for (let k = off + p; k < off + l - 1; k++) sorted[k] = sorted[k + 1]!;
        l--;
      }
      len[a] = l;
      for (let j = 0; j < nQ; j++) {
        const out = outs[j]!;
        if (l >= minObs) {
          const h = (l - 1) * qs[j]!;
          const i = Math.floor(h);
          const lower = sorted[off + i]!;
          out[base + a] = i + 1 < l ? lower + (h - i) * (sorted[off + i + 1]! - lower) : lower;
        } else out[base + a] = Number.NaN;
      }
    }
  }
}

/** Rolling quantile `q` (see `rollingQuantiles`). */
export function rollingQuantile(
  x: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  q: number,
  out: Float64Array,
): void {
  rollingQuantiles(x, nT, nA, w, minObs, [q], [out]);
}

/** What `rollingRegression` writes. */
export type RegressionOutput = 'slope' | 'corr' | 'rsq' | 'resid_std' | 'intercept_last';

/**
 * Rolling least squares of y on x over the pairs where both are valid, from prefix / suffix sums of x, y, x², y²,
 * xy (see the file comment). With `x = null` the regressor is time: the bar index relative to the start of the
 * current block (negative in the previous block's tail), so the sums stay small and are the same in every chunk.
 * Outputs: slope; Pearson correlation; R²; residual standard deviation (ddof = 2); `intercept_last` = the fitted
 * value at the current bar's x subtracted from y (the residual of the last point). Degenerate windows (zero
 * variance) give NaN. `rollingRegressions` writes several outputs from one pass.
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
  rollingRegressions(x, y, nT, nA, w, minObs, anchor, { [what]: out });
}

export function rollingRegressions(
  x: ArrayLike<number> | null,
  y: ArrayLike<number>,
  nT: number,
  nA: number,
  w: number,
  minObs: number,
  anchor: number,
  outs: Readonly<Partial<Record<RegressionOutput, Float64Array>>>,
): void {
  checkWindow(w, minObs);
  checkAnchor(anchor);
  const oSlope = outs.slope ?? null;
  const oCorr = outs.corr ?? null;
  const oRsq = outs.rsq ?? null;
  const oRes = outs.resid_std ?? null;
  const oLast = outs.intercept_last ?? null;
  const pn = new Float64Array(nA);
  const px = new Float64Array(nA);
  const py = new Float64Array(nA);
  const pxx = new Float64Array(nA);
  const pyy = new Float64Array(nA);
  const pxy = new Float64Array(nA);
  const W = w * nA;
  const sn = new Float64Array(W);
  const sx = new Float64Array(W);
  const sy = new Float64Array(W);
  const sxx = new Float64Array(W);
  const syy = new Float64Array(W);
  const sxy = new Float64Array(W);
  const reset = (): void => {
    pn.fill(0);
    px.fill(0);
    py.fill(0);
    pxx.fill(0);
    pyy.fill(0);
    pxy.fill(0);
  };
  let b0 = firstBlockStart(anchor, w);
  let havePrev = false;
  for (let t = 0; t < nT; t++) {
    if (t - b0 === w) {
      reset();
      const lo = Math.max(b0, 0);
      for (let u = t - 1; u >= lo; u--) {
        const xb = u * nA;
        const kb = (u - b0) * nA;
        // time regressor relative to the start of the block that begins at t
        const tu = u - t;
        for (let a = 0; a < nA; a++) {
          const xv = x === null ? tu : x[xb + a]!;
          const yv = y[xb + a]!;
          if (!Number.isNaN(xv) && !Number.isNaN(yv)) {
            pn[a] = pn[a]! + 1;
            px[a] = px[a]! + xv;
            py[a] = py[a]! + yv;
            pxx[a] = pxx[a]! + xv * xv;
            pyy[a] = pyy[a]! + yv * yv;
            pxy[a] = pxy[a]! + xv * yv;
          }
          const i = kb + a;
          sn[i] = pn[a]!;
          sx[i] = px[a]!;
          sy[i] = py[a]!;
          sxx[i] = pxx[a]!;
          syy[i] = pyy[a]!;
          sxy[i] = pxy[a]!;
        }
      }
      reset();
      b0 = t;
      havePrev = true;
    }
    const xb = t * nA;
    const row = suffixRow(t, b0, w, havePrev);
    const kb = row * nA;
    const tt = t - b0;
    for (let a = 0; a < nA; a++) {
      const i = xb + a;
      const xv = x === null ? tt : x[i]!;
      const yv = y[i]!;
      let k = pn[a]!;
      let Sx = px[a]!;
      let Sy = py[a]!;
      let Sxx = pxx[a]!;
      let Syy = pyy[a]!;
      let Sxy = pxy[a]!;
      if (!Number.isNaN(xv) && !Number.isNaN(yv)) {
        k++;
        Sx += xv;
        Sy += yv;
        Sxx += xv * xv;
        Syy += yv * yv;
        Sxy += xv * yv;
        pn[a] = k;
        px[a] = Sx;
        py[a] = Sy;
        pxx[a] = Sxx;
        pyy[a] = Syy;
        pxy[a] = Sxy;
      }
      if (row >= 0) {
        const j = kb + a;
        k += sn[j]!;
        Sx += sx[j]!;
        Sy += sy[j]!;
        Sxx += sxx[j]!;
        Syy += syy[j]!;
        Sxy += sxy[j]!;
      }
      let slope = Number.NaN;
      let corr = Number.NaN;
      let rsq = Number.NaN;
      let res = Number.NaN;
      let last = Number.NaN;
      if (k >= minObs && k >= 2) {
        const mx = Sx / k;
        const my = Sy / k;
        const vxx = Sxx - k * mx * mx;
        const vyy = Syy - k * my * my;
        const vxy = Sxy - k * mx * my;
        if (vxx > 0) {
          slope = vxy / vxx;
          if (vyy > 0) {
            if (oCorr !== null) corr = vxy / Math.sqrt(vxx * vyy);
            rsq = (vxy * vxy) / (vxx * vyy);
          }
          if (oRes !== null && k > 2) {
            const sse = vyy - slope * vxy;
            res = Math.sqrt((sse > 0 ? sse : 0) / (k - 2));
          }
          last = yv - (my + slope * (xv - mx));
        }
      }
      if (oSlope !== null) oSlope[i] = slope;
      if (oCorr !== null) oCorr[i] = corr;
      if (oRsq !== null) oRsq[i] = rsq;
      if (oRes !== null) oRes[i] = res;
      if (oLast !== null) oLast[i] = last;
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
