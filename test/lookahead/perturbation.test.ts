import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFeatureInputs } from '../../lib/features/build.ts';
import { computeFeatures } from '../../lib/features/compute-features.ts';
import { FeatureContext, type FeatureInputs } from '../../lib/features/context.ts';
import { joinTrap } from '../../lib/features/pit-features.ts';
import { getFeature } from '../../lib/features/registry.ts';
import { auditLookahead, firstDifference, perturbAfter } from '../../lib/lookahead/perturb.ts';
import { smallDataset } from '../features/fixture.ts';

const LAG = 60_000;

async function inputs(): Promise<FeatureInputs> {
  const reader = await smallDataset('2023-06-01', '2024-01-31', 30, 11);
  return loadFeatureInputs(reader, '2023-06-01', '2024-01-31', LAG);
}

function allFeatures(inp: FeatureInputs): Record<string, Float32Array> {
  const r = computeFeatures(inp);
  return Object.fromEntries(r.names.map((n, k) => [n, r.values[k]!]));
}

describe('lookahead: perturbAfter', () => {
  it('garbles bars after T and PIT rows known after decision(T), and nothing before', async () => {
    const inp = await inputs();
    const T = 500;
    const p = perturbAfter(inp, T, { seed: 1 });
    const nA = inp.nA;
    expect(firstDifference(inp.bars.close, p.bars.close, nA, T)).toBeUndefined();
    expect(firstDifference(inp.bars.close, p.bars.close, nA, inp.grid.nT - 1)?.bar).toBe(T + 1);
    const s = inp.series.sentiment!;
    const ps = p.series.sentiment!;
    const cut = inp.grid.closeMs[T]! + LAG;
    let changed = 0;
    for (let i = 0; i < s.n; i++) {
      if (s.knownTime[i]! <= cut) expect(ps.fields.score![i]).toBe(s.fields.score![i]);
      else if (ps.fields.score![i] !== s.fields.score![i]) changed++;
    }
    expect(changed).toBeGreaterThan(100);
  });
});

describe('lookahead: every feature is invariant to the future (property)', () => {
  it('holds at random T, session ends, an early close and just before a fundamental release', async () => {
    const inp = await inputs();
    const g = inp.grid;
    const original = allFeatures(inp);
    const specials: number[] = [];
    // the last bar of a session, an early close (2023-11-24, day after Thanksgiving), and the bar just before
    // the decision time that first sees a fundamentals row
    for (let t = 0; t + 1 < g.nT; t++)
      if (g.sessionOfBar[t + 1] !== g.sessionOfBar[t]) {
        specials.push(t);
        break;
      }
    const early = g.sessions.findIndex((s) => s.earlyClose);
    expect(early).toBeGreaterThan(0);
    let lastOfEarly = 0;
    for (let t = 0; t < g.nT; t++) if (g.sessionOfBar[t] === early) lastOfEarly = t;
    specials.push(lastOfEarly);
    const f = inp.series.fundamentals!;
    const k = f.knownTime[Math.floor(f.n / 2)]!;
    let before = 0;
    while (before + 1 < g.nT && g.closeMs[before + 1]! + LAG < k) before++;
    specials.push(before);
    for (const T of specials) {
      const audit = auditLookahead(inp, allFeatures, T, { seed: T }, original);
      expect(audit.differences, `T = ${T}`).toEqual([]);
      expect(audit.compared).toBe(Object.keys(original).length);
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: g.nT - 2 }), fc.integer({ min: 0, max: 1000 }), (T, seed) => {
        const audit = auditLookahead(inp, allFeatures, T, { seed }, original);
        return audit.ok;
      }),
      { numRuns: 12, seed: 42 },
    );
  });

  it('detects a leaky computation (the harness can fail)', async () => {
    const inp = await inputs();
    const leaky = (x: FeatureInputs): Record<string, Float64Array> => {
      const out = new Float64Array(x.grid.nT * x.nA);
      for (let i = 0; i + x.nA < out.length; i++) out[i] = x.bars.close[i + x.nA]!; // next bar's close
      return { leaky: out };
    };
    const audit = auditLookahead(inp, leaky, 300, { seed: 3 });
    expect(audit.ok).toBe(false);
    expect(audit.differences[0]!.bar).toBe(300);
  });
});

describe('lookahead: the planted trap cannot leak', () => {
  it('its point-in-time join only moves at bars whose decision time is at or after a trap row known time', async () => {
    const reader = await smallDataset('2023-06-01', '2024-01-31', 30, 11);
    const inp = await loadFeatureInputs(reader, '2023-06-01', '2024-01-31', LAG);
    const trap = await reader.readSeries('trap');
    const withTrap: FeatureInputs = { ...inp, series: { ...inp.series, trap } };
    const ctx = new FeatureContext(withTrap, (n, c, o) => getFeature(n).compute(c, o));
    const out = new Float64Array(ctx.size);
    joinTrap(ctx, out);
    const { nA } = inp;
    const knownBy = new Map<number, number[]>();
    for (let i = 0; i < trap.n; i++) {
      const list = knownBy.get(trap.entity[i]!) ?? [];
      list.push(trap.knownTime[i]!);
      knownBy.set(trap.entity[i]!, list);
    }
    let moves = 0;
    for (let t = 1; t < ctx.nT; t++) {
      for (let a = 0; a < nA; a++) {
        const x = out[t * nA + a]!;
        const y = out[(t - 1) * nA + a]!;
        if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
        moves++;
        // some trap row of a became known in (decision(t-1), decision(t)]
        const ks = knownBy.get(a) ?? [];
        expect(ks.some((k) => k > ctx.decisionMs[t - 1]! && k <= ctx.decisionMs[t]!)).toBe(true);
      }
    }
    expect(moves).toBeGreaterThan(100);
    // joined on known time, the trap value at t is about a session that has already closed: released a session
    // after the return it describes, it never describes the future of t
    const row = ctx.pit('trap')!;
    for (let i = 0; i < row.knownAt.length; i++) {
      const k = row.knownAt[i]!;
      if (!Number.isNaN(k)) expect(k).toBeLessThanOrEqual(ctx.decisionMs[Math.floor(i / nA)]!);
    }
  });
});
