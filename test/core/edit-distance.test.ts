import { describe, expect, it } from 'vitest';
import { editDistance, nearestNames } from '../../lib/core/edit-distance.ts';

describe('core: editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('', 'ab')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ret_01', 'ret_1')).toBe(1);
    expect(editDistance('strat', 'start')).toBe(2);
  });

  it('is symmetric', () => {
    expect(editDistance('flaw', 'lawn')).toBe(editDistance('lawn', 'flaw'));
  });
});

describe('core: nearestNames', () => {
  it('returns the k nearest, ties in the candidates order', () => {
    expect(nearestNames('strat', ['spec', 'start', 'end', 'out'], 2)).toEqual(['start', 'spec']);
    expect(nearestNames('x', [], 3)).toEqual([]);
    expect(nearestNames('ab', ['ac', 'ad', 'zz'], 5)).toEqual(['ac', 'ad', 'zz']);
  });
});
