/**
 * The chunk records files (Simulate → Finalize): every record of `SimOutputs` round-trips with its array types
 * (decisions' u8 flags, NaN alphas and caps), the footer is versioned, and a Finalize over decoded chunks builds
 * the same artifact bytes as one over the unchunked engine outputs.
 */
import { describe, expect, it } from 'vitest';
import { buildArtifacts } from '../../../lib/artifacts/index.ts';
import { concatOutputs, initialSimState, type SimOutputs } from '../../../lib/backtest/index.ts';
import { DataIntegrityError } from '../../../lib/core/errors.ts';
import { encodeParquet } from '../../../lib/data/parquet.ts';
import { decodeRecords, encodeRecords, SIM_RECORDS_FORMAT } from '../../../lib/pipeline/codecs/sim-files.ts';
import { simulateTradeRun, simulateTradeRunInChunks, tradeRun } from '../../artifacts/fixtures.ts';

const CAPITAL = 1_000_000;
const PARTS = ['bars', 'fills', 'weights', 'decisions', 'gaps'] as const;

/** One chunk through the files: each part encoded and decoded (the transitions travel as JSON). */
async function throughFiles(o: SimOutputs): Promise<SimOutputs> {
  const [bars, fills, weights, decisions, gaps] = await Promise.all([
    decodeRecords<SimOutputs['bars']>(encodeRecords(o.bars), 'bars'),
    decodeRecords<SimOutputs['fills']>(encodeRecords(o.fills), 'fills'),
    decodeRecords<SimOutputs['weights']>(encodeRecords(o.weights), 'weights'),
    decodeRecords<SimOutputs['decisions']>(encodeRecords(o.decisions), 'decisions'),
    decodeRecords<SimOutputs['gaps']>(encodeRecords(o.gaps), 'gaps'),
  ]);
  return { bars, fills, weights, decisions, gaps, transitions: JSON.parse(JSON.stringify(o.transitions)) };
}

const artifactBytes = (run: ReturnType<typeof tradeRun>, outputs: SimOutputs) =>
  buildArtifacts({
    outputs,
    grid: run.grid,
    symbols: run.market.symbols,
    capital: CAPITAL,
    specHash: 'spec',
    datasetId: 'ds',
    codeVersion: 'test',
  }).map((a) => [a.name, Buffer.from(a.bytes).toString('base64')]);

describe('chunk records files (sim-files)', () => {
  const run = tradeRun({ seed: 11 });
  const whole = simulateTradeRun(run, initialSimState(CAPITAL));

  it('round-trips every record type with its array types, NaN included', async () => {
    expect(whole.decisions.n).toBe(whole.bars.n);
    expect(whole.gaps.n).toBeGreaterThan(0);
    expect(whole.weights.alpha.some(Number.isNaN)).toBe(true);
    const back = await throughFiles(whole);
    for (const part of PARTS) {
      const a = whole[part] as unknown as Record<string, unknown>;
      const b = back[part] as unknown as Record<string, unknown>;
      expect(Object.keys(b).sort(), part).toEqual(Object.keys(a).sort());
      for (const [k, v] of Object.entries(a)) {
        if (k === 'n') {
          expect(b.n, part).toBe(v);
          continue;
        }
        expect(b[k]!.constructor, `${part}.${k}`).toBe((v as object).constructor);
        expect(Array.from(b[k] as ArrayLike<number>), `${part}.${k}`).toEqual(
          Array.from(v as ArrayLike<number>),
        );
      }
    }
  });

  it('a Finalize over decoded chunks builds the unchunked artifacts byte for byte', async () => {
    const chunks = simulateTradeRunInChunks(run, initialSimState(CAPITAL), [40, 41, 150]);
    expect(chunks).toHaveLength(4);
    const decoded = await Promise.all(chunks.map(throughFiles));
    expect(artifactBytes(run, concatOutputs(decoded))).toEqual(artifactBytes(run, whole));
  });

  it('writes its format in the footer and refuses another format or a file that is not records', async () => {
    const bytes = encodeRecords(whole.gaps);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain(`"format":${SIM_RECORDS_FORMAT}`);
    const other = encodeParquet([{ name: 'bar', kind: 'i32', data: Int32Array.of(1) }], {
      metadata: { 'hts.records': JSON.stringify({ format: 99, n: 1, types: { bar: 'i32' } }) },
    });
    await expect(decodeRecords(other, 'gaps')).rejects.toThrow(/records format 99/);
    const plain = encodeParquet([{ name: 'bar', kind: 'i32', data: Int32Array.of(1) }]);
    await expect(decodeRecords(plain, 'gaps')).rejects.toThrow(DataIntegrityError);
    const lying = encodeParquet([{ name: 'bar', kind: 'i32', data: Int32Array.of(1) }], {
      metadata: { 'hts.records': JSON.stringify({ format: 1, n: 1, types: { bar: 'f64' } }) },
    });
    await expect(decodeRecords(lying, 'gaps')).rejects.toThrow(/not the footer's f64/);
  });
});
