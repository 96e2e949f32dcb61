import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildArtifacts, TABLE_ARTIFACTS, writeArtifacts } from '../../lib/artifacts/index.ts';
import { initialSimState } from '../../lib/backtest/index.ts';
import { barsPerYear } from '../../lib/core/calendar.ts';
import { NonDeterminismError } from '../../lib/core/errors.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { parseCsv } from '../../lib/data/csv.ts';
import { decodeParquet } from '../../lib/data/parquet.ts';
import { engineConfig, randomMarket, sim } from '../backtest/fixtures.ts';

const CAPITAL = 1_000_000;

function run(seed: number) {
  const { grid, market } = randomMarket(seed);
  const { outputs } = sim(initialSimState(CAPITAL), {
    config: engineConfig({}, {}, 0.5),
    market,
    startBar: 0,
    endBar: market.nT,
  });
  return {
    outputs,
    grid,
    symbols: market.symbols,
    capital: CAPITAL,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_test',
    codeVersion: 'v-test',
  };
}

describe('artifacts: buildArtifacts / writeArtifacts', () => {
  it('gives the same bytes for the same inputs, and different bytes for a different run', () => {
    const a = buildArtifacts(run(5));
    const b = buildArtifacts(run(5));
    expect(a.map((x) => x.name)).toEqual([
      ...TABLE_ARTIFACTS.flatMap((t) => [`${t}.parquet`, `${t}.csv`]),
      'metrics.json',
      'portfolio_diagnostics.json',
    ]);
    expect(a.map((x) => sha256Hex(x.bytes))).toEqual(b.map((x) => sha256Hex(x.bytes)));
    const c = buildArtifacts(run(6));
    expect(sha256Hex(c[0]!.bytes)).not.toBe(sha256Hex(a[0]!.bytes));
  });

  it('CSV and Parquet hold the same values; Parquet times are timestamps, CSV times UTC ISO-8601', async () => {
    const arts = buildArtifacts(run(5));
    for (const name of TABLE_ARTIFACTS) {
      const pq = await decodeParquet(arts.find((x) => x.name === `${name}.parquet`)!.bytes);
      const csv = parseCsv(new TextDecoder().decode(arts.find((x) => x.name === `${name}.csv`)!.bytes), name);
      expect(csv.header).toEqual(Object.keys(pq.columns));
      expect(csv.rows).toHaveLength(pq.n);
      expect(pq.n).toBeGreaterThan(0);
      csv.header.forEach((col, j) => {
        const values = pq.columns[col]!;
        for (let i = 0; i < pq.n; i++) {
          const cell = csv.rows[i]![j]!;
          const v = values[i]!;
          if (col === 'ts' || col === 'month_start') {
            expect(cell).toBe(new Date(v as number).toISOString());
            expect(cell.endsWith('Z')).toBe(true);
          } else if (typeof v === 'number') {
            expect(cell === '' ? Number.NaN : Number(cell)).toBe(v);
          } else expect(cell).toBe(v);
        }
      });
    }
  });

  it('states the annualisation factor and writes no NaN or Infinity into metrics.json', () => {
    const input = run(5);
    const metrics = buildArtifacts(input).find((x) => x.name === 'metrics.json')!;
    const text = new TextDecoder().decode(metrics.bytes);
    expect(text).not.toMatch(/: -?(NaN|Infinity)/);
    const json = JSON.parse(text);
    expect(json.annualizationFactor).toBe(barsPerYear(2024, 2024));
    expect(json.sessionsPerYear).toBeGreaterThan(240);
    expect(json.benchmarkRelative.hourly.beta).not.toBeUndefined();
    expect(json.provenance.specHash).toBe(input.specHash);
    expect(json.hourly.periods).toBe(input.outputs.bars.n);
  });

  it('writes every artifact once under the prefix, manifest last; a retry with other bytes fails', async () => {
    const store = new MemoryObjectStore();
    const prefix = 'tenants/t1/runs/r1/artifacts/';
    const manifest = await writeArtifacts(store, prefix, run(5));
    const keys = await store.list(prefix);
    expect(keys).toHaveLength(TABLE_ARTIFACTS.length * 2 + 3);
    for (const e of manifest.artifacts) {
      const bytes = await store.get(prefix + e.name);
      expect(bytes.length).toBe(e.bytes);
      expect(sha256Hex(bytes)).toBe(e.sha256);
    }
    const m = JSON.parse(new TextDecoder().decode(await store.get(`${prefix}manifest.json`)));
    expect(m).toMatchObject({ specHash: 'a'.repeat(64), datasetId: 'ds_test', codeVersion: 'v-test' });
    await expect(writeArtifacts(store, prefix, run(5))).resolves.toEqual(manifest);
    await expect(writeArtifacts(store, prefix, run(6))).rejects.toThrow(NonDeterminismError);
  });
});
