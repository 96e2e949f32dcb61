import fc from 'fast-check';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/core/rng.ts';
import { AdmmQpSolver, type QpModel } from '../../../lib/portfolio/admm-qp/index.ts';
import { loadHighs } from '../load-highs.ts';
import {
  denseCovariance,
  denseObjective,
  maxViolation,
  type QpCase,
  randomCase,
  realisticCase,
  solveWithHighs,
} from '../qp-fixtures.ts';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

describe('admm-qp: AdmmQpSolver vs HiGHS (dense formulation)', () => {
  it('matches the oracle on 220 random and realistic instances within 1e-4 relative, violations <= 1e-7', () => {
    // Arrange
    const rng = Rng.fromSeed(20240601);
    const cases: QpCase[] = [];
    for (let t = 0; t < 216; t++) {
      const n = 20 + rng.int(61);
      cases.push(t % 2 === 0 ? randomCase(rng, n) : realisticCase(rng, n));
    }
    for (let t = 0; t < 4; t++) cases.push(t % 2 === 0 ? realisticCase(rng, 500) : randomCase(rng, 500));
    const solver = new AdmmQpSolver({ n: 80, k: 15, nSectors: 11 });
    let maxGap = 0;
    let maxViol = 0;
    let polished = 0;
    // Act
    for (const c of cases) {
      const S = denseCovariance(c.model);
      const h = solveWithHighs(highs, c, S);
      expect(h.status).toBe('optimal');
      solver.setModel(c.model);
      const r = solver.solve(c.instance, { warmStart: false });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      if (r.status === 'solved_polished') polished++;
      const fo = denseObjective(c, S, r.weights);
      const fh = denseObjective(c, S, h.weights);
      // Assert per instance: ours is not worse than HiGHS's by more than 1e-4 relative, and reported = recomputed
      const gap = (fo - fh) / Math.max(Math.abs(fh), 1e-12);
      maxGap = Math.max(maxGap, gap);
      maxViol = Math.max(maxViol, maxViolation(c, r.weights));
      expect(Math.abs(r.objective - fo)).toBeLessThanOrEqual(1e-9 * Math.max(1e-12, Math.abs(fo)) + 1e-15);
      expect(Math.abs(h.objective - fh)).toBeLessThanOrEqual(1e-4 * Math.abs(fh) + 1e-9);
    }
    // Assert
    expect(maxGap).toBeLessThanOrEqual(1e-4);
    expect(maxViol).toBeLessThanOrEqual(1e-7);
    expect(polished).toBeGreaterThan(cases.length * 0.9);
    console.info(
      `oracle: ${cases.length} instances, max rel gap ${maxGap}, max violation ${maxViol}, polished ${polished}`,
    );
  });
});

describe('admm-qp: AdmmQpSolver warm starts vs HiGHS', () => {
  it('matches the oracle hour by hour on a drifting 500-name problem with caps moving and a risk refresh', () => {
    // Arrange: AR(1) scores, a few caps changing each hour, the risk model perturbed half way
    const rng = Rng.fromSeed(777);
    const c = realisticCase(rng, 500);
    const solver = new AdmmQpSolver();
    const q = Float64Array.from(c.instance.linear);
    const upper = Float64Array.from(c.instance.upper);
    let model = c.model;
    let S = denseCovariance(model);
    solver.setModel(model);
    let maxGap = 0;
    let maxViol = 0;
    let activeSetOnly = 0;
    const hours = 24;
    // Act
    for (let h = 0; h < hours; h++) {
      for (let i = 0; i < q.length; i++) q[i] = 0.97 * (q[i] as number) + 0.0005 * rng.normal() - 6e-6;
      for (let j = 0; j < 5; j++) upper[rng.int(500)] = rng.next() < 0.1 ? 0 : 0.02 + 0.08 * rng.next();
      if (h === hours / 2) {
        const k = model.k;
        const loadings = Float64Array.from(model.loadings, (v, j) =>
          j % k === 0 ? v + 0.02 * rng.normal() : v,
        );
        model = { ...model, loadings, factorCov: Float64Array.from(model.factorCov, (v) => v * 1.1) };
        S = denseCovariance(model);
        solver.setModel(model);
      }
      const cs: QpCase = { label: 'drift', model, instance: { ...c.instance, linear: q, upper } };
      const r = solver.solve(cs.instance);
      const hi = solveWithHighs(highs, cs, S);
      expect(hi.status).toBe('optimal');
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      if (h > 0 && r.iterations === 0) activeSetOnly++;
      const fo = denseObjective(cs, S, r.weights);
      const fh = denseObjective(cs, S, hi.weights);
      maxGap = Math.max(maxGap, (fo - fh) / Math.max(Math.abs(fh), 1e-12));
      maxViol = Math.max(maxViol, maxViolation(cs, r.weights));
      expect(Math.abs(r.objective - fo)).toBeLessThanOrEqual(1e-9 * Math.abs(fo) + 1e-15);
    }
    // Assert: as accurate as the cold path, and the warm hours were finished by the active-set method
    expect(maxGap).toBeLessThanOrEqual(1e-4);
    expect(maxViol).toBeLessThanOrEqual(1e-7);
    expect(activeSetOnly).toBeGreaterThanOrEqual(hours - 3);
    console.info(`warm oracle: ${hours} hours, max rel gap ${maxGap}, max violation ${maxViol}`);
  });

  it('returns a feasible fallback, typed max_iterations, when stopped early without polishing', () => {
    const c = realisticCase(Rng.fromSeed(31), 200);
    const solver = new AdmmQpSolver();
    solver.setModel(c.model);
    const r = solver.solve(c.instance, { maxIterations: 3, polish: false, warmStart: false });
    expect(r).toMatchObject({ ok: false, reason: 'max_iterations' });
    if (r.ok || r.fallbackWeights === undefined) throw new Error('expected fallback weights');
    expect(maxViolation(c, r.fallbackWeights)).toBeLessThanOrEqual(1e-12);
    // the next warm solve does not trust the unfinished state's active set and still solves
    const next = solver.solve(c.instance);
    expect(next.ok).toBe(true);
  });
});

function smallModel(n: number, k: number, opts: { zeroCov?: boolean } = {}): QpModel {
  const rng = Rng.fromSeed(n * 31 + k);
  const loadings = new Float64Array(n * k);
  for (let j = 0; j < n * k; j++) loadings[j] = opts.zeroCov ? 0 : rng.normal();
  const factorCov = new Float64Array(k * k);
  for (let f = 0; f < k; f++) factorCov[f * k + f] = opts.zeroCov ? 0 : 0.5;
  const specificVar = new Float64Array(n).fill(opts.zeroCov ? 0 : 0.3);
  const sector = new Int16Array(n);
  for (let i = 0; i < n; i++) sector[i] = i % 3;
  return { n, k, loadings, factorCov, specificVar, riskAversion: 2, sector, nSectors: 3 };
}

describe('admm-qp: AdmmQpSolver properties', () => {
  const n = 12;
  const solver = new AdmmQpSolver();
  const value = fc.oneof(
    fc.double({ min: -3, max: 3, noNaN: true }),
    fc.constant(Number.NaN),
    fc.constant(0),
  );
  it('returns weights in [0, u] with Σw <= budget and no NaN, for any scores incl. NaN and zero covariance', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: n, maxLength: n }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.boolean(),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (scores, ups, budget, zeroCov, penalty) => {
          solver.setModel(smallModel(n, 2, { zeroCov }));
          const linear = Float64Array.from(scores);
          const upper = Float64Array.from(ups);
          const r = solver.solve({
            linear,
            upper,
            budget,
            sectorBench: new Float64Array([0.3, 0.3, 0.3]),
            sectorBand: 0.02,
            sectorPenalty: penalty,
          });
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const w = r.weights[i] as number;
            expect(Number.isFinite(w)).toBe(true);
            expect(w).toBeGreaterThanOrEqual(0);
            expect(w).toBeLessThanOrEqual(Number.isNaN(linear[i] as number) ? 0 : (upper[i] as number));
            sum += w;
          }
          expect(sum).toBeLessThanOrEqual(budget + 1e-12);
          expect(Number.isFinite(r.objective)).toBe(true);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('gives all cash when every name is filtered, and zero weights for all-zero scores', () => {
    solver.setModel(smallModel(n, 2));
    const filtered = solver.solve({
      linear: new Float64Array(n).fill(1),
      upper: new Float64Array(n),
      budget: 1,
    });
    expect(filtered.ok && filtered.weights.every((w) => w === 0)).toBe(true);
    const zero = solver.solve({
      linear: new Float64Array(n),
      upper: new Float64Array(n).fill(0.1),
      budget: 1,
    });
    expect(zero.ok).toBe(true);
    if (zero.ok) for (const w of zero.weights) expect(w).toBeLessThanOrEqual(1e-12);
  });

  it('returns typed results for infeasible and degenerate inputs, never NaN weights', () => {
    solver.setModel(smallModel(n, 2));
    const up = new Float64Array(n).fill(0.1);
    const neg = solver.solve({ linear: new Float64Array(n), upper: up, budget: -1 });
    expect(neg).toMatchObject({ ok: false, reason: 'infeasible' });
    const inf = Float64Array.from({ length: n }, (_, i) => (i === 3 ? Number.POSITIVE_INFINITY : 0));
    expect(solver.solve({ linear: inf, upper: up, budget: 1 })).toMatchObject({
      ok: false,
      reason: 'degenerate_input',
    });
    const bad = smallModel(n, 2);
    solver.setModel({ ...bad, factorCov: new Float64Array([1, 0, 0, -1]) });
    expect(solver.solve({ linear: new Float64Array(n), upper: up, budget: 1 })).toMatchObject({
      ok: false,
      reason: 'degenerate_input',
    });
    solver.setModel({ ...bad, specificVar: new Float64Array(n).fill(Number.NaN) });
    expect(solver.solve({ linear: new Float64Array(n), upper: up, budget: 1 })).toMatchObject({
      ok: false,
      reason: 'degenerate_input',
    });
  });

  it('warm-started solves of a drifting problem agree with cold solves', () => {
    const rng = Rng.fromSeed(99);
    const c = realisticCase(rng, 120);
    const warm = new AdmmQpSolver();
    const cold = new AdmmQpSolver();
    warm.setModel(c.model);
    cold.setModel(c.model);
    const q = Float64Array.from(c.instance.linear);
    let warmIts = 0;
    let coldIts = 0;
    for (let h = 0; h < 30; h++) {
      for (let i = 0; i < q.length; i++) q[i] = 0.95 * (q[i] as number) + 0.0005 * rng.normal();
      const inst = { ...c.instance, linear: q };
      const a = warm.solve(inst);
      const b = cold.solve(inst, { warmStart: false });
      expect(a.ok && b.ok).toBe(true);
      if (!a.ok || !b.ok) continue;
      warmIts += a.iterations;
      coldIts += b.iterations;
      expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-4 * Math.abs(b.objective) + 1e-12);
    }
    expect(warmIts).toBeLessThan(coldIts);
  });
});
