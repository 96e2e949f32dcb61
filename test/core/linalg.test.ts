import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace } from '../../lib/core/linalg.ts';

describe('core/linalg: choleskyInPlace', () => {
  it('factors an SPD matrix into its lower triangle', () => {
    // A = L Lᵀ with L = [[2, 0, 0], [1, 3, 0], [-1, 2, 1]]
    const a = Float64Array.of(4, 2, -2, 2, 10, 5, -2, 5, 6);
    expect(choleskyInPlace(a, 3)).toBe(true);
    expect([a[0], a[3], a[4], a[6], a[7], a[8]]).toEqual([2, 1, 3, -1, 2, 1]);
  });

  it('reports a matrix that is not positive definite', () => {
    expect(choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.of(0, 0, 0, 1), 2)).toBe(false);
  });
});

describe('core/linalg: choleskySolveInPlace', () => {
  it('solves A x = b with the factor', () => {
    const a = Float64Array.of(4, 2, -2, 2, 10, 5, -2, 5, 6);
    choleskyInPlace(a, 3);
    // x = (1, -1, 2): b = A x
    const b = Float64Array.of(4 - 2 - 4, 2 - 10 + 10, -2 - 5 + 12);
    choleskySolveInPlace(a, 3, b);
    expect(b[0]).toBeCloseTo(1, 14);
    expect(b[1]).toBeCloseTo(-1, 14);
    expect(b[2]).toBeCloseTo(2, 14);
  });
});
