import { DiskObjectStore } from '/work/main/lib/adapters/disk-object-store.ts';
import { DatasetReader } from '/work/main/lib/data/dataset.ts';
import { buildFeaturesForMonth, DEFAULT_DECISION_LAG_MS, type FeatureBlock } from '/work/main/lib/features/build.ts';
import { FEATURE_NAMES } from '/work/main/lib/features/registry.ts';
import { monthsBetween } from '/work/main/lib/core/calendar.ts';
import { planFolds, fitFold, scoreBlock, foldDiagnostics } from '/work/main/lib/models/index.ts';
const route = (process.argv[2] ?? 'B') as 'A' | 'B' | 'ensemble';
const reader = await DatasetReader.open(new DiskObjectStore('/work/main/.hts/datasets/demo'));
const t0 = performance.now();
const blocks = new Map<string, FeatureBlock>();
for (const m of monthsBetween('2023-01-01', '2024-12-31')) blocks.set(m, await buildFeaturesForMonth(reader, m, { decisionLagMs: DEFAULT_DECISION_LAG_MS }));
console.log('features', ((performance.now() - t0) / 1000).toFixed(1), 's');
const folds = planFolds('2024-01-01', '2024-12-31', '2023-01-01', { trainMonths: 12, retrainEveryMonths: 3, embargoBars: 7, horizonBars: 5 });
const ics: number[] = [];
for (const f of folds.slice(0, Number(process.argv[3] ?? 99))) {
  const t1 = performance.now();
  const fit = fitFold(f.trainMonths.map((m) => blocks.get(m)!), f, { route, features: FEATURE_NAMES, seed: 7 });
  const t2 = performance.now();
  const tb = f.testMonths.map((m) => blocks.get(m)!);
  const sc = tb.map((b) => scoreBlock(fit.artifact, b));
  const t3 = performance.now();
  const d = foldDiagnostics(fit, sc, tb);
  console.log(f.id, 'rows', fit.report.rows, 'fit', ((t2 - t1) / 1000).toFixed(1), 's score/month', ((t3 - t2) / tb.length).toFixed(0), 'ms',
    'rankIC score', d.test.score.rankIc.mean?.toFixed(4), 'mu', d.test.mu.rankIc.mean?.toFixed(4), 'A', d.test.routeA?.rankIc.mean?.toFixed(4), 'B', d.test.routeB?.rankIc.mean?.toFixed(4), 'IC', d.test.score.ic.mean?.toFixed(4), 'pDown', d.test.pDownRankIc?.toFixed(3),
    'trees', fit.report.routeB?.gbdtReturnTrees, fit.report.routeB?.gbdtDownsideTrees, 'epochs', fit.report.routeA?.bestEpoch, fit.report.routeA?.validLoss.map((v) => v.toFixed(4)).join(','));
  ics.push(d.test.score.rankIc.mean ?? Number.NaN);
  if (f.index === 0) { const rc = fit.report.routeB?.ridgeCoef; if (rc) console.log(Object.entries(rc).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 8)); const pi = fit.report.routeA?.permutationImportance; if (pi) console.log(Object.entries(pi).sort((a, b) => b[1] - a[1]).slice(0, 8)); }
}
console.log('mean rank IC', ics.reduce((a, b) => a + b, 0) / ics.length);
