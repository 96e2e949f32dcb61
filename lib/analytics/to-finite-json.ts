/**
 * The guard between numbers and `metrics.json`: JSON has no NaN or Infinity (JSON.stringify would silently write
 * `null` with no reason), so every non-finite number becomes `null` and its path gets a reason.
 */
import { AppError } from '../core/index.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Why a value at a dotted path (`hourly.sharpeRatio`, `monthlyReturns[0].months[3]`) is null. */
export type NullReasons = Record<string, string>;

function describe(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Infinity' : '-Infinity';
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * A deep copy of `value` that JSON can hold exactly: non-finite numbers → null (recording
 * `nullReasons[path] ??= 'non-finite value (NaN)'`), typed arrays → arrays, `undefined` object members dropped,
 * `undefined` array items → null. Explicit `null`s are kept; a null without a recorded reason gets
 * `'no value'`, so every null in the output has a reason. Throws `AppError('INTERNAL')` on values JSON cannot
 * represent faithfully (functions, bigint, symbols, Dates, Maps, class instances).
 */
export function toFiniteJson(value: unknown, nullReasons: NullReasons = {}, path = ''): JsonValue {
  if (value === null || value === undefined) {
    nullReasons[path] ??= 'no value';
    return null;
  }
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value;
      nullReasons[path] ??= `non-finite value (${describe(value)})`;
      return null;
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw new AppError(
        'INTERNAL',
        `toFiniteJson cannot represent a ${typeof value} at ${path || '(root)'}`,
        {
          path,
        },
      );
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    const out: JsonValue[] = [];
    for (let i = 0; i < arr.length; i++) out.push(toFiniteJson(arr[i], nullReasons, `${path}[${i}]`));
    return out;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => toFiniteJson(item, nullReasons, `${path}[${i}]`));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new AppError(
      'INTERNAL',
      `toFiniteJson accepts plain objects only, received ${proto?.constructor?.name ?? 'an object'} at ${path || '(root)'}`,
      { path },
    );
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[key] = toFiniteJson(item, nullReasons, join(path, key));
  }
  return out;
}

/** Paths of every non-finite number (or non-JSON value) inside `value`; empty when JSON can hold it exactly. */
export function findNonFinite(value: unknown, path = '', found: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) found.push(path);
  } else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      findNonFinite(item, `${path}[${i}]`, found);
    });
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    for (let i = 0; i < arr.length; i++) findNonFinite(arr[i], `${path}[${i}]`, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) findNonFinite(item, join(path, key), found);
  }
  return found;
}
