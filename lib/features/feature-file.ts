/**
 * The feature file of a month (`features/month=YYYY-MM.parquet`): one row per (bar, symbol) where the symbol has a
 * bar, sorted by (ts, symbol). Columns, all REQUIRED:
 *   ts (INT64 epoch ms, the bar close), symbol (string), member (INT32 0/1),
 *   one FLOAT column per feature (NaN where missing),
 *   mask_0, mask_1, … (INT32): bit j of mask_k is 1 when feature 32k + j is present (not NaN),
 *   and with labels: fwd_excess_5h (DOUBLE), downside_event (FLOAT), label_known_ms (INT64 epoch ms).
 */
import { decodeParquet, encodeParquet, type ParquetColumn } from '../data/index.ts';
import type { FeatureBlock } from './build.ts';

export const FEATURE_FILE_VERSION = '1';

export function featureFileColumns(block: FeatureBlock): ParquetColumn[] {
  const { nOut, nA, live } = block;
  let n = 0;
  for (let i = 0; i < nOut * nA; i++) n += live[i]!;
  const cells = new Int32Array(n);
  for (let i = 0, j = 0; i < nOut * nA; i++) if (live[i] === 1) cells[j++] = i;
  const ts = new Float64Array(n);
  const symbol = new Array<string>(n);
  const member = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = cells[j]!;
    ts[j] = block.closeMs[Math.floor(i / nA)]!;
    symbol[j] = block.symbols[i % nA]!;
    member[j] = block.member[i]!;
  }
  const cols: ParquetColumn[] = [
    { name: 'ts', kind: 'epochMs', data: ts },
    { name: 'symbol', kind: 'string', data: symbol },
    { name: 'member', kind: 'i32', data: member },
  ];
  const nMasks = Math.ceil(block.names.length / 32);
  const masks = Array.from({ length: nMasks }, () => new Int32Array(n));
  block.names.forEach((name, k) => {
    const v = block.values[k]!;
    const data = new Float32Array(n);
    const m = masks[k >> 5]!;
    const bit = 1 << (k & 31);
    for (let j = 0; j < n; j++) {
      const x = v[cells[j]!]!;
      data[j] = x;
      if (!Number.isNaN(x)) m[j] = m[j]! | bit;
    }
    cols.push({ name, kind: 'f32', data });
  });
  masks.forEach((m, k) => {
    cols.push({ name: `mask_${k}`, kind: 'i32', data: m });
  });
  if (block.labels) {
    const { fwdExcess, downside, knownMs } = block.labels;
    cols.push({ name: 'fwd_excess_5h', kind: 'f64', data: Float64Array.from(cells, (i) => fwdExcess[i]!) });
    cols.push({ name: 'downside_event', kind: 'f32', data: Float32Array.from(cells, (i) => downside[i]!) });
    cols.push({
      name: 'label_known_ms',
      kind: 'epochMs',
      // INT64 cannot hold NaN: a label not yet known anywhere in the data gets 0
      data: Float64Array.from(cells, (i) => {
        const k = knownMs[Math.floor(i / nA)]!;
        return !Number.isNaN(k) ? k : 0;
      }),
    });
  }
  return cols;
}

/** Encodes a feature block as Parquet bytes (deterministic: same block, same bytes). */
export function encodeFeatureFile(block: FeatureBlock): Uint8Array {
  return encodeParquet(featureFileColumns(block), {
    metadata: { 'hts.featureFileVersion': FEATURE_FILE_VERSION, 'hts.features': block.names.join(',') },
  });
}

/** Decodes a feature file: rows and the named columns. */
export async function decodeFeatureFile(
  bytes: Uint8Array,
): Promise<{ n: number; columns: Readonly<Record<string, unknown>> }> {
  const d = await decodeParquet(bytes, { source: 'features' });
  return { n: d.n, columns: d.columns };
}
