/**
 * Month files exchanged between steps: scores (TrainScore → Optimize) and targets (Optimize → Simulate).
 * Sparse rows (ts, symbol, values) for finite values only; readers rebuild dense time-major panels on the
 * month's grid, NaN (scores) or 0 (targets) elsewhere. Parquet with REQUIRED columns.
 */

import type { BarGrid } from '../../core/index.ts';
import { DataIntegrityError, lowerBound } from '../../core/index.ts';
import { decodeParquet, encodeParquet, type ParquetColumn } from '../../data/index.ts';

export interface DensePanel {
  readonly nT: number;
  readonly nA: number;
  readonly fields: Readonly<Record<string, Float64Array>>;
}

/** Encodes the rows where `keep(t, a)` holds, with every field of the panel. */
export function encodeSparsePanel(
  closeMs: Float64Array,
  symbols: readonly string[],
  panel: DensePanel,
  keep: (i: number) => boolean,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { nT, nA } = panel;
  const names = Object.keys(panel.fields);
  let n = 0;
  for (let i = 0; i < nT * nA; i++) if (keep(i)) n++;
  const ts = new Float64Array(n);
  const sym = new Array<string>(n);
  const cols = names.map(() => new Float64Array(n));
  let j = 0;
  for (let t = 0; t < nT; t++) {
    for (let a = 0; a < nA; a++) {
      const i = t * nA + a;
      if (!keep(i)) continue;
      ts[j] = closeMs[t]!;
      sym[j] = symbols[a]!;
      names.forEach((name, k) => {
        cols[k]![j] = panel.fields[name]![i]!;
      });
      j++;
    }
  }
  const columns: ParquetColumn[] = [
    { name: 'ts', kind: 'epochMs', data: ts },
    { name: 'symbol', kind: 'string', data: sym },
    ...names.map((name, k): ParquetColumn => ({ name, kind: 'f64', data: cols[k]! })),
  ];
  return encodeParquet(columns, { metadata, codec: 'UNCOMPRESSED' });
}

/** Decodes a sparse panel file onto `grid` × `symbols`; cells without a row get `fill`. */
export async function decodeSparsePanel(
  bytes: Uint8Array,
  grid: BarGrid,
  symbols: readonly string[],
  fields: readonly string[],
  fill: number,
  source: string,
): Promise<DensePanel & { metadata: Readonly<Record<string, string>> }> {
  const d = await decodeParquet(bytes, { columns: ['ts', 'symbol', ...fields], source });
  const nT = grid.nT;
  const nA = symbols.length;
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const out: Record<string, Float64Array> = {};
  for (const f of fields) out[f] = new Float64Array(nT * nA).fill(fill);
  const ts = d.columns.ts as Float64Array;
  const sym = d.columns.symbol as string[];
  let t = 0;
  for (let i = 0; i < d.n; i++) {
    const x = ts[i]!;
    if (grid.closeMs[t] !== x) {
      t = lowerBound(grid.closeMs, x);
      if (grid.closeMs[t] !== x) {
        throw new DataIntegrityError(
          `${source}: row ${i}: ts ${new Date(x).toISOString()} is not a bar of the month`,
          {
            dataset: source,
            row: i,
            rule: 'on_grid',
          },
        );
      }
    }
    const a = index.get(sym[i]!);
    if (a === undefined) {
      throw new DataIntegrityError(`${source}: row ${i}: unknown symbol ${sym[i]}`, {
        dataset: source,
        row: i,
        rule: 'known_symbol',
      });
    }
    for (const f of fields) out[f]![t * nA + a] = (d.columns[f] as Float64Array)[i]!;
  }
  return { nT, nA, fields: out, metadata: d.metadata };
}
