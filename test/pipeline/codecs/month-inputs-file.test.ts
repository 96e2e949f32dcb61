import { describe, expect, it } from 'vitest';
import { DataIntegrityError } from '../../../lib/core/errors.ts';
import { Rng } from '../../../lib/core/rng.ts';
import { decodeMonthInputs, encodeMonthInputs } from '../../../lib/pipeline/codecs/month-inputs-file.ts';
import type { MonthInputs } from '../../../lib/portfolio/month-inputs.ts';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'SPY'];

/** Month inputs with awkward values: NaN (two payloads), −0, ±Infinity, subnormals, rows that repeat. */
function sample(nHours = 9): MonthInputs {
  const nA = SYMBOLS.length;
  const k = 4;
  const nSectors = 3;
  const rng = Rng.fromSeed(3);
  const fill = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
  const alpha = fill(nHours * nA);
  alpha[0] = Number.NaN;
  alpha[1] = -0;
  alpha[2] = Number.POSITIVE_INFINITY;
  alpha[3] = 5e-324;
  new DataView(alpha.buffer).setUint32(4 * 8 + 4, 0x7ff80001, true); // a NaN with another payload
  const perSession = (row: number) => Math.floor(row / 4);
  const advDollars = new Float64Array(nHours * nA);
  const dailyVol = new Float64Array(nHours * nA);
  for (let h = 0; h < nHours; h++) {
    for (let a = 0; a < nA; a++) {
      advDollars[h * nA + a] = 1e6 * (1 + a + perSession(h));
      dailyVol[h * nA + a] = a === 4 ? Number.NaN : 0.01 * (1 + a) + perSession(h) * 1e-3;
    }
  }
  const sectorBench = new Float64Array(nHours * nSectors);
  for (let h = 0; h < nHours; h++) sectorBench.set([0.5, 0.3, 0.2], h * nSectors);
  return {
    firstBar: 1234,
    nHours,
    nA,
    closeMs: Float64Array.from({ length: nHours }, (_, h) => 1_688_400_000_000 + h * 3_600_000),
    horizonBars: 5,
    barsPerYear: 1764.25,
    risk: { nA, k, loadings: fill(nA * k), factorCov: fill(k * k), specificVar: fill(nA) },
    sector: Int16Array.from([0, 2, -1, 1, -1]),
    nSectors,
    alpha,
    eligible: Uint8Array.from({ length: nHours * nA }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    advDollars,
    dailyVol,
    sectorBench,
  };
}

const bytes = (x: ArrayBufferView): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

function expectBitEqual(got: MonthInputs, want: MonthInputs): void {
  for (const key of ['firstBar', 'nHours', 'nA', 'horizonBars', 'barsPerYear', 'nSectors'] as const) {
    expect(Object.is(got[key], want[key])).toBe(true);
  }
  expect(got.risk.nA).toBe(want.risk.nA);
  expect(got.risk.k).toBe(want.risk.k);
  const arrays = (x: MonthInputs) => ({
    closeMs: x.closeMs,
    loadings: x.risk.loadings,
    factorCov: x.risk.factorCov,
    specificVar: x.risk.specificVar,
    sector: x.sector,
    alpha: x.alpha,
    eligible: x.eligible,
    advDollars: x.advDollars,
    dailyVol: x.dailyVol,
    sectorBench: x.sectorBench,
  });
  const w = arrays(want);
  for (const [name, a] of Object.entries(arrays(got))) {
    const b = w[name as keyof typeof w];
    expect(a.constructor, name).toBe(b.constructor);
    expect(bytes(a).equals(bytes(b)), name).toBe(true);
  }
}

describe('month-inputs file', () => {
  it('round-trips bit for bit (NaN payloads, −0, infinities, subnormals)', () => {
    const inputs = sample();
    const file = encodeMonthInputs(inputs, SYMBOLS);
    const { inputs: back, symbols } = decodeMonthInputs(file, 'm.bin');
    expect(symbols).toEqual(SYMBOLS);
    expectBitEqual(back, inputs);
    // the same inputs encode to the same bytes
    expect(bytes(encodeMonthInputs(back, SYMBOLS)).equals(bytes(file))).toBe(true);
  });

  it('reads a file that does not start on an 8-byte boundary of its buffer', () => {
    const inputs = sample();
    const file = encodeMonthInputs(inputs, SYMBOLS);
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    expectBitEqual(decodeMonthInputs(shifted.subarray(3), 'm.bin').inputs, inputs);
  });

  it('stores a row that repeats the previous one once', () => {
    const inputs = sample(40);
    const file = encodeMonthInputs(inputs, SYMBOLS);
    const naive = (40 * 5 * (8 + 1 + 8 + 8) + 40 * 3 * 8) * 1;
    expect(file.length).toBeLessThan(naive);
    expectBitEqual(decodeMonthInputs(file, 'm.bin').inputs, inputs);
  });

  it('round-trips a single hour', () => {
    const inputs = sample(1);
    expectBitEqual(decodeMonthInputs(encodeMonthInputs(inputs, SYMBOLS), 'm.bin').inputs, inputs);
  });

  it('fails with DataIntegrityError on a foreign, truncated or inconsistent file', () => {
    const file = encodeMonthInputs(sample(), SYMBOLS);
    expect(() => decodeMonthInputs(new TextEncoder().encode('PAR1....'), 'x')).toThrow(DataIntegrityError);
    expect(() => decodeMonthInputs(file.subarray(0, file.length - 9), 'x')).toThrow(/truncated/);
    expect(() => decodeMonthInputs(file.subarray(0, 20), 'x')).toThrow(DataIntegrityError);
    const bad = file.slice();
    const header = new TextDecoder().decode(
      bad.subarray(12, 12 + new DataView(bad.buffer).getUint32(8, true)),
    );
    const edited = new TextEncoder().encode(header.replace('"nA":5', '"nA":6'));
    expect(edited.length).toBe(header.length);
    bad.set(edited, 12);
    expect(() => decodeMonthInputs(bad, 'x')).toThrow(DataIntegrityError);
  });

  it('refuses to encode inputs whose names are not the symbols', () => {
    expect(() => encodeMonthInputs(sample(), SYMBOLS.slice(1))).toThrow(/symbols/);
  });
});
