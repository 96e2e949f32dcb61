import { fitFold, foldDiagnostics, planFolds, scoreBlock, signalDiagnostics } from '../lib/models/index.ts';
import { PLANTED_FEATURES, plantedBlocks } from '../test/models/planted-blocks.ts';
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const nA = Number(process.argv[2] ?? 300);
const blocks = plantedBlocks({ months: MONTHS, nA, ic: 0.04, seed: 5 });
const by = new Map(MONTHS.map((m, i) => [m, blocks[i]!] as const));
const fold = planFolds('2024-05-01', '2024-06-30', '2024-01-01', { trainMonths: 4, retrainEveryMonths: 2, embargoBars: 7, horizonBars: 5 })[0]!;
const tb = fold.testMonths.map((m) => by.get(m)!);
let nT = 0; for (const b of tb) nT += b.nOut;
const cat = (f: (b: typeof tb[0]) => Float64Array) => { const o = new Float64Array(nT * nA); let k = 0; for (const b of tb) { o.set(f(b), k); k += b.nOut * nA; } return o; };
const oracle = signalDiagnostics(cat((b) => b.planted), cat((b) => b.labels!.fwdExcess), nT, nA, { lags: [0] });
console.log('oracle rankIC', oracle.rankIc.mean, 'ic', oracle.ic.mean);
for (const route of (process.argv[3] ?? 'B,A').split(',') as ('A' | 'B')[]) {
  const t0 = performance.now();
  const fit = fitFold(fold.trainMonths.map((m) => by.get(m)!), fold, { route, features: PLANTED_FEATURES, seed: 1, params: JSON.parse(process.argv[4] ?? '{}') });
  const d = foldDiagnostics(fit, tb.map((b) => scoreBlock(fit.artifact, b)), tb);
  console.log(route, ((performance.now() - t0) / 1000).toFixed(1), 's rankIC mu', d.test.mu.rankIc.mean, 'score', d.test.score.rankIc.mean, fit.report.routeB?.gbdtReturnTrees, fit.report.routeA?.validLoss);
}
