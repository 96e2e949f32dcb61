import { describe, expect, it } from 'vitest';
import { buildFeatureBlock, loadFeatureInputs } from '../../lib/features/build.ts';
import type { FeatureInputs } from '../../lib/features/context.ts';
import { auditLookahead } from '../../lib/lookahead/perturb.ts';
import { type Fold, fitFold, type ModelParamsInput, scoreBlock } from '../../lib/models/index.ts';
import { smallDataset } from '../features/fixture.ts';

const LAG = 60_000;
const H = 5;
const FEATURES = [
  'ret_7',
  'ret_35',
  'vol_35',
  'cs_rank_ret_35',
  'log_dollar_volume',
  'sent_score',
  'sent_mean_35',
  'analyst_revision_net',
  'fund_eps_surprise',
];
const PARAMS: ModelParamsInput = {
  gbdt: { numTrees: 8, minDataInLeaf: 20, maxBins: 31, earlyStoppingRounds: 0, rowSubsample: 0.7 },
  net: { hidden: [8], epochs: 1, importanceRows: 100 },
};

async function inputs(): Promise<FeatureInputs> {
  const reader = await smallDataset('2023-06-01', '2024-01-31', 30, 11);
  return loadFeatureInputs(reader, '2023-06-01', '2024-01-31', LAG);
}

/** A fold whose training cutoff is the close of bar `cut` (labels known by then) on the inputs' grid. */
function foldAt(inp: FeatureInputs, cut: number, lastTrainBar: number): Fold {
  const c = inp.grid.closeMs;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const next = Math.min(cut + 1, inp.grid.nT - 1);
  return {
    index: 0,
    id: 'fold-00',
    trainMonths: [],
    testMonths: [],
    trainStartMs: c[0]!,
    lastTrainBarMs: c[lastTrainBar]!,
    cutoffMs: c[cut]!,
    purgeBars: H + 1,
    embargoBars: 0,
    testStartMs: c[next]!,
    testEndMs: c[inp.grid.nT - 1]!,
    iso: {
      trainStart: iso(c[0]!),
      lastTrainBar: iso(c[lastTrainBar]!),
      cutoff: iso(c[cut]!),
      testStart: iso(c[next]!),
      testEnd: iso(c[inp.grid.nT - 1]!),
    },
  };
}

/** Features → fit (labels known by the fold cutoff) → scores of every bar: the whole TrainScore path. */
function scoresOf(fold: (inp: FeatureInputs) => Fold) {
  return (inp: FeatureInputs): Record<string, Float64Array> => {
    const g = inp.grid;
    const block = buildFeatureBlock(inp, g.closeMs[0]!, g.closeMs[g.nT - 1]!, {
      features: FEATURES,
      decisionLagMs: LAG,
      labels: { horizonBars: H },
    });
    const fit = fitFold([block], fold(inp), {
      route: 'ensemble',
      features: FEATURES,
      params: PARAMS,
      seed: 2,
    });
    const s = scoreBlock(fit.artifact, block);
    return { score: s.score, mu: s.mu, pDown: s.pDown, scoreA: s.scoreA!, scoreB: s.scoreB! };
  };
}

describe('lookahead: scores are invariant to the future', () => {
  it('garbling bars and PIT rows after T changes no score at or before T (model trained on labels known by T)', async () => {
    const inp = await inputs();
    const nT = inp.grid.nT;
    for (const T of [Math.floor(nT * 0.6), nT - 60]) {
      const compute = scoresOf((i) => foldAt(i, T, T - 1 - H));
      const audit = auditLookahead(inp, compute, T, { seed: T });
      expect(audit.differences, `T = ${T}`).toEqual([]);
      expect(audit.compared).toBe(5);
    }
  });

  it('detects a model that trained on labels past T (the harness can fail)', async () => {
    const inp = await inputs();
    const nT = inp.grid.nT;
    const T = Math.floor(nT * 0.6);
    // a leaky fold: its cutoff is the end of the data
    const compute = scoresOf((i) => foldAt(i, nT - 1, nT - 2 - H));
    const audit = auditLookahead(inp, compute, T, { seed: 1 });
    expect(audit.ok).toBe(false);
    expect(audit.differences.map((d) => d.output)).toContain('score');
  });
});
