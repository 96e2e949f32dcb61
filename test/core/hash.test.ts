import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../lib/core/hash.ts';

describe('core/hash: sha256Hex', () => {
  it('gives the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a string as its UTF-8 bytes', () => {
    const text = 'tenant-ä:€key';
    expect(sha256Hex(text)).toBe(sha256Hex(new TextEncoder().encode(text)));
  });

  it('hashes the empty input', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe('core/hash: canonicalJson', () => {
  it('sorts keys at every level, keeps array order and drops undefined values', () => {
    const value = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: null };
    expect(canonicalJson(value)).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":null}');
  });

  it('is independent of key insertion order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
  });
});
