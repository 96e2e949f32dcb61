import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { DataIntegrityError, InvalidInputError, NonDeterminismError } from '../../lib/core/errors.ts';
import {
  assertValidKey,
  compareKeys,
  encodeJson,
  getJson,
  putJson,
  putJsonOnce,
  resolveWriteOnceConflict,
} from '../../lib/data/object-store.ts';

describe('object-store: assertValidKey', () => {
  it.each([
    ['datasets/x/bars/month=2024-01/part-0.parquet'],
    ['a'],
    ['..hidden/x'],
    ['a/b..c'],
    ['with space/é/😀'],
  ])('accepts %j', (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it('accepts exactly 1024 UTF-8 bytes and rejects 1025', () => {
    expect(() => assertValidKey(`k/${'a'.repeat(1022)}`)).not.toThrow();
    expect(() => assertValidKey(`k/${'a'.repeat(1023)}`)).toThrow(InvalidInputError);
  });

  it('names the key and the rule it broke', () => {
    expect(() => assertValidKey('a/../b')).toThrow(InvalidInputError);
    expect(() => assertValidKey('a/../b')).toThrow('object key "a/../b" is invalid: contains a ".." segment');
  });
});

describe('object-store: compareKeys', () => {
  it('orders by code point, putting characters above U+FFFF after U+FFFD', () => {
    const keys = ['\u{1F600}', '\uFFFD', 'b', 'a/b', 'a', 'B', 'a=1'];
    expect([...keys].sort(compareKeys)).toEqual(['B', 'a', 'a/b', 'a=1', 'b', '\uFFFD', '\u{1F600}']);
    // The default sort (UTF-16 code units) would put the emoji first: the comparator matters.
    expect([...keys].sort()[5]).toBe('\u{1F600}');
  });

  it('orders like Buffer.compare on the UTF-8 bytes', () => {
    const keys = ['z', 'é', '\u{10000}', '\uE000', 'ア', '', 'a\u0080'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
  });
});

describe('object-store: resolveWriteOnceConflict', () => {
  it('answers created: false for equal bytes and throws for different ones', () => {
    expect(resolveWriteOnceConflict('k', new Uint8Array([1]), new Uint8Array([1]))).toEqual({
      created: false,
    });
    expect(() => resolveWriteOnceConflict('k', new Uint8Array([1]), new Uint8Array([1, 0]))).toThrow(
      NonDeterminismError,
    );
  });
});

describe('object-store: JSON helpers', () => {
  it('putJsonOnce then getJson round-trips, with the JSON content type', async () => {
    const store = new MemoryObjectStore();
    const value = { runId: 'r1', months: ['2024-01', '2024-02'], nav: 1.5, none: null };

    expect(await putJsonOnce(store, 'runs/r1/plan.json', value)).toEqual({ created: true });
    expect(await putJsonOnce(store, 'runs/r1/plan.json', structuredClone(value))).toEqual({ created: false });
    await expect(putJsonOnce(store, 'runs/r1/plan.json', { ...value, nav: 2 })).rejects.toBeInstanceOf(
      NonDeterminismError,
    );

    expect(await getJson(store, 'runs/r1/plan.json')).toEqual(value);
    expect(store.contentTypeOf('runs/r1/plan.json')).toBe('application/json');
    expect(new TextDecoder().decode(await store.get('runs/r1/plan.json'))).toBe(JSON.stringify(value));
  });

  it('putJson overwrites (a mutable pointer)', async () => {
    const store = new MemoryObjectStore();
    await putJson(store, 'datasets/current.json', { id: 'a' });
    await putJson(store, 'datasets/current.json', { id: 'b' });
    expect(await getJson(store, 'datasets/current.json')).toEqual({ id: 'b' });
  });

  it('getJson applies the parse function', async () => {
    const store = new MemoryObjectStore();
    await putJson(store, 'n.json', { n: 3 });
    const parse = (v: unknown): number => {
      const n = (v as { n?: unknown }).n;
      if (typeof n !== 'number') throw new InvalidInputError('expected n');
      return n;
    };
    expect(await getJson(store, 'n.json', parse)).toBe(3);
    await putJson(store, 'bad.json', { n: 'x' });
    await expect(getJson(store, 'bad.json', parse)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('getJson on bytes that are not UTF-8 JSON throws DataIntegrityError naming the key', async () => {
    const store = new MemoryObjectStore();
    await store.put('broken.json', new TextEncoder().encode('{"a":'));
    await store.put('latin1.json', new Uint8Array([0x22, 0xe9, 0x22]));

    const error = await getJson(store, 'broken.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as DataIntegrityError).message).toContain('broken.json');
    await expect(getJson(store, 'latin1.json')).rejects.toBeInstanceOf(DataIntegrityError);
  });

  it('encodeJson refuses values JSON cannot represent', () => {
    expect(() => encodeJson(undefined)).toThrow(InvalidInputError);
    expect(() => encodeJson(() => 1)).toThrow(InvalidInputError);
  });
});
