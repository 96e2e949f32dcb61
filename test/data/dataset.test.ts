import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { DataIntegrityError } from '../../lib/core/errors.ts';
import { loadBarPanels, scatterBars } from '../../lib/data/bar-panels.ts';
import {
  barColumns,
  DatasetReader,
  DatasetWriter,
  datasetIdOf,
  datasetKeys,
} from '../../lib/data/dataset.ts';
import type { BarTable } from '../../lib/data/tables.ts';

const grid = buildBarGrid('2024-03-08', '2024-03-11'); // Friday, then Monday after the DST change
const symbols = ['AAA', 'SPY'];

function bars(): BarTable {
  const n = grid.nT * 2;
  const t: BarTable = {
    n,
    ts: new Float64Array(n),
    symbol: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let a = 0; a < 2; a++) {
    for (let k = 0; k < grid.nT; k++) {
      const i = a * grid.nT + k;
      t.ts[i] = grid.closeMs[k]!;
      t.symbol[i] = a;
      t.open[i] = 100 + a + k;
      t.close[i] = 100.5 + a + k;
      t.high[i] = 101 + a + k;
      t.low[i] = 99 + a + k;
      t.volume[i] = 1000 * (k + 1);
    }
  }
  return t;
}

async function writeDataset(store: MemoryObjectStore) {
  const w = new DatasetWriter(store, 'datasets/x/');
  await w.putParquet(datasetKeys.barsMonth('2024-03'), barColumns(bars(), symbols));
  return w.finish({
    name: 'tiny',
    source: { test: true },
    period: { start: '2024-03-08', end: '2024-03-11' },
    symbols,
    months: ['2024-03'],
    series: [],
    entityNames: {},
  });
}

describe('dataset: DatasetWriter / DatasetReader', () => {
  it('round-trips bars into panels on the grid, with the id derived from the manifest', async () => {
    const store = new MemoryObjectStore();
    const { datasetId, manifest } = await writeDataset(store);
    expect(datasetId).toMatch(/^ds_[0-9a-f]{24}$/);
    expect(datasetIdOf(manifest)).toBe(datasetId);
    const reader = await DatasetReader.open(store, 'datasets/x/');
    expect(reader.datasetId).toBe(datasetId);
    const p = await loadBarPanels(reader, '2024-03-08', '2024-03-11');
    expect(p.nT).toBe(14);
    expect(p.close[0 * 2 + 0]).toBe(100.5);
    expect(p.close[13 * 2 + 1]).toBe(100.5 + 1 + 13);
    expect(Number.isNaN(p.vwap[0]!)).toBe(true); // no vwap column in this file
  });

  it('refuses an object whose bytes no longer match the manifest', async () => {
    const store = new MemoryObjectStore();
    await writeDataset(store);
    const key = `datasets/x/${datasetKeys.barsMonth('2024-03')}`;
    const bytes = await store.get(key);
    bytes[bytes.length - 20] = bytes.at(-20)! ^ 0xff;
    await store.put(key, bytes);
    const reader = await DatasetReader.open(store, 'datasets/x/');
    await expect(reader.readBarsMonth('2024-03')).rejects.toMatchObject({
      code: 'DATA_INTEGRITY',
      details: { rule: 'content_hash' },
    });
  });

  it('refuses a manifest of the wrong shape', async () => {
    const store = new MemoryObjectStore();
    await store.put('manifest.json', new TextEncoder().encode('{"schemaVersion":1,"name":"x"}'));
    await expect(DatasetReader.open(store)).rejects.toThrow(
      /manifest.json does not match the dataset manifest schema/,
    );
  });

  it('names the row of a bar that is off the grid', () => {
    const t = bars();
    t.ts[3] = t.ts[3]! + 1800_000; // half past the hour: not a bar close
    const out = {
      open: new Float64Array(grid.nT * 2),
      high: new Float64Array(grid.nT * 2),
      low: new Float64Array(grid.nT * 2),
      close: new Float64Array(grid.nT * 2),
      volume: new Float64Array(grid.nT * 2),
      vwap: new Float64Array(grid.nT * 2),
      spreadBps: new Float64Array(grid.nT * 2),
    };
    expect(() => scatterBars(t, grid, 2, out, 'bars/month=2024-03')).toThrow(DataIntegrityError);
    expect(() => scatterBars(t, grid, 2, out, 'bars/month=2024-03')).toThrow(/row 3/);
  });
});
