import { monthsBetween } from '../../lib/core/calendar.ts';
import type { FeatureBlock } from '../../lib/features/build.ts';
import { FEATURE_NAMES } from '../../lib/features/registry.ts';
import { type FoldFit, fitFold, foldDiagnostics, planFolds, scoreBlock } from '../../lib/models/index.ts';
import type { Workload } from '../workload.ts';
import { syntheticMonths } from './train-net.ts';

interface State {
  readonly test: FeatureBlock[];
  readonly fits: Record<'A' | 'B', FoldFit>;
  /** Out-of-sample diagnostics computed once in setup (not timed). */
  readonly oos: Record<string, unknown>;
}

/**
 * score-month: scoring one month (2024-10, ~150 hours × ~500 names, 107 features) with each route's fitted model
 * (trained on the 12 months before it, default parameters). Target ≤ 200 ms per route. Also reports each
 * route's out-of-sample rank IC on 2024-Q4 (the planted IC is 0.04).
 */
export const workload: Workload<State> = {
  name: 'score-month',
  description: 'scoreBlock(2024-10) per route: per-hour normalisation + model (target <= 200 ms per route)',
  runs: 5,
  async setup(tmpDir) {
    const blocks = await syntheticMonths(tmpDir, monthsBetween('2023-10-01', '2024-12-31'));
    const fold = planFolds('2024-10-01', '2024-12-31', '2023-10-01', {
      trainMonths: 12,
      retrainEveryMonths: 3,
      embargoBars: 7,
      horizonBars: 5,
    })[0]!;
    const train = fold.trainMonths.map((m) => blocks.get(m)!);
    const fits = {
      A: fitFold(train, fold, { route: 'A', features: FEATURE_NAMES, seed: 7 }),
      B: fitFold(train, fold, { route: 'B', features: FEATURE_NAMES, seed: 7 }),
    };
    const test = fold.testMonths.map((m) => blocks.get(m)!);
    const oos: Record<string, unknown> = {};
    for (const route of ['A', 'B'] as const) {
      const d = foldDiagnostics(
        fits[route],
        test.map((b) => scoreBlock(fits[route].artifact, b)),
        test,
      );
      oos[`route${route}OosRankIc`] = d.test.mu.rankIc.mean;
      oos[`route${route}OosIc`] = d.test.mu.ic.mean;
    }
    oos.routeBGbdtTrees = [fits.B.report.routeB?.gbdtReturnTrees, fits.B.report.routeB?.gbdtDownsideTrees];
    return { test, fits, oos };
  },
  run({ state }) {
    const month = state.test[0]!;
    const out: Record<string, unknown> = { hours: month.nOut, names: month.nA, ...state.oos };
    for (const route of ['A', 'B'] as const) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      scoreBlock(state.fits[route].artifact, month);
      out[`route${route}Ms`] = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      out[`route${route}CpuMs`] = (cpu.user + cpu.system) / 1000;
    }
    return out;
  },
};
