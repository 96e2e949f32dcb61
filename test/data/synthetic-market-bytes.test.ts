/**
 * Byte-identity guard for the synthetic market: a small dataset (30 names, three months, a fixed seed) whose
 * manifest.json (it holds the sha256 of every object: bars, series, membership, sectors, generator report) is
 * pinned. Recorded before the generator was split into stages (issue #12); a change to the generator's output
 * updates this hash in the same commit and says why.
 *
 * Changed for issue #13: `corporate_actions` gained a delisting row (AAL, drawn from the new `delistings`
 * sub-stream) and the `action`, `last_price` and `delisting_return` columns, and the manifest `sectorHistory`.
 * Every other object kept its bytes, which `OTHER_OBJECTS_SHA256` (recorded before that change) pins.
 */
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { sp500Source } from '../support/sp500.ts';

// More than 20 names so the realised IC is measured; AAL leaves and PLTR, DELL, ERIE join inside the window.
const SYMBOLS = [
  'AAL',
  'PLTR',
  'DELL',
  'ERIE',
  'AAPL',
  'MSFT',
  'JPM',
  'XOM',
  'JNJ',
  'PG',
  'NVDA',
  'KO',
  'AMZN',
  'GOOGL',
  'META',
  'V',
  'MA',
  'HD',
  'CVX',
  'MRK',
  'PEP',
  'COST',
  'WMT',
  'BAC',
  'ABBV',
  'LLY',
  'AVGO',
  'ORCL',
  'CSCO',
  'SPY',
];
const CONFIG = { start: '2024-08-01', end: '2024-10-31', seed: 11, symbols: SYMBOLS, splitRatePerYear: 3 };
const MANIFEST_SHA256 = 'f17619739bdb10d67e5be8af0ce52ad64e9dc300e0fd5b6908eac937b3e36762';
/** sha256 of the `key sha256` lines of every object but corporate_actions, as before delisting rows existed. */
const OTHER_OBJECTS_SHA256 = '6f333bf350cb0c2338beb7d2b5d541ed6871aa92aad7eb775d627500ee71806a';

describe('synthetic market: byte-identical output', () => {
  it('writes the pinned manifest.json for a fixed config (every object hashed inside it)', async () => {
    const store = new MemoryObjectStore();
    const result = await generateSyntheticMarket(CONFIG, sp500Source(), store);
    // the pinned run exercises every stage: splits, a delisting, earnings, the IC measurement
    expect(result.report.splits).toBeGreaterThan(0);
    expect(result.report.delistings).toBe(1);
    expect(result.report.icSamples).toBeGreaterThan(0);
    expect(result.seriesRows.fundamentals).toBeGreaterThan(0);
    expect(result.seriesRows.corporate_actions).toBe(result.report.splits + 1); // the splits and AAL's delisting
    expect(sha256Hex(await store.get('manifest.json'))).toBe(MANIFEST_SHA256);
    const manifest = JSON.parse(new TextDecoder().decode(await store.get('manifest.json'))) as {
      objects: { key: string; sha256: string }[];
    };
    const others = manifest.objects
      .filter((o) => !o.key.startsWith('corporate_actions/'))
      .map((o) => `${o.key} ${o.sha256}`)
      .join('\n');
    expect(sha256Hex(new TextEncoder().encode(others))).toBe(OTHER_OBJECTS_SHA256);
  });
});
