/**
 * The explicit warm start (`TradeOptions.seed`): a seeded solve depends on the instance and the seed only, so a
 * fresh optimizer (a new Lambda, a paper tick) and one that solved other hours before give the same bits; and the
 * cold path (`warmStart: false`) does not depend on earlier solves either.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/core/rng.ts';
import { TradeOptimizer, type TradeResult, type TradeSeed } from '../../../lib/portfolio/trade/index.ts';
import { randomTradeCase, type TradeCase } from './trade-fixtures.ts';

const bits = (r: TradeResult): string =>
  r.ok ? JSON.stringify({ ...r, weights: Array.from(r.weights) }) : JSON.stringify(r);

function fresh(c: TradeCase): TradeOptimizer {
  const o = new TradeOptimizer();
  o.setRiskModel(c.model, c.sectors);
  return o;
}

describe('trade optimizer: explicit seed', () => {
  it('a seeded or cold solve gives the same bits on a fresh optimizer and on one with history', () => {
    const rng = Rng.derive(5, 'test/trade-seed');
    let seeded = 0;
    for (let trial = 0; trial < 12; trial++) {
      const c = randomTradeCase(rng, { n: 40, k: 3, impact: true, sectors: true, ceilingFactor: 1.2 });
      // history: other hours solved first (warm state, ADMM ρ, the ceiling's μ all moved)
      const used = fresh(c);
      let seed: TradeSeed | undefined;
      for (let h = 0; h < 3; h++) {
        const other = randomTradeCase(rng, { n: 40, k: 3, impact: true, sectors: true, ceilingFactor: 0.8 });
        used.setRiskModel(other.model, other.sectors);
        const r = used.solve(other.inst);
        if (r.ok) seed = r.seed;
      }
      used.setRiskModel(c.model, c.sectors);
      expect(bits(used.solve(c.inst, { warmStart: false }))).toBe(
        bits(fresh(c).solve(c.inst, { warmStart: false })),
      );
      if (seed === undefined) continue;
      seeded++;
      const a = used.solve(c.inst, { seed });
      const b = fresh(c).solve(c.inst, { seed });
      expect(bits(a)).toBe(bits(b));
      // the seed survives JSON (as in the simulation state)
      const back = JSON.parse(JSON.stringify(seed)) as TradeSeed;
      expect(bits(fresh(c).solve(c.inst, { seed: back }))).toBe(bits(b));
      // …and the seeded optimum is the cold optimum (a warm start changes the path, not the answer)
      const cold = fresh(c).solve(c.inst, { warmStart: false });
      if (a.ok && cold.ok) {
        for (let i = 0; i < a.weights.length; i++) expect(a.weights[i]!).toBeCloseTo(cold.weights[i]!, 5);
      }
    }
    expect(seeded).toBeGreaterThan(5);
  });
});
