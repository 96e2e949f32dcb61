import { describe, expect, it } from 'vitest';
import { isUlid, MAX_ULID_TIME_MS, ulid, ulidTimeMs } from '../../lib/core/ulid.ts';

describe('core/ulid: ulid', () => {
  it('encodes the spec example time and all-zero / all-one randomness', () => {
    // The ULID spec's example time 1469918176385 encodes as 01ARYZ6S41.
    expect(ulid(1469918176385, new Uint8Array(10))).toBe('01ARYZ6S410000000000000000');
    expect(ulid(MAX_ULID_TIME_MS, new Uint8Array(10).fill(255))).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(ulid(0, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))).toBe('00000000000000000000000001');
  });

  it('round-trips the time, matches the pattern and sorts by time', () => {
    const r = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const a = ulid(1_700_000_000_000, r);
    const b = ulid(1_700_000_000_001, new Uint8Array(10));
    expect(isUlid(a)).toBe(true);
    expect(ulidTimeMs(a)).toBe(1_700_000_000_000);
    expect(a < b).toBe(true);
  });

  it('rejects bad time and randomness', () => {
    expect(() => ulid(-1, new Uint8Array(10))).toThrow(/time/);
    expect(() => ulid(1.5, new Uint8Array(10))).toThrow(/time/);
    expect(() => ulid(MAX_ULID_TIME_MS + 1, new Uint8Array(10))).toThrow(/time/);
    expect(() => ulid(0, new Uint8Array(9))).toThrow(/10 bytes/);
  });

  it('isUlid refuses lower case, excluded letters, wrong length and an overflowing first character', () => {
    for (const bad of [
      '01arYZ6S410000000000000000',
      '01ARYZ6S41000000000000000I',
      '01ARYZ6S41',
      '81ARYZ6S410000000000000000',
      '../../etc/passwd',
    ]) {
      expect(isUlid(bad)).toBe(false);
    }
  });
});
