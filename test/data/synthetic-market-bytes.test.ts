/**
 * Byte-identity guard for the synthetic market: a small dataset (30 names, three months, a fixed seed) whose
 * manifest.json (it holds the sha256 of every object: bars, series, membership, sectors, generator report) is
 * pinned. Recorded before the generator was split into stages (issue #12); a change to the generator's output
 * updates this hash in the same commit and says why.
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
const MANIFEST_SHA256 = '7ed1b80b8c9598dd976b5325653a022c3c10c0f8db52766d76e075e7cd2c5eaf';

describe('synthetic market: byte-identical output', () => {
  it('writes the pinned manifest.json for a fixed config (every object hashed inside it)', async () => {
    const store = new MemoryObjectStore();
    const result = await generateSyntheticMarket(CONFIG, sp500Source(), store);
    // the pinned run exercises every stage: splits, a delisting, earnings, the IC measurement
    expect(result.report.splits).toBeGreaterThan(0);
    expect(result.report.delistings).toBe(1);
    expect(result.report.icSamples).toBeGreaterThan(0);
    expect(result.seriesRows.fundamentals).toBeGreaterThan(0);
    expect(sha256Hex(await store.get('manifest.json'))).toBe(MANIFEST_SHA256);
  });
});
