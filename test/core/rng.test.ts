import { describe, expect, it } from 'vitest';
import { hashString, Rng } from '../../lib/core/rng.ts';

describe('rng: Rng', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    const c = Rng.fromSeed(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('resumes exactly from a saved JSON state (chunked simulations)', () => {
    const a = Rng.fromSeed(7);
    for (let i = 0; i < 10; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const rest = Array.from({ length: 50 }, () => a.next());
    const b = Rng.fromState(saved);
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(rest);
  });

  it('draws uniforms in [0,1) with the right moments and normals with mean 0, variance 1', () => {
    const r = Rng.fromSeed(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      m += z;
      v += z * z;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.01);
    expect(Math.abs(v / n - 1)).toBeLessThan(0.02);
  });

  it('derives independent named streams', () => {
    expect(Rng.derive(5, 'bars').nextU32()).toBe(Rng.derive(5, 'bars').nextU32());
    expect(Rng.derive(5, 'bars').nextU32()).not.toBe(Rng.derive(5, 'pit').nextU32());
    expect(hashString('abc')).toBe(hashString('abc'));
    expect(hashString('abc')).not.toBe(hashString('abd'));
  });
});
