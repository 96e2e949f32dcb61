import { Rng } from '../lib/core/rng.ts';
import { fitGbdt } from '../lib/models/gbdt.ts';
const N = 200_000, P = 60;
const rng = Rng.fromSeed(1);
const x = new Float32Array(N * P); const y = new Float64Array(N);
for (let i = 0; i < N; i++) { const o = i * P; for (let j = 0; j < P; j++) x[o + j] = rng.normal(); y[i] = Math.sin(x[o]!) + 0.5 * x[o + 1]! * x[o + 2]! + rng.normal(); }
const t0 = performance.now();
fitGbdt({ n: N, p: P, x, y }, { numTrees: 20 });
console.log('ms', performance.now() - t0);
