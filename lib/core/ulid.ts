/**
 * ULIDs (https://github.com/ulid/spec): 48 bits of epoch ms then 80 random bits, as 26 Crockford base32
 * characters. They sort by creation time as strings, fit Step Functions execution names and `RUN_ID_PATTERN`,
 * and are what the API accepts as run ids. Time and randomness come in as arguments (no ambient clock or RNG).
 */
import { InvalidInputError } from './errors.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_RANDOM_BYTES = 10;
export const MAX_ULID_TIME_MS = 2 ** 48 - 1;

/** Exactly 26 Crockford base32 characters (upper case, no I, L, O, U), first one 0-7 (48-bit time). */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const isUlid = (value: unknown): value is string =>
  typeof value === 'string' && ULID_PATTERN.test(value);

/** The ULID of `timeMs` (an integer in [0, 2^48)) and 10 random bytes. */
export const ulid = (timeMs: number, random: Uint8Array): string => {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_ULID_TIME_MS) {
    throw new InvalidInputError(`ULID time must be an integer epoch ms in [0, 2^48), received ${timeMs}`, {
      field: 'timeMs',
    });
  }
  if (!(random instanceof Uint8Array) || random.length !== ULID_RANDOM_BYTES) {
    throw new InvalidInputError(
      `ULID randomness must be ${ULID_RANDOM_BYTES} bytes, received ${random instanceof Uint8Array ? random.length : typeof random}`,
      { field: 'random' },
    );
  }
  let out = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  // 80 bits → 16 characters of 5 bits, most significant first.
  let acc = 0;
  let bits = 0;
  for (const byte of random) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
};

/** The epoch ms encoded in a ULID. */
export const ulidTimeMs = (id: string): number => {
  if (!isUlid(id))
    throw new InvalidInputError(`expected a ULID, received ${JSON.stringify(id)}`, { field: 'id' });
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]!);
  return t;
};
