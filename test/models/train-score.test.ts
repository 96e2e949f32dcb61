import { describe, expect, it } from 'vitest';
import { LookaheadError } from '../../lib/core/errors.ts';
import type { FeatureBlock } from '../../lib/features/build.ts';
import {
  assertLabelsKnownBy,
  type FoldFit,
  fitFold,
  foldDiagnostics,
  type ModelParamsInput,
  parseModel,
  planFolds,
  scoreBlock,
  serializeModel,
  signalDiagnostics,
  trainingMatrix,
} from '../../lib/models/index.ts';
import { PLANTED_FEATURES, type PlantedBlock, plantedBlocks } from './planted-blocks.ts';

const IC = 0.04;
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const FAST: ModelParamsInput = {
  gbdt: { numTrees: 60, learningRate: 0.1, minDataInLeaf: 200, maxBins: 63, earlyStoppingRounds: 15 },
  net: { epochs: 3, importanceRows: 1500 },
};

const NA = 250;
/** Small fits for the byte-level tests (determinism, label garbling). */
const TINY: ModelParamsInput = {
  gbdt: { numTrees: 12, maxBins: 31, minDataInLeaf: 200, earlyStoppingRounds: 0 },
  net: { hidden: [8], epochs: 1, importanceRows: 200 },
};
const blocks = plantedBlocks({ months: MONTHS, nA: NA, ic: IC, seed: 5 });
const byMonth = new Map(MONTHS.map((m, i) => [m, blocks[i]!] as const));
// train on 2024-01..04, test 2024-05..06 (one fold)
const fold = planFolds('2024-05-01', '2024-06-30', '2024-01-01', {
  trainMonths: 4,
  retrainEveryMonths: 2,
  embargoBars: 7,
  horizonBars: 5,
})[0]!;
const trainBlocks = fold.trainMonths.map((m) => byMonth.get(m)!);
const testBlocks = fold.testMonths.map((m) => byMonth.get(m)!);

// one ensemble fit serves the recovery and artifact tests (it holds both routes)
let shared: FoldFit | undefined;
const ensembleFit = (): FoldFit => {
  shared ??= fitFold(trainBlocks, fold, {
    route: 'ensemble',
    features: PLANTED_FEATURES,
    params: FAST,
    seed: 3,
  });
  return shared;
};

function concatTest(f: (b: PlantedBlock) => Float64Array): Float64Array {
  const parts = testBlocks.map(f);
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('models: fitFold + scoreBlock recover a planted signal out of sample', () => {
  it('routes A, B and the ensemble reach a rank IC within 30% of the planted one', () => {
    const fit = ensembleFit();
    const scored = testBlocks.map((b) => scoreBlock(fit.artifact, b));
    const d = foldDiagnostics(fit, scored, testBlocks);
    // the planted IC as realised on the test sample: the oracle score s against the same labels
    const nT = testBlocks.reduce((n, b) => n + b.nOut, 0);
    const oracle = signalDiagnostics(
      concatTest((b) => b.planted),
      concatTest((b) => b.labels!.fwdExcess),
      nT,
      NA,
      { lags: [0] },
    ).rankIc.mean!;
    expect(oracle).toBeGreaterThan(0.5 * IC);
    for (const [route, diag] of [
      ['A', d.test.routeA!],
      ['B', d.test.routeB!],
      ['ensemble', d.test.score],
    ] as const) {
      expect(diag.rankIc.mean!, route).toBeGreaterThan(0.7 * oracle);
      expect(diag.rankIc.mean!, route).toBeLessThan(1.3 * oracle);
      expect(diag.decileSpread!, route).toBeGreaterThan(0);
    }
    // the downside probability ranks realised downside events
    expect(d.test.pDownRankIc!).toBeGreaterThan(0);
    // importance finds the planted features, not the noise
    expect(Object.keys(d.training.routeB!.gbdtDownsideGain)).toEqual(PLANTED_FEATURES);
    const coef = d.training.routeB!.ridgeCoef;
    expect(Math.abs(coef.sig_a!)).toBeGreaterThan(Math.abs(coef.noise_2!));
    const perm = d.training.routeA!.permutationImportance;
    expect(perm.sig_a!).toBeGreaterThan(perm.noise_3!);
    // JSON diagnostics never hold NaN
    expect(JSON.stringify(d)).not.toMatch(/NaN|Infinity/);
    expect(d.test.score.icDecay.map((x) => x.lagBars)).toEqual([0, 1, 2, 3, 5, 7, 14, 35]);
  });
});

describe('models: artifact', () => {
  it('is plain JSON that loads back and scores identically (the paper-trading path)', () => {
    const fit = ensembleFit();
    const text = serializeModel(fit.artifact);
    const loaded = parseModel(text);
    const a = scoreBlock(fit.artifact, testBlocks[0]!);
    const b = scoreBlock(loaded, testBlocks[0]!);
    expect(Buffer.from(b.score.buffer).equals(Buffer.from(a.score.buffer))).toBe(true);
    expect(loaded.fold).toEqual(fold);
    expect(loaded.schemaVersion).toBe(1);
  });
  it('same data, same seed ⇒ the same bytes; another seed ⇒ other bytes', () => {
    const opts = { route: 'ensemble', features: PLANTED_FEATURES, params: TINY } as const;
    const one = fitFold(trainBlocks, fold, { ...opts, seed: 3 });
    const again = fitFold(trainBlocks, fold, { ...opts, seed: 3 });
    expect(serializeModel(again.artifact)).toBe(serializeModel(one.artifact));
    const other = fitFold(trainBlocks, fold, { ...opts, seed: 4 });
    expect(serializeModel(other.artifact)).not.toBe(serializeModel(one.artifact));
  });
  it('rejects a tampered artifact naming the field', () => {
    const raw = JSON.parse(serializeModel(ensembleFit().artifact)) as {
      route: string;
      routeA: { theta: number[] };
      schemaVersion: number;
    };
    raw.route = 'A';
    expect(() => parseModel(JSON.stringify(raw))).toThrow(/route A does not match the routes it holds/);
    raw.route = 'ensemble';
    raw.routeA.theta.pop();
    expect(() => parseModel(JSON.stringify(raw))).toThrow(/routeA\.theta/);
    raw.schemaVersion = 2;
    expect(() => parseModel(JSON.stringify(raw))).toThrow(/schemaVersion/);
    expect(() => parseModel('{')).toThrow(/not valid JSON/);
  });
  it('rejects unknown model params', () => {
    expect(() =>
      fitFold(trainBlocks, fold, {
        route: 'B',
        features: PLANTED_FEATURES,
        params: { gbdt: { leaves: 3 } },
        seed: 1,
      }),
    ).toThrow(/model\.params\.gbdt/);
  });
});

describe('models: no label after the fold cutoff reaches a model', () => {
  it('every training row has a label known by the cutoff, and hours up to the last training bar', () => {
    const m = trainingMatrix(trainBlocks, {
      features: PLANTED_FEATURES,
      fromMs: fold.trainStartMs,
      toMs: fold.lastTrainBarMs,
      clipZ: 5,
      cutoffMs: fold.cutoffMs,
    });
    let maxKnown = 0;
    for (let i = 0; i < m.n; i++) maxKnown = Math.max(maxKnown, m.labelKnownMs[i]!);
    expect(maxKnown).toBeLessThanOrEqual(fold.cutoffMs);
    expect(m.hourMs[m.hourMs.length - 1]).toBe(fold.lastTrainBarMs);
    // the purge is tight: the next bar's label is known after the cutoff
    expect(maxKnown).toBe(fold.cutoffMs);
  });
  it('garbling every label known after the cutoff changes no byte of the model', () => {
    const garbled: FeatureBlock[] = trainBlocks.map((b) => {
      const l = b.labels!;
      const fwd = l.fwdExcess.slice();
      const down = l.downside.slice();
      for (let t = 0; t < b.nOut; t++) {
        if (l.knownMs[t]! <= fold.cutoffMs) continue;
        for (let a = 0; a < b.nA; a++) {
          fwd[t * b.nA + a] = (a % 7) - 3;
          down[t * b.nA + a] = a % 2;
        }
      }
      return { ...b, labels: { ...l, fwdExcess: fwd, downside: down } };
    });
    const p = TINY;
    const a = fitFold(trainBlocks, fold, {
      route: 'ensemble',
      features: PLANTED_FEATURES,
      params: p,
      seed: 9,
    });
    const b = fitFold(garbled, fold, { route: 'ensemble', features: PLANTED_FEATURES, params: p, seed: 9 });
    expect(serializeModel(b.artifact)).toBe(serializeModel(a.artifact));
    // and the same garbling before the cutoff does change it (the test can fail)
    const early = trainBlocks.map((blk) => {
      const l = blk.labels!;
      const fwd = l.fwdExcess.map((v, i) => (i % 3 === 0 ? -v : v));
      return { ...blk, labels: { ...l, fwdExcess: fwd } };
    });
    const c = fitFold(early, fold, { route: 'ensemble', features: PLANTED_FEATURES, params: p, seed: 9 });
    expect(serializeModel(c.artifact)).not.toBe(serializeModel(a.artifact));
  });
  it('assertLabelsKnownBy throws LookaheadError naming the first late row', () => {
    const known = Float64Array.of(1, 2, 3, 5, 4);
    expect(() => assertLabelsKnownBy(known, 5, 5, 'fold-00')).not.toThrow();
    expect(() => assertLabelsKnownBy(known, 5, 4, 'fold-00')).toThrow(LookaheadError);
    expect(() => assertLabelsKnownBy(known, 5, 4, 'fold-00')).toThrow(/row 3/);
    expect(() => assertLabelsKnownBy(Float64Array.of(Number.NaN), 1, 4, 'fold-00')).toThrow(/NaN/);
  });
});
