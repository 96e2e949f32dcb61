/**
 * Synthetic feature blocks (one per month) with a planted signal: the 5-bar forward excess return is
 * ic · s + noise, s a standardised function of the observed features (linear part plus a nonlinearity), so the
 * best achievable rank IC is about `ic`. Labels are known 6 bars later on the real calendar, like lib/labels.
 */
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { addDays } from '../../lib/core/ny-time.ts';
import { Rng } from '../../lib/core/rng.ts';
import type { FeatureBlock } from '../../lib/features/build.ts';

export const PLANTED_FEATURES = ['sig_a', 'sig_b', 'sig_c', 'noise_1', 'noise_2', 'noise_3', 'noise_4'];

export interface PlantedOptions {
  readonly months: readonly string[];
  readonly nA: number;
  readonly ic: number;
  readonly seed: number;
  /** Share of feature cells that are NaN. */
  readonly missing?: number;
}

function lastDay(month: string): string {
  return addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1);
}

/** A feature block plus the planted score s (time-major), the oracle the models try to recover. */
export type PlantedBlock = FeatureBlock & { readonly planted: Float64Array };

export function plantedBlocks(opts: PlantedOptions): PlantedBlock[] {
  const { months, nA, ic, seed } = opts;
  const missing = opts.missing ?? 0.03;
  const first = months[0]!;
  const last = months[months.length - 1]!;
  // 10 extra days so the last month's labels are known inside the grid
  const grid = buildBarGrid(`${first}-01`, addDays(lastDay(last), 10));
  const rng = Rng.derive(seed, 'planted');
  const p = PLANTED_FEATURES.length;
  const symbols = Array.from({ length: nA }, (_, a) => `S${String(a).padStart(3, '0')}`);
  const out: PlantedBlock[] = [];
  let t0 = 0;
  for (const m of months) {
    const g = buildBarGrid(`${m}-01`, lastDay(m));
    const nOut = g.nT;
    const values = Array.from({ length: p }, () => new Float32Array(nOut * nA));
    const fwdExcess = new Float64Array(nOut * nA);
    const downside = new Float64Array(nOut * nA);
    const knownMs = new Float64Array(nOut);
    const live = new Uint8Array(nOut * nA).fill(1);
    const member = new Uint8Array(nOut * nA).fill(1);
    const planted = new Float64Array(nOut * nA);
    for (let t = 0; t < nOut; t++) {
      knownMs[t] = grid.closeMs[t0 + t + 6]!;
      for (let a = 0; a < nA; a++) {
        const i = t * nA + a;
        const f = new Array<number>(p);
        for (let j = 0; j < p; j++) f[j] = rng.normal();
        // the planted score: linear in a and b, a bump in c (only trees and the network see that part)
        const s = (0.8 * f[0]! + 0.4 * f[1]! + 0.6 * (Math.abs(f[2]!) - 0.8)) / 1.08;
        const y = 0.01 * (ic * s + Math.sqrt(1 - ic * ic) * rng.normal());
        for (let j = 0; j < p; j++) values[j]![i] = rng.next() < missing ? Number.NaN : f[j]!;
        fwdExcess[i] = y;
        planted[i] = s;
        downside[i] = y < -0.015 ? 1 : 0;
        if (rng.next() < 0.01) live[i] = 0;
      }
    }
    out.push({
      nOut,
      nA,
      fromBar: 0,
      names: PLANTED_FEATURES,
      values,
      live,
      symbols,
      closeMs: g.closeMs.slice(),
      member,
      planted,
      labels: { spec: { horizonBars: 5, downsideK: 1.5, volWindowBars: 35 }, fwdExcess, downside, knownMs },
    });
    t0 += nOut;
  }
  return out;
}
