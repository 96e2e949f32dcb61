/** Route A: a multitask network (μ̂ head and downside head) on the standardised features (net.ts). */
import { hashString } from '../../core/index.ts';
import type { RouteAArtifact } from '../artifact.ts';
import { type Net, netPermutationImportance, predictNet, trainNet } from '../net.ts';
import {
  byFeature,
  type ModelRoute,
  type RouteAReport,
  type RouteTrainingData,
  sectionOf,
} from './model-route.ts';

function fitNet({ fit, valid, params, features, seed }: RouteTrainingData): {
  readonly artifact: RouteAArtifact;
  readonly report: RouteAReport;
} {
  const { importanceRows, ...netParams } = params.net;
  const nf = trainNet(fit, { ...netParams, seed: hashString('A', seed) }, valid);
  const perm =
    importanceRows > 0
      ? netPermutationImportance(nf.net, valid ?? fit, importanceRows, hashString('perm', seed))
      : new Float64Array(features.length);
  return {
    artifact: {
      hidden: [...nf.net.hidden],
      yScale: nf.net.yScale,
      theta: Array.from(nf.net.theta),
      epochs: nf.epochs,
      bestEpoch: nf.bestEpoch,
    },
    report: {
      epochs: nf.epochs,
      bestEpoch: nf.bestEpoch,
      trainLoss: nf.trainLoss,
      validLoss: nf.validLoss,
      permutationImportance: byFeature(features, perm),
    },
  };
}

export const routeA: ModelRoute<'A'> = {
  kind: 'A',
  sections: ['routeA'],
  fit(data) {
    const { artifact, report } = fitNet(data);
    return { sections: { routeA: artifact, routeB: null }, reports: { routeA: report, routeB: null } };
  },
  score(artifact, x, n) {
    const section = sectionOf(artifact, 'routeA');
    const net: Net = {
      nIn: artifact.features.length,
      hidden: section.hidden,
      theta: Float32Array.from(section.theta),
      yScale: section.yScale,
    };
    const mu = new Float64Array(n);
    const pDown = new Float64Array(n);
    predictNet(net, x, n, mu, pDown);
    return { mu, pDown, members: null };
  },
};
