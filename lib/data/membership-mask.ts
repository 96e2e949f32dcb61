/**
 * Point-in-time index membership on a bar grid, from the dataset's membership spells (`readMembership`): the one
 * construction of the mask the engine, the optimizer and the dataset summary use.
 */

/** The dataset's membership spells: asset index (-1 for a symbol the dataset lacks), member on [startMs, endMs). */
export interface MembershipSpells {
  readonly symbol: Int32Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
}

/**
 * The time-major mask (`mask[t * nA + a]`, 1 = member) at the instants `timesMs` (ascending, e.g. a grid's bar
 * closes): asset a is a member at time ms when one of its spells has `startMs <= ms < endMs`.
 */
export function membershipMask(spells: MembershipSpells, timesMs: ArrayLike<number>, nA: number): Uint8Array {
  const nT = timesMs.length;
  const mask = new Uint8Array(nT * nA);
  for (let i = 0; i < spells.symbol.length; i++) {
    const a = spells.symbol[i]!;
    if (a < 0) continue;
    const t1 = lowerBound(timesMs, spells.endMs[i]!);
    for (let t = lowerBound(timesMs, spells.startMs[i]!); t < t1; t++) mask[t * nA + a] = 1;
  }
  return mask;
}

/** The first index whose time is >= `ms`. */
function lowerBound(timesMs: ArrayLike<number>, ms: number): number {
  let lo = 0;
  let hi = timesMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timesMs[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
