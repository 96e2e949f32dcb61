/**
 * Feature files back into in-memory `FeatureBlock`s (BuildFeatures → TrainScore). The file holds one row per
 * (bar, symbol) with a bar, sorted by (ts, symbol) (lib/features/feature-file.ts); the block is time-major on the
 * file's bars × the dataset's symbols, NaN where a symbol has no bar.
 */
import { DataIntegrityError } from '../../core/index.ts';
import { decodeParquet } from '../../data/index.ts';
import type { FeatureBlock } from '../../features/index.ts';
import { LabelSpec } from '../../labels/index.ts';

export async function decodeFeatureBlock(
  bytes: Uint8Array,
  symbols: readonly string[],
  labelSpec: Partial<LabelSpec>,
  source: string,
): Promise<FeatureBlock> {
  const d = await decodeParquet(bytes, { source });
  const names = (d.metadata['hts.features'] ?? '').split(',').filter((s) => s !== '');
  if (names.length === 0) {
    throw new DataIntegrityError(`${source}: no feature list in the file's metadata`, {
      dataset: source,
      rule: 'feature_meta',
    });
  }
  const ts = d.columns.ts as Float64Array;
  const sym = d.columns.symbol as string[];
  const closes: number[] = [];
  for (let i = 0; i < d.n; i++) if (i === 0 || ts[i] !== ts[i - 1]) closes.push(ts[i]!);
  const closeMs = Float64Array.from(closes);
  const nOut = closeMs.length;
  const nA = symbols.length;
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const cell = new Int32Array(d.n);
  let t = -1;
  for (let i = 0; i < d.n; i++) {
    if (i === 0 || ts[i] !== ts[i - 1]) t++;
    const a = index.get(sym[i]!);
    if (a === undefined) {
      throw new DataIntegrityError(`${source}: row ${i}: unknown symbol ${sym[i]}`, {
        dataset: source,
        row: i,
        rule: 'known_symbol',
      });
    }
    cell[i] = t * nA + a;
  }
  const live = new Uint8Array(nOut * nA);
  const member = new Uint8Array(nOut * nA);
  const memberCol = d.columns.member as Int32Array;
  for (let i = 0; i < d.n; i++) {
    live[cell[i]!] = 1;
    member[cell[i]!] = memberCol[i]!;
  }
  const values = names.map((name) => {
    const src = d.columns[name] as Float32Array | undefined;
    if (!src)
      throw new DataIntegrityError(`${source}: missing feature column ${name}`, {
        dataset: source,
        rule: 'missing_column',
      });
    const out = new Float32Array(nOut * nA).fill(Number.NaN);
    for (let i = 0; i < d.n; i++) out[cell[i]!] = src[i]!;
    return out;
  });
  const block: FeatureBlock = { nOut, nA, fromBar: 0, names, values, live, symbols, closeMs, member };
  const fwd = d.columns.fwd_excess_5h as Float64Array | undefined;
  if (!fwd) return block;
  const down = d.columns.downside_event as Float32Array;
  const known = d.columns.label_known_ms as Float64Array;
  const fwdExcess = new Float64Array(nOut * nA).fill(Number.NaN);
  const downside = new Float64Array(nOut * nA).fill(Number.NaN);
  const knownMs = new Float64Array(nOut).fill(Number.NaN);
  for (let i = 0; i < d.n; i++) {
    fwdExcess[cell[i]!] = fwd[i]!;
    downside[cell[i]!] = down[i]!;
    const k = known[i]!;
    knownMs[Math.floor(cell[i]! / nA)] = k === 0 ? Number.NaN : k;
  }
  return { ...block, labels: { spec: LabelSpec.parse(labelSpec), fwdExcess, downside, knownMs } };
}
