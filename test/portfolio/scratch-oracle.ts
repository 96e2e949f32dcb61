import loadHighs from 'highs';
import { Rng } from '../../lib/core/rng.ts';
import { AdmmQpSolver } from '../../lib/portfolio/admm-qp.ts';
import { denseCovariance, denseObjective, maxViolation, randomCase, realisticCase, solveWithHighs } from './qp-fixtures.ts';
const highs = await loadHighs();
const rng = Rng.fromSeed(Number(process.argv[2] ?? 1));
const solver = new AdmmQpSolver();
let worst = 0; let worstV = 0; let fails = 0;
for (let t = 0; t < Number(process.argv[3] ?? 100); t++) {
  const n = 20 + rng.int(61);
  const c = t % 2 === 0 ? randomCase(rng, n) : realisticCase(rng, n);
  const S = denseCovariance(c.model);
  let h; try { h = solveWithHighs(highs, c, S); } catch (e) { console.log(t, c.label, n, 'HIGHS THROW', String(e).slice(0,100)); continue; }
  if (h.status !== 'optimal') { console.log(t, c.label, n, 'HIGHS', h.status); continue; }
  solver.setModel(c.model);
  const t0 = performance.now();
  const r = solver.solve(c.instance, { warmStart: false });
  const ms = performance.now() - t0;
  if (!r.ok) { console.log(t, c.label, n, 'FAIL', r.reason, r.message); fails++; continue; }
  const fo = denseObjective(c, S, r.weights);
  const fh = denseObjective(c, S, h.weights);
  const rel = (fo - fh) / Math.max(Math.abs(fh), 1e-12);
  const v = maxViolation(c, r.weights);
  worst = Math.max(worst, rel); worstV = Math.max(worstV, v);
  if (rel > 1e-6 || t % 20 === 0) console.log(t, c.label, n, r.status, r.iterations, ms.toFixed(2), 'h', h.status, h.ms.toFixed(1), 'rel', rel.toExponential(2), 'viol', v.toExponential(2), 'hobj', h.objective.toExponential(3), fh.toExponential(3));
}
console.log('worst rel', worst, 'worst viol', worstV, 'fails', fails);
