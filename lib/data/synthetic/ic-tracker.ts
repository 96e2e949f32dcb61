import { IC_HORIZON_BARS, type IcSample, type IcTracker, type MarketState } from './state.ts';

const RING = IC_HORIZON_BARS + 2;

export function createIcTracker(nA: number): IcTracker {
  return {
    alphaSnap: new Float64Array(nA),
    openRing: Array.from({ length: RING }, () => new Float64Array(nA).fill(Number.NaN)),
    memberRing: new Uint8Array(RING * nA),
    snapT: -1,
    samples: [],
  };
}

/**
 * IC bookkeeping after bar t (bar b of session s): the opens of bar t go into the ring; at t = snapT + 6 the
 * snapshot of α at bar snapT is scored; every third session's third bar takes a new snapshot.
 */
export function trackIc(state: MarketState, s: number, b: number, t: number): void {
  const { ic, sim } = state;
  const { nA, spyA, memberS, firstS, lastS } = state.names;
  const slot = t % RING;
  ic.openRing[slot]!.set(sim.openBar);
  for (let a = 0; a < nA; a++)
    ic.memberRing[slot * nA + a] = memberS[s * nA + a]! && s >= firstS[a]! && s <= lastS[a]! ? 1 : 0;
  if (ic.snapT >= 0 && t === ic.snapT + IC_HORIZON_BARS + 1 && spyA >= 0) {
    const o1 = ic.openRing[(ic.snapT + 1) % RING]!;
    const o6 = ic.openRing[t % RING]!;
    const sample = crossSection(ic.alphaSnap, o1, o6, ic.memberRing, (ic.snapT + 1) % RING, nA, spyA);
    if (sample) ic.samples.push(sample);
    ic.snapT = -1;
  }
  if (ic.snapT < 0 && b === 2 && s % 3 === 0) {
    ic.snapT = t;
    ic.alphaSnap.set(sim.alpha);
  }
}

/** Signal vs (o6/o1 − 1) − SPY's, over members present at both opens; undefined below 20 names. */
function crossSection(
  signal: Float64Array,
  o1: Float64Array,
  o6: Float64Array,
  memberRing: Uint8Array,
  slot1: number,
  nA: number,
  spyA: number,
): IcSample | undefined {
  const spy = o6[spyA]! / o1[spyA]! - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let a = 0; a < nA; a++) {
    if (a === spyA || !memberRing[slot1 * nA + a]) continue;
    const r = o6[a]! / o1[a]! - 1 - spy;
    if (!Number.isFinite(r)) continue;
    xs.push(signal[a]!);
    ys.push(r);
  }
  if (xs.length < 20) return undefined;
  return { signal: xs, forward: ys };
}
