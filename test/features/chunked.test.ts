import { describe, expect, it } from 'vitest';
import { buildFeatures, buildFeaturesForMonth, warmupStartDate } from '../../lib/features/build.ts';
import { decodeFeatureFile, encodeFeatureFile } from '../../lib/features/feature-file.ts';
import { FEATURE_NAMES, FEATURES, warmupBarsFor } from '../../lib/features/registry.ts';
import { smallDataset } from './fixture.ts';

const SPEC = { decisionLagMs: 60_000 };

describe('features/build: chunked = full', () => {
  it('each month built alone equals the same month of the full-history build, bit for bit', async () => {
    const reader = await smallDataset('2023-01-01', '2024-03-31', 40);
    const full = await buildFeatures(reader, '2023-01-01', '2024-03-31', SPEC);
    expect(full.names.length).toBe(FEATURES.length);
    // months with a warm-up inside the data (>= 490 bars ≈ 3.5 months in) and months whose warm-up starts before it
    let offset = 0;
    const months = [
      '2023-01',
      '2023-02',
      '2023-03',
      '2023-04',
      '2023-05',
      '2023-06',
      '2023-07',
      '2023-08',
      '2023-09',
      '2023-10',
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
      '2024-03',
    ];
    const check = new Set(['2023-02', '2023-11', '2024-02', '2024-03']);
    const nA = full.nA;
    for (const m of months) {
      const chunk = check.has(m) ? await buildFeaturesForMonth(reader, m, SPEC) : undefined;
      const nOut = chunk?.nOut ?? countBars(full.closeMs, m);
      if (chunk) {
        expect(chunk.closeMs[0]).toBe(full.closeMs[offset]);
        for (let k = 0; k < full.names.length; k++) {
          const a = chunk.values[k]!;
          const b = full.values[k]!.subarray(offset * nA, (offset + nOut) * nA);
          const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
          const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
          let diff = -1;
          for (let i = 0; i < ua.length; i++)
            if (ua[i] !== ub[i]) {
              diff = i;
              break;
            }
          expect(diff, `${m} ${full.names[k]}`).toBe(-1);
        }
        const la = chunk.labels!;
        const lb = full.labels!;
        expect(
          Buffer.from(la.fwdExcess.buffer).equals(
            Buffer.from(lb.fwdExcess.slice(offset * nA, (offset + nOut) * nA).buffer),
          ),
        ).toBe(true);
        expect(
          Buffer.from(la.downside.buffer).equals(
            Buffer.from(lb.downside.slice(offset * nA, (offset + nOut) * nA).buffer),
          ),
        ).toBe(true);
        expect(
          Buffer.from(la.knownMs.buffer).equals(Buffer.from(lb.knownMs.slice(offset, offset + nOut).buffer)),
        ).toBe(true);
      }
      offset += nOut;
    }
    expect(offset).toBe(full.nOut);
    // the later months really had their warm-up inside the data
    expect(warmupBarsFor(FEATURE_NAMES)).toBeGreaterThanOrEqual(490);
    expect(warmupStartDate('2023-11-01', warmupBarsFor(FEATURE_NAMES)) > '2023-01-01').toBe(true);
  });

  it('writes REQUIRED float columns and a mask, decodable back to the same values', async () => {
    const reader = await smallDataset('2023-01-01', '2024-03-31', 40);
    const block = await buildFeaturesForMonth(reader, '2024-03', SPEC);
    const bytes = encodeFeatureFile(block);
    expect(Buffer.from(encodeFeatureFile(block)).equals(Buffer.from(bytes))).toBe(true);
    const { n, columns } = await decodeFeatureFile(bytes);
    let live = 0;
    for (const v of block.live) live += v;
    expect(n).toBe(live);
    const k = block.names.indexOf('vol_35');
    const col = columns.vol_35 as Float32Array;
    const mask = columns[`mask_${k >> 5}`] as Int32Array;
    let j = 0;
    for (let i = 0; i < block.live.length; i++) {
      if (!block.live[i]) continue;
      const v = block.values[k]![i]!;
      expect(Object.is(col[j], v) || (Number.isNaN(col[j]!) && Number.isNaN(v))).toBe(true);
      expect(((mask[j]! >>> (k & 31)) & 1) === 1).toBe(!Number.isNaN(v));
      j++;
    }
    expect(columns.fwd_excess_5h).toBeInstanceOf(Float64Array);
  });
});

function countBars(closeMs: Float64Array, month: string): number {
  let c = 0;
  for (const ms of closeMs) if (new Date(ms).toISOString().slice(0, 7) === month) c++;
  return c;
}
