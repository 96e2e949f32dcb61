/**
 * Content hashes: `sha256Hex` of bytes or of a string's UTF-8, and `canonicalJson`, the key-sorted JSON that is
 * hashed wherever a value's identity matters (a spec's `specHash`, an idempotent request's `payloadHash`).
 */
import { createHash } from 'node:crypto';

/** Hex sha256 of the bytes, or of the UTF-8 encoding of a string. */
export function sha256Hex(data: Uint8Array | string): string {
  const hash = createHash('sha256');
  if (typeof data === 'string') hash.update(data, 'utf8');
  else hash.update(data);
  return hash.digest('hex');
}

/**
 * JSON with object keys sorted at every level (arrays keep their order): the canonical form that is hashed. Objects
 * are rebuilt without a prototype, so a `__proto__` key (which `JSON.parse` makes an own property) stays data and
 * is hashed like any other key; assigning it on a plain object would set the prototype and drop it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
