/**
 * A decider that steps toward fixed target weights, without an optimizer: for benchmarks of the engine and for
 * engine tests whose arithmetic is checked by hand. Not the product's decision (that is `decide.ts`).
 *
 * Per hour t: each tradable name's target (NaN or 0 = no position; a non-member gets 0) is scaled by the risk state,
 * min(gross × w, nameCap × maxWeight), then approached from the current weights by a uniform step within the
 * turnover cap: w₀ + α(target − w₀), α = min(1, cap / Σ|target − w₀|) (α = 1 when the gross scale is 0: risk_off
 * flattens at once). Names that cannot trade count at their current weight.
 */
import { type FloatColumn, InvalidInputError } from '../core/index.ts';
import type { EngineMarket } from './chunk-input.ts';
import {
  type DecisionBuffers,
  type DecisionQuery,
  DecisionStatus,
  type HourDecider,
} from './decision-port.ts';

export interface TargetDeciderInput {
  /** Target weights (fractions of NAV, >= 0; NaN or 0 = none), one row of nA per market row. */
  readonly target: FloatColumn;
  /** Point-in-time membership per market row (1 = member); absent: every name is eligible. */
  readonly member?: Uint8Array | undefined;
  /** Largest Σ|w − w₀| per hour (two-way). */
  readonly turnoverCap: number;
  /** The per-name cap before the risk state's name-cap scale. */
  readonly maxWeight: number;
}

export function targetDecider(input: TargetDeciderInput): HourDecider {
  const { target, member } = input;
  const cap = +input.turnoverCap;
  const maxWeight = +input.maxWeight;
  if (!(cap > 0)) {
    throw new InvalidInputError(`turnoverCap must be > 0, received ${cap}`, { field: 'turnoverCap' });
  }
  if (!(maxWeight > 0 && maxWeight <= 1)) {
    throw new InvalidInputError(`maxWeight must be in (0, 1], received ${maxWeight}`, { field: 'maxWeight' });
  }
  return {
    decide(market: EngineMarket, q: DecisionQuery, out: DecisionBuffers): void {
      const { nA } = market;
      const row = q.row * nA;
      if (target.length < row + nA) {
        throw new InvalidInputError(`target has no row for market row ${q.row}`, { field: 'target' });
      }
      const { w0, tradable } = q;
      const wOut = out.weights;
      out.hold(w0, DecisionStatus.solved_polished);
      const gross = q.gross;
      const nameCapW = q.nameCap * maxWeight;
      let turnover = 0;
      for (let a = 0; a < nA; a++) {
        if (tradable[a] !== 1) continue;
        const w = target[row + a]!;
        if (w < 0) {
          throw new InvalidInputError(
            `target weight at bar ${q.bar}, asset ${a} must be >= 0, received ${w}`,
            {
              field: 'target',
              bar: q.bar,
              asset: a,
            },
          );
        }
        const sw = Math.min(
          gross * (!(w > 0) || (member !== undefined && member[row + a] === 0) ? 0 : w),
          nameCapW,
        );
        wOut[a] = sw;
        turnover += Math.abs(sw - w0[a]!);
      }
      const alpha = gross > 0 ? (turnover <= cap ? 1 : cap / turnover) : 1;
      if (alpha !== 1) {
        for (let a = 0; a < nA; a++) {
          if (tradable[a] === 1) wOut[a] = w0[a]! + alpha * (wOut[a]! - w0[a]!);
        }
      }
      out.turnover = alpha === 1 ? turnover : cap;
      out.bindingTurnover = alpha !== 1;
    },
  };
}
