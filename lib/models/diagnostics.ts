/**
 * Signal diagnostics of scores against realised labels, hour by hour over the cross-section (written per fold as
 * JSON for the report):
 *   - IC: Pearson correlation of score and label per hour, averaged over hours (with its standard deviation and
 *     t-statistic mean / (sd / √hours));
 *   - rank IC: the same on ranks (Spearman; ties get their average rank);
 *   - decile spreads: mean per-hour-demeaned label by score decile, and top minus bottom;
 *   - IC decay: IC and rank IC of the score at t against the label of bar t + lag (how fast the signal fades).
 * Hours with fewer than `minNames` pairs are skipped. Values that cannot be computed are null, never NaN.
 */
import { averageRanks, pearson } from '../core/index.ts';

export interface IcSummary {
  readonly mean: number | null;
  readonly sd: number | null;
  readonly tStat: number | null;
  readonly hours: number;
}

export interface SignalDiagnostics {
  readonly ic: IcSummary;
  readonly rankIc: IcSummary;
  /** Mean demeaned label per score decile (lowest first). */
  readonly deciles: (number | null)[];
  readonly decileSpread: number | null;
  readonly icDecay: {
    readonly lagBars: number;
    readonly ic: number | null;
    readonly rankIc: number | null;
  }[];
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

function summarise(vals: number[]): IcSummary {
  const h = vals.length;
  if (h === 0) return { mean: null, sd: null, tStat: null, hours: 0 };
  let m = 0;
  for (const v of vals) m += v;
  m /= h;
  let ss = 0;
  for (const v of vals) ss += (v - m) ** 2;
  const sd = h > 1 ? Math.sqrt(ss / (h - 1)) : Number.NaN;
  return { mean: fin(m), sd: fin(sd), tStat: fin(sd > 0 ? m / (sd / Math.sqrt(h)) : Number.NaN), hours: h };
}

export interface DiagnosticsOptions {
  readonly lags?: readonly number[];
  readonly minNames?: number;
}

/**
 * Diagnostics of `score` against `label`, both time-major nT × nA (NaN = no value); a pair counts where both
 * are finite.
 */
export function signalDiagnostics(
  score: ArrayLike<number>,
  label: ArrayLike<number>,
  nT: number,
  nA: number,
  opts: DiagnosticsOptions = {},
): SignalDiagnostics {
  const lags = opts.lags ?? [0, 1, 2, 3, 5, 7, 14, 35];
  const minNames = opts.minNames ?? 10;
  const xs = new Float64Array(nA);
  const ys = new Float64Array(nA);
  const rx = new Float64Array(nA);
  const ry = new Float64Array(nA);
  const idx = new Int32Array(nA);
  const decSum = new Float64Array(10);
  const decCnt = new Float64Array(10);
  const decay: { lagBars: number; ic: number | null; rankIc: number | null }[] = [];
  let ic0: number[] = [];
  let ric0: number[] = [];
  for (const lag of lags) {
    const ic: number[] = [];
    const ric: number[] = [];
    for (let t = 0; t + lag < nT; t++) {
      let n = 0;
      const so = t * nA;
      const lo = (t + lag) * nA;
      for (let a = 0; a < nA; a++) {
        const s = score[so + a]!;
        const l = label[lo + a]!;
        if (Number.isFinite(s) && Number.isFinite(l)) {
          xs[n] = s;
          ys[n] = l;
          n++;
        }
      }
      if (n < minNames) continue;
      const c = pearson(xs, ys, n);
      averageRanks(xs, n, idx, rx);
      averageRanks(ys, n, idx, ry);
      const rc = pearson(rx, ry, n);
      if (Number.isFinite(c)) ic.push(c);
      if (Number.isFinite(rc)) ric.push(rc);
      if (lag === 0) {
        let m = 0;
        for (let i = 0; i < n; i++) m += ys[i]!;
        m /= n;
        for (let i = 0; i < n; i++) {
          const d = Math.min(9, Math.floor((rx[i]! / n) * 10));
          decSum[d] = decSum[d]! + ys[i]! - m;
          decCnt[d] = decCnt[d]! + 1;
        }
      }
    }
    if (lag === 0) {
      ic0 = ic;
      ric0 = ric;
    }
    decay.push({ lagBars: lag, ic: summarise(ic).mean, rankIc: summarise(ric).mean });
  }
  if (!lags.includes(0)) {
    // the headline numbers are always at lag 0
    const d0 = signalDiagnostics(score, label, nT, nA, { lags: [0], minNames });
    return { ...d0, icDecay: decay };
  }
  const deciles = Array.from(decSum, (s, k) => (decCnt[k]! > 0 ? s / decCnt[k]! : null));
  const top = deciles[9];
  const bottom = deciles[0];
  return {
    ic: summarise(ic0),
    rankIc: summarise(ric0),
    deciles,
    decileSpread: top != null && bottom != null ? fin(top - bottom) : null,
    icDecay: decay,
  };
}
