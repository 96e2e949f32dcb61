import { describe, expect, it } from 'vitest';
import { membershipMask } from '../../lib/data/membership-mask.ts';

describe('membershipMask', () => {
  const spells = {
    symbol: Int32Array.of(0, 1, -1, 0),
    startMs: Float64Array.of(10, 0, 0, 40),
    endMs: Float64Array.of(30, Number.POSITIVE_INFINITY, 50, 50),
  };

  it('marks asset a at time ms when one of its spells has startMs <= ms < endMs; unknown symbols are skipped', () => {
    const times = [5, 10, 20, 30, 40, 60];
    const mask = membershipMask(spells, times, 2);
    const at = (t: number) => [mask[t * 2], mask[t * 2 + 1]];
    expect(times.map((_, t) => at(t))).toEqual([
      [0, 1],
      [1, 1],
      [1, 1],
      [0, 1],
      [1, 1],
      [0, 1],
    ]);
  });

  it('equals the per-instant definition on any ascending times', () => {
    const times = Array.from({ length: 70 }, (_, i) => i - 5);
    const mask = membershipMask(spells, times, 2);
    times.forEach((ms, t) => {
      for (let a = 0; a < 2; a++) {
        let member = 0;
        for (let i = 0; i < spells.symbol.length; i++) {
          if (spells.symbol[i] === a && spells.startMs[i]! <= ms && ms < spells.endMs[i]!) member = 1;
        }
        expect(mask[t * 2 + a]).toBe(member);
      }
    });
  });
});
