/**
 * Diagnostics of a fold's test scores: IC, rank IC, decile spreads and IC decay of the score, of μ̂ and, with both
 * routes, of each route's score; the rank IC of p̂ against the realised downside event; and the training report
 * (feature importance: GBDT gain, ridge coefficients, network permutation importance).
 */
import { InvalidInputError } from '../core/index.ts';
import type { FeatureBlock } from '../features/index.ts';
import { type SignalDiagnostics, signalDiagnostics } from './diagnostics.ts';
import type { Route } from './model-params.ts';
import type { FoldFit, ScoreBlock, TrainingReport } from './train-score.ts';
import type { Fold } from './walk-forward.ts';

export interface FoldDiagnostics {
  readonly foldId: string;
  readonly fold: Fold;
  readonly route: Route;
  /** Test-period diagnostics of the score, μ̂ and, with both routes, of each route's score. */
  readonly test: {
    readonly score: SignalDiagnostics;
    readonly mu: SignalDiagnostics;
    readonly routeA: SignalDiagnostics | null;
    readonly routeB: SignalDiagnostics | null;
    /** Downside probability vs the realised downside event: rank IC (higher p̂ should mean more events). */
    readonly pDownRankIc: number | null;
  };
  readonly training: TrainingReport;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Diagnostics of a fold's test scores against the labels of the same blocks (same order, same symbols). */
export function foldDiagnostics(
  fit: FoldFit,
  scored: readonly ScoreBlock[],
  testBlocks: readonly FeatureBlock[],
): FoldDiagnostics {
  if (scored.length !== testBlocks.length)
    throw new InvalidInputError(
      `scored blocks (${scored.length}) and test blocks (${testBlocks.length}) differ`,
      {
        field: 'scored',
      },
    );
  const nA = testBlocks[0]?.nA ?? 0;
  let nT = 0;
  for (const b of testBlocks) {
    if (!b.labels)
      throw new InvalidInputError('test blocks need labels for diagnostics', { field: 'labels' });
    if (b.nA !== nA)
      throw new InvalidInputError('test blocks must share one symbol list', { field: 'blocks' });
    nT += b.nOut;
  }
  const label = concat(testBlocks.map((b) => b.labels!.fwdExcess));
  const down = concat(testBlocks.map((b) => b.labels!.downside));
  const score = concat(scored.map((s) => s.score));
  const mu = concat(scored.map((s) => s.mu));
  const pDown = concat(scored.map((s) => s.pDown));
  const sa = scored.every((s) => s.scoreA) ? concat(scored.map((s) => s.scoreA!)) : null;
  const sb = scored.every((s) => s.scoreB) ? concat(scored.map((s) => s.scoreB!)) : null;
  const pd = signalDiagnostics(pDown, down, nT, nA, { lags: [0] });
  return {
    foldId: fit.artifact.fold.id,
    fold: fit.artifact.fold,
    route: fit.artifact.route,
    test: {
      score: signalDiagnostics(score, label, nT, nA),
      mu: signalDiagnostics(mu, label, nT, nA),
      routeA: sa ? signalDiagnostics(sa, label, nT, nA) : null,
      routeB: sb ? signalDiagnostics(sb, label, nT, nA) : null,
      pDownRankIc: pd.rankIc.mean,
    },
    training: fit.report,
  };
}
