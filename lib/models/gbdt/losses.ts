/**
 * The objectives' losses: `regression` (half squared error: g = ŷ − y, h = 1) and `binary` (log loss on the logit:
 * g = σ(ŷ) − y, h = σ(1 − σ)).
 */
import type { GbdtObjective } from './params.ts';

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function meanLoss(
  objective: GbdtObjective,
  raw: Float64Array,
  y: ArrayLike<number>,
  n: number,
): number {
  let s = 0;
  if (objective === 'regression') {
    for (let i = 0; i < n; i++) {
      const d = raw[i]! - y[i]!;
      s += 0.5 * d * d;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const z = raw[i]!;
      // log(1 + e^z) − y z, computed stably
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i]! * z;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}
