import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../lib/core/rng.ts';
import { fitGbdt } from '../../lib/models/gbdt/index.ts';
import type { Workload } from '../workload.ts';

/**
 * train-gbdt: 1M rows × 60 features, 200 trees, 31 leaves, 255 bins, learning rate 0.1, no subsampling, no early
 * stopping (scikit-learn's defaults otherwise). Target ≤ 20 s. The peer is scikit-learn's
 * HistGradientBoostingRegressor on the same data and parameters (Debian python3-sklearn, all cores), run through
 * /usr/bin/python3 when it is installed; its in-process fit time is recorded beside the whole-process time.
 */
const N = 1_000_000;
const P = 60;
const TREES = 200;
const PY = '/usr/bin/python3';

interface State {
  readonly x: Float32Array;
  readonly y: Float64Array;
  readonly xPath: string;
  readonly yPath: string;
}

function peerAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(PY, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `${PY} not runnable: ${r.error.message}` };
  if (r.status !== 0)
    return { ok: false, reason: `scikit-learn not importable: ${r.stderr.trim().split('\n').pop()}` };
  return { ok: true, version: r.stdout.trim() };
}

const PEER_SCRIPT = `
import sys, time, numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
n, p = ${N}, ${P}
X = np.fromfile(sys.argv[1], dtype='<f4').reshape(n, p)
y = np.fromfile(sys.argv[2], dtype='<f8')
est = HistGradientBoostingRegressor(max_iter=${TREES}, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                    max_bins=255, early_stopping=False, random_state=0)
t0 = time.perf_counter()
est.fit(X, y)
print((time.perf_counter() - t0) * 1000)
`;

const peer = peerAvailable();

export const workload: Workload<State> = {
  name: 'train-gbdt',
  description: `fitGbdt: ${N} rows x ${P} features, ${TREES} trees, 31 leaves, 255 bins (target <= 20 s)`,
  runs: 1,
  noWarmup: true,
  setup(tmpDir) {
    const rng = Rng.fromSeed(2024);
    const x = new Float32Array(N * P);
    const y = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const o = i * P;
      for (let j = 0; j < P; j++) x[o + j] = rng.normal();
      y[i] =
        Math.sin(x[o]!) +
        0.5 * x[o + 1]! * x[o + 2]! +
        0.3 * x[o + 3]! -
        0.2 * Math.abs(x[o + 4]!) +
        rng.normal();
    }
    const xPath = join(tmpDir, 'x.f32');
    const yPath = join(tmpDir, 'y.f64');
    writeFileSync(xPath, new Uint8Array(x.buffer));
    writeFileSync(yPath, new Uint8Array(y.buffer));
    return { x, y, xPath, yPath };
  },
  run({ state }) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const fit = fitGbdt(
      { n: N, p: P, x: state.x, y: state.y },
      { numTrees: TREES, numLeaves: 31, learningRate: 0.1, maxBins: 255, minDataInLeaf: 20 },
    );
    const fitMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return {
      fitMs,
      // CPU time of this process during the fit (the machine may be shared: compare CPU back to back)
      fitCpuMs: (cpu.user + cpu.system) / 1000,
      trees: fit.model.trees.length,
      trainLoss: fit.trainLoss[fit.trainLoss.length - 1],
      peer: peer.ok ? { sklearn: peer.version } : { skipped: peer.reason },
    };
  },
  ...(peer.ok
    ? {
        peer: {
          name: `scikit-learn ${peer.version} HistGradientBoostingRegressor (python3, all cores)`,
          run({ state }: { state: State }) {
            const r = spawnSync(PY, ['-c', PEER_SCRIPT, state.xPath, state.yPath], { encoding: 'utf8' });
            if (r.status !== 0) return { failed: r.stderr.slice(-500) };
            return { sklearnFitMs: Number(r.stdout.trim()) };
          },
        },
      }
    : {}),
};
