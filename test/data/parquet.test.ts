import { describe, expect, it } from 'vitest';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import { decodeParquet, encodeParquet } from '../../lib/data/parquet.ts';

describe('parquet: encodeParquet / decodeParquet', () => {
  const columns = () =>
    [
      {
        name: 'ts',
        kind: 'epochMs',
        data: Float64Array.of(1_700_000_000_000, 1_700_003_600_000, 1_700_007_200_000),
      },
      { name: 'at', kind: 'timestamp', data: Float64Array.of(1_600_000_000_000, 0, -86_400_000) },
      { name: 'symbol', kind: 'string', data: ['AAPL', 'BRK.B', 'AAPL'] },
      { name: 'close', kind: 'f64', data: Float64Array.of(1.5, Number.NaN, -0) },
      { name: 'x32', kind: 'f32', data: Float32Array.of(0.25, 3, Number.NaN) },
      { name: 'mask', kind: 'i32', data: Int32Array.of(1, 0, 1) },
    ] as const;

  it('round-trips every column kind exactly, NaN included', async () => {
    const bytes = encodeParquet(columns(), { metadata: { 'hts.schemaVersion': '1' } });
    const d = await decodeParquet(bytes);
    expect(d.n).toBe(3);
    expect(Array.from(d.columns.ts as Float64Array)).toEqual([
      1_700_000_000_000, 1_700_003_600_000, 1_700_007_200_000,
    ]);
    expect(Array.from(d.columns.at as Float64Array)).toEqual([1_600_000_000_000, 0, -86_400_000]);
    expect(d.columns.symbol).toEqual(['AAPL', 'BRK.B', 'AAPL']);
    const close = d.columns.close as Float64Array;
    expect(close[0]).toBe(1.5);
    expect(Number.isNaN(close[1])).toBe(true);
    expect(Object.is(close[2], -0)).toBe(true);
    expect(d.columns.x32).toBeInstanceOf(Float32Array);
    expect(Array.from(d.columns.mask as Int32Array)).toEqual([1, 0, 1]);
    expect(d.metadata['hts.schemaVersion']).toBe('1');
  });

  it('writes the same bytes for the same data (no wall time, no statistics)', () => {
    expect(Buffer.from(encodeParquet(columns())).equals(Buffer.from(encodeParquet(columns())))).toBe(true);
  });

  it('handles zero rows', async () => {
    const bytes = encodeParquet([{ name: 'x', kind: 'f64', data: new Float64Array(0) }]);
    const d = await decodeParquet(bytes);
    expect(d.n).toBe(0);
    expect((d.columns.x as Float64Array).length).toBe(0);
  });

  it('reads a subset of columns and names a missing one', async () => {
    const bytes = encodeParquet(columns());
    const d = await decodeParquet(bytes, { columns: ['close'] });
    expect(Object.keys(d.columns)).toEqual(['close']);
    await expect(decodeParquet(bytes, { columns: ['volume'], source: 'bars.parquet' })).rejects.toThrow(
      /bars.parquet: missing column 'volume'/,
    );
  });

  it('rejects columns of different lengths and bytes that are not Parquet', async () => {
    expect(() =>
      encodeParquet([
        { name: 'a', kind: 'f64', data: new Float64Array(2) },
        { name: 'b', kind: 'f64', data: new Float64Array(3) },
      ]),
    ).toThrow(DataIntegrityError);
    await expect(
      decodeParquet(new TextEncoder().encode('ts,close\n1,2\n'), { source: 'x.parquet' }),
    ).rejects.toThrow(/x.parquet: not a readable Parquet file/);
  });
});
