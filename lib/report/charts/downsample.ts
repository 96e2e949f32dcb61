/**
 * Deterministic reduction of hourly series to display points. Points are NYSE sessions (the session's last bar,
 * its close), so 10 years give about 2,520 points; when a run has more sessions than `maxPoints`, consecutive
 * sessions are grouped into buckets of ⌈sessions / maxPoints⌉ and each bucket shows its last session. Levels
 * (NAV, exposure, weights) take the bucket's last bar; drawdowns take the bucket's minimum over all its bars
 * (the trough is never hidden by the reduction); flows (turnover, costs) are summed over calendar months instead.
 * Same input ⇒ same points: no randomness, no dependence on the display.
 */
import { utcMsToNyDate } from '../../core/index.ts';

export interface SessionIndex {
  /** Session position of each bar (0 = first session of the run). */
  readonly sessionOfBar: Int32Array;
  /** Index of each session's last bar. */
  readonly sessionEnd: Int32Array;
  /** New York date of each session. */
  readonly sessionDate: readonly string[];
}

/** Sessions of a run from its bar-close times (bars of one New York date form one session). */
export function sessionIndexOf(ts: Float64Array): SessionIndex {
  const n = ts.length;
  const sessionOfBar = new Int32Array(n);
  const ends: number[] = [];
  const dates: string[] = [];
  let prev = '';
  for (let i = 0; i < n; i++) {
    const d = utcMsToNyDate(ts[i]!);
    if (d !== prev) {
      if (i > 0) ends.push(i - 1);
      dates.push(d);
      prev = d;
    }
    sessionOfBar[i] = dates.length - 1;
  }
  if (n > 0) ends.push(n - 1);
  return { sessionOfBar, sessionEnd: Int32Array.from(ends), sessionDate: dates };
}

/** Display buckets: consecutive sessions grouped so that there are at most `maxPoints` of them. */
export interface Buckets {
  /** Sessions per bucket (1 when the run has at most `maxPoints` sessions). */
  readonly sessionsPerBucket: number;
  /** Index of each bucket's first and last bar. */
  readonly firstBar: Int32Array;
  readonly lastBar: Int32Array;
  /** Index of each bucket's last session. */
  readonly lastSession: Int32Array;
}

export function bucketSessions(sessions: SessionIndex, maxPoints: number): Buckets {
  const nS = sessions.sessionEnd.length;
  const per = Math.max(1, Math.ceil(nS / Math.max(1, maxPoints)));
  const nB = Math.ceil(nS / per);
  const firstBar = new Int32Array(nB);
  const lastBar = new Int32Array(nB);
  const lastSession = new Int32Array(nB);
  for (let k = 0; k < nB; k++) {
    const s0 = k * per;
    const s1 = Math.min(nS - 1, s0 + per - 1);
    firstBar[k] = s0 === 0 ? 0 : sessions.sessionEnd[s0 - 1]! + 1;
    lastBar[k] = sessions.sessionEnd[s1]!;
    lastSession[k] = s1;
  }
  return { sessionsPerBucket: per, firstBar, lastBar, lastSession };
}

/** `x` at each bucket's last bar. */
export function lastOfBuckets(x: ArrayLike<number>, b: Buckets): Float64Array {
  const out = new Float64Array(b.lastBar.length);
  for (let k = 0; k < out.length; k++) out[k] = x[b.lastBar[k]!]!;
  return out;
}

/** NaN-skipping minimum of `x` over each bucket's bars (NaN when all are NaN). */
export function minOfBuckets(x: ArrayLike<number>, b: Buckets): Float64Array {
  const out = new Float64Array(b.lastBar.length);
  for (let k = 0; k < out.length; k++) {
    let m = Number.NaN;
    for (let i = b.firstBar[k]!; i <= b.lastBar[k]!; i++) {
      const v = x[i]!;
      if (v < m || (Number.isNaN(m) && !Number.isNaN(v))) m = v;
    }
    out[k] = m;
  }
  return out;
}

/** `x` (one value per session) at each bucket's last session. */
export function lastSessionOfBuckets(x: ArrayLike<number>, b: Buckets): Float64Array {
  const out = new Float64Array(b.lastSession.length);
  for (let k = 0; k < out.length; k++) out[k] = x[b.lastSession[k]!]!;
  return out;
}
