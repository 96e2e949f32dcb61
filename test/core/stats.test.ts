import { describe, expect, it } from 'vitest';
import { averageRanks, ordinalRanks, pearson } from '../../lib/core/stats.ts';

describe('core/stats: pearson', () => {
  it('is 1 for an affine image, −1 reversed, and matches a hand-computed value', () => {
    const x = Float64Array.of(1, 2, 4, 6);
    expect(
      pearson(
        x,
        x.map((v) => 3 * v - 2),
        4,
      ),
    ).toBeCloseTo(1, 15);
    expect(
      pearson(
        x,
        x.map((v) => -v),
        4,
      ),
    ).toBeCloseTo(-1, 15);
    // x̄ = 3.25, ȳ = 3.5; sxy = 13.5, sxx = 14.75, syy = 13
    expect(pearson([1, 2, 4, 6], [1, 3, 4, 6])).toBeCloseTo(13.5 / Math.sqrt(14.75 * 13), 15);
  });

  it('uses only the first n pairs and gives NaN for n < 2 or a constant side', () => {
    expect(pearson(Float64Array.of(1, 2, 3, 99), Float64Array.of(2, 4, 6, -5), 3)).toBeCloseTo(1, 15);
    expect(pearson([1], [2])).toBeNaN();
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('core/stats: averageRanks', () => {
  it('gives ties the mean of their positions', () => {
    const out = new Float64Array(5);
    averageRanks(Float64Array.of(3, 1, 3, 2, 3), 5, new Int32Array(5), out);
    expect(Array.from(out)).toEqual([3, 0, 3, 1, 3]);
  });
});

describe('core/stats: ordinalRanks', () => {
  it('ranks ties by position', () => {
    expect(ordinalRanks([3, 1, 3, 2, 3])).toEqual([2, 0, 3, 1, 4]);
  });
});
