/**
 * The JSON request body, parsed into `event.jsonBody`: `content-type` must be JSON (415), at most `maxBytes`
 * bytes after base64 decoding (413), valid UTF-8 JSON (400 `MALFORMED_JSON`), every number finite and storable
 * (0 or a magnitude in [1e-130, 9.99e125], DynamoDB's range: `lib/core/storable-number.ts`) and nesting at most
 * 32 deep (400 `INVALID_INPUT` naming the field). A missing or empty body is `MALFORMED_JSON`.
 */
import type { MiddlewareObj } from '@middy/core';
import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../lib/api/index.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import {
  isStorableNumber,
  MAX_STORABLE_MAGNITUDE,
  MIN_STORABLE_MAGNITUDE,
} from '../../../lib/core/storable-number.ts';
import { type HeadersEvent, headerOf } from './api-event.ts';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 32;

/** The part of an event the body is read from. */
export interface BodyEvent extends HeadersEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** What `jsonBody()` adds to the event. */
export interface JsonBodyEvent {
  jsonBody: unknown;
}

/** Why a parsed JSON value is refused: a non-finite number, a number no store can keep, or too deep a nesting. */
export type BadJsonValue = 'non-finite' | 'out of range' | 'too deep';

/**
 * Path of the first refused value in a parsed JSON value: a non-finite number (JSON.parse turns 1e309 into
 * Infinity), a number outside the storable range (5e-324, 1e300), or nesting deeper than 32.
 */
export const findBadNumberOrTooDeep = (value: unknown): { path: string; why: BadJsonValue } | undefined => {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, path, depth } = top;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path: path || '(root)', why: 'non-finite' };
      if (!isStorableNumber(v)) return { path: path || '(root)', why: 'out of range' };
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return { path: path || '(root)', why: 'too deep' };
      for (const [k, child] of Object.entries(v)) {
        stack.push({ v: child, path: path === '' ? k : `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
};

const BAD_VALUE_MESSAGES: Readonly<Record<BadJsonValue, string>> = {
  'non-finite': 'numbers must be finite (a literal such as 1e309 overflows to Infinity)',
  'out of range': `numbers must be 0 or of magnitude ${MIN_STORABLE_MAGNITUDE} to ${MAX_STORABLE_MAGNITUDE} (what a store can keep)`,
  'too deep': `nesting deeper than ${MAX_JSON_DEPTH} levels`,
};

/** The body's bytes (415 and 413 checked). */
const bodyBytes = (event: BodyEvent, maxBytes: number): Buffer => {
  const type = headerOf(event, 'content-type');
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError();
  const raw = event.body ?? '';
  // Cheap bound before decoding: base64 is 4/3 of the bytes, UTF-16 length <= UTF-8 bytes.
  if (raw.length > Math.ceil((maxBytes * 4) / 3) + 4) throw new PayloadTooLargeError(maxBytes);
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return bytes;
};

/** The parsed body (400 `MALFORMED_JSON`, or `INVALID_INPUT` naming a non-finite or too deep field). */
export const parseJsonBody = (event: BodyEvent, maxBytes: number = DEFAULT_MAX_BODY_BYTES): unknown => {
  const bytes = bodyBytes(event, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new MalformedJsonError();
  }
  const bad = findBadNumberOrTooDeep(value);
  if (bad !== undefined)
    throw new InvalidInputError(`${bad.path}: ${BAD_VALUE_MESSAGES[bad.why]}`, { field: bad.path });
  return value;
};

export const jsonBody = (
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): MiddlewareObj<BodyEvent & JsonBodyEvent> => ({
  name: 'jsonBody',
  before: (request) => {
    request.event.jsonBody = parseJsonBody(request.event, maxBytes);
  },
});
