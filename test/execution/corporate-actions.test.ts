import { describe, expect, it } from 'vitest';
import { DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { applySplit, closeDelisted } from '../../lib/execution/index.ts';

const f64 = (xs: readonly number[]): Float64Array => Float64Array.from(xs);

describe('corporate actions: applySplit', () => {
  it('a 2-for-1 split doubles the shares and keeps the value', () => {
    const pos = f64([101, 7]);
    const pending = f64([10, 0]);
    expect(applySplit(pos, 0, 2, 75, pending)).toBe(0);
    expect(Array.from(pos)).toEqual([202, 7]);
    expect(Array.from(pending)).toEqual([20, 0]);
    expect(202 * 75).toBe(101 * 150);
  });

  it('a 3-for-2 split pays the fractional share in cash at the post-split price', () => {
    const pos = f64([101]);
    const cashInLieu = applySplit(pos, 0, 1.5, 100);
    expect(pos[0]).toBe(151);
    expect(cashInLieu).toBe(50);
    expect(pos[0]! * 100 + cashInLieu).toBe(101 * 150);
  });

  it('a 1-for-10 reverse split floors the shares and keeps the value', () => {
    const pos = f64([105]);
    const cashInLieu = applySplit(pos, 0, 0.1, 200);
    expect(pos[0]).toBe(10);
    expect(cashInLieu).toBeCloseTo(100, 9);
    expect(pos[0]! * 200 + cashInLieu).toBeCloseTo(105 * 20, 9);
  });

  it('snaps binary rounding of ratios to whole shares', () => {
    const pos = f64([300]);
    expect(applySplit(pos, 0, 1 / 3, Number.NaN)).toBe(0);
    expect(pos[0]).toBe(100);
  });

  it('refuses a bad ratio, an unknown asset, and a fraction without a price', () => {
    expect(() => applySplit(f64([1]), 0, 0, 1)).toThrow(DataIntegrityError);
    expect(() => applySplit(f64([1]), 0, Number.NaN, 1)).toThrow(DataIntegrityError);
    expect(() => applySplit(f64([1]), 3, 2, 1)).toThrow(InvalidInputError);
    expect(() => applySplit(f64([1]), 0, 1.5, Number.NaN)).toThrow(/post-split price/);
  });
});

describe('corporate actions: closeDelisted', () => {
  it('closes the holding at its last price, without costs, and drops pending orders', () => {
    const pos = f64([300, 5]);
    const pending = f64([-100, 3]);
    const proceeds = closeDelisted(pos, 0, 12.5, pending);
    expect(proceeds).toBe(3750);
    expect(Array.from(pos)).toEqual([0, 5]);
    expect(Array.from(pending)).toEqual([0, 3]);
  });

  it('a name not held needs no price; a held one with a bad price is corrupt data', () => {
    expect(closeDelisted(f64([0]), 0, Number.NaN)).toBe(0);
    expect(() => closeDelisted(f64([10]), 0, Number.NaN)).toThrow(DataIntegrityError);
    expect(() => closeDelisted(f64([10]), 0, 0)).toThrow(DataIntegrityError);
    expect(() => closeDelisted(f64([10]), 2, 1)).toThrow(InvalidInputError);
  });
});
