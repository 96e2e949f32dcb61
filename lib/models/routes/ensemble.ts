/** The ensemble route: fits Route A and Route B; μ̂ and p̂ are the means of theirs (both stay in their units). */
import { averageInto } from '../scores.ts';
import type { ModelRoute } from './model-route.ts';
import { routeA } from './route-a.ts';
import { routeB } from './route-b.ts';

export const ensemble: ModelRoute<'ensemble'> = {
  kind: 'ensemble',
  sections: ['routeA', 'routeB'],
  fit(data) {
    const a = routeA.fit(data);
    const b = routeB.fit(data);
    return {
      sections: { routeA: a.sections.routeA, routeB: b.sections.routeB },
      reports: { routeA: a.reports.routeA, routeB: b.reports.routeB },
    };
  },
  score(artifact, x, n) {
    const a = routeA.score(artifact, x, n);
    const b = routeB.score(artifact, x, n);
    const mu = new Float64Array(n);
    const pDown = new Float64Array(n);
    averageInto(a.mu, b.mu, n, mu);
    averageInto(a.pDown, b.pDown, n, pDown);
    return { mu, pDown, members: { A: a, B: b } };
  },
};
