import { describe, expect, it } from 'vitest';
import { lowerBound, lowerBoundBy, lowerBoundString, upperBound } from '../../lib/core/search.ts';

const xs = Float64Array.of(1, 3, 3, 3, 7);

describe('core/search: lowerBound', () => {
  it('finds the first element >= x, or the length', () => {
    expect([0, 1, 2, 3, 4, 7, 8].map((x) => lowerBound(xs, x))).toEqual([0, 0, 1, 1, 4, 4, 5]);
    expect(lowerBound(new Float64Array(0), 1)).toBe(0);
  });

  it('searches only [lo, hi)', () => {
    expect(lowerBound(xs, 0, 2, 4)).toBe(2);
    expect(lowerBound(xs, 7, 2, 4)).toBe(4);
  });
});

describe('core/search: upperBound', () => {
  it('finds the first element > x, or the length', () => {
    expect([0, 1, 2, 3, 4, 7, 8].map((x) => upperBound(xs, x))).toEqual([0, 1, 1, 4, 4, 5, 5]);
  });

  it('searches only [lo, hi)', () => {
    expect(upperBound(xs, 3, 0, 2)).toBe(2);
    expect(upperBound(xs, 0, 3, 5)).toBe(3);
  });
});

describe('core/search: lowerBoundString', () => {
  it('finds the first string >= x in code-unit order', () => {
    const dates = ['2024-01-02', '2024-01-03', '2024-01-05'];
    expect(lowerBoundString(dates, '2024-01-01')).toBe(0);
    expect(lowerBoundString(dates, '2024-01-03')).toBe(1);
    expect(lowerBoundString(dates, '2024-01-04')).toBe(2);
    expect(lowerBoundString(dates, '2024-02-01')).toBe(3);
  });
});

describe('core/search: lowerBoundBy', () => {
  it('finds the first item whose key is >= x', () => {
    const events = [{ bar: 2 }, { bar: 5 }, { bar: 5 }, { bar: 9 }];
    const bar = (e: { bar: number }): number => e.bar;
    expect([0, 2, 3, 5, 6, 10].map((x) => lowerBoundBy(events, bar, x))).toEqual([0, 0, 1, 1, 3, 4]);
  });
});
