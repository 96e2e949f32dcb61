/**
 * Route B: a cross-sectional ridge factor model (ridge.ts), GBDT regression trees on its residual (μ̂ = ridge +
 * trees) and a GBDT classifier of the downside event (p̂). The trees train on every k-th hour when the fold has
 * more than `gbdt.maxRows` rows.
 */
import { hashString } from '../../core/index.ts';
import type { RouteBArtifact } from '../artifact.ts';
import { thinHours } from '../dataset.ts';
import { fitGbdt, predictGbdt } from '../gbdt/index.ts';
import { fitRidge, predictRidge, type RidgeModel } from '../ridge.ts';
import {
  byFeature,
  type ModelRoute,
  type RouteBReport,
  type RouteTrainingData,
  sectionOf,
} from './model-route.ts';

/** y − ridge(x) over n rows. */
function ridgeResidual(ridge: RidgeModel, x: Float32Array, n: number, y: ArrayLike<number>): Float64Array {
  const lin = new Float64Array(n);
  predictRidge(ridge, x, n, lin);
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) resid[i] = y[i]! - lin[i]!;
  return resid;
}

function fitFactorTrees({ fit, valid, params, features, seed }: RouteTrainingData): {
  readonly artifact: RouteBArtifact;
  readonly report: RouteBReport;
} {
  const { maxRows, ...gbdtParams } = params.gbdt;
  const ridge = fitRidge(fit.x, fit.n, fit.p, fit.yRet, params.ridge.lambda, params.ridge.maxRows);
  const g = thinHours(fit, maxRows);
  const resid = ridgeResidual(ridge, g.x, g.n, g.yRet);
  const vResid = valid ? ridgeResidual(ridge, valid.x, valid.n, valid.yRet) : null;
  const es = valid ? gbdtParams.earlyStoppingRounds : 0;
  const ret = fitGbdt(
    { n: g.n, p: g.p, x: g.x, y: resid },
    { ...gbdtParams, earlyStoppingRounds: es, objective: 'regression', seed: hashString('B:ret', seed) },
    valid && vResid ? { n: valid.n, p: valid.p, x: valid.x, y: vResid } : undefined,
  );
  const down = fitGbdt(
    { n: g.n, p: g.p, x: g.x, y: g.yDown },
    { ...gbdtParams, earlyStoppingRounds: es, objective: 'binary', seed: hashString('B:down', seed) },
    valid ? { n: valid.n, p: valid.p, x: valid.x, y: valid.yDown } : undefined,
  );
  return {
    artifact: { ridge, gbdtReturn: ret.model, gbdtDownside: down.model },
    report: {
      ridgeCoef: byFeature(features, ridge.coef),
      gbdtReturnTrees: ret.model.trees.length,
      gbdtDownsideTrees: down.model.trees.length,
      gbdtReturnValidLoss: ret.validLoss,
      gbdtDownsideValidLoss: down.validLoss,
      gbdtReturnGain: byFeature(features, ret.gainImportance),
      gbdtDownsideGain: byFeature(features, down.gainImportance),
    },
  };
}

export const routeB: ModelRoute<'B'> = {
  kind: 'B',
  sections: ['routeB'],
  fit(data) {
    const { artifact, report } = fitFactorTrees(data);
    return { sections: { routeA: null, routeB: artifact }, reports: { routeA: null, routeB: report } };
  },
  score(artifact, x, n) {
    const section = sectionOf(artifact, 'routeB');
    const mu = new Float64Array(n);
    const pDown = new Float64Array(n);
    const trees = new Float64Array(n);
    predictRidge(section.ridge, x, n, mu);
    predictGbdt(section.gbdtReturn, x, n, trees);
    for (let i = 0; i < n; i++) mu[i] = mu[i]! + trees[i]!;
    predictGbdt(section.gbdtDownside, x, n, pDown);
    return { mu, pDown, members: null };
  },
};
