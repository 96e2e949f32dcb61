import loadHighs from 'highs';
import { Rng } from '../../lib/core/rng.ts';
import { AdmmQpSolver } from '../../lib/portfolio/admm-qp.ts';
import { denseCovariance, denseObjective, randomCase, realisticCase, solveWithHighs } from './qp-fixtures.ts';
const highs = await loadHighs();
const rng = Rng.fromSeed(Number(process.argv[2] ?? 1));
const n = Number(process.argv[3] ?? 500);
const c = process.argv[4] === 'r' ? randomCase(rng, n) : realisticCase(rng, n);
const S = denseCovariance(c.model);
const solver = new AdmmQpSolver();
solver.setModel(c.model);
let t0 = performance.now();
const r = solver.solve(c.instance, { warmStart: false });
console.log('ours', performance.now() - t0, r.ok ? [r.status, r.iterations, r.objective] : r);
t0 = performance.now();
if (process.argv[5] !== 'noh') { const h = solveWithHighs(highs, c, S); console.log('highs', h.ms, h.status, h.objective, r.ok ? denseObjective(c, S, r.weights) : 0); }
