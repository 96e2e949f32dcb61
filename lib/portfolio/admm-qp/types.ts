/** The public shapes of the ADMM QP: the model, the per-hour instance, the options and the result. */

/** The quadratic part of the problem, fixed between risk-model refreshes. */
export interface QpModel {
  readonly n: number;
  readonly k: number;
  /** n×k, name-major: `loadings[i * k + f]`. */
  readonly loadings: Float64Array;
  /** k×k factor covariance (symmetric PSD). */
  readonly factorCov: Float64Array;
  /** n specific variances (≥ 0). */
  readonly specificVar: Float64Array;
  /** γ ≥ 0. */
  readonly riskAversion: number;
  /** Optional extra diagonal quadratic term d ≥ 0 (e.g. a quadratic trading cost), length n. */
  readonly diagPenalty?: Float64Array;
  /** Sector code per name in [0, nSectors); with `nSectors`, enables the soft sector penalty. */
  readonly sector?: Int16Array;
  readonly nSectors?: number;
}

/** The per-hour part of the problem. */
export interface QpInstance {
  /** q = score − linear cost per name (maximised). NaN → weight 0. */
  readonly linear: Float64Array;
  /** Upper bound per name u_i ≥ 0 (0 for filtered names). */
  readonly upper: Float64Array;
  /** Σw ≤ budget (1 = fully invested at most). */
  readonly budget: number;
  /** Benchmark weight per sector (length nSectors); needed when `sectorPenalty` > 0. */
  readonly sectorBench?: Float64Array;
  readonly sectorBand?: number;
  /** λ ≥ 0. */
  readonly sectorPenalty?: number;
}

export interface QpOptions {
  readonly maxIterations?: number;
  readonly epsAbs?: number;
  readonly epsRel?: number;
  /** Start from the previous solve's iterates (default true). */
  readonly warmStart?: boolean;
  readonly polish?: boolean;
  /** Check termination every this many iterations (default 5). */
  readonly checkEvery?: number;
}

export type QpStatus = 'solved' | 'solved_polished';

export type QpResult =
  | {
      readonly ok: true;
      readonly weights: Float64Array;
      readonly objective: number;
      /** ADMM iterations (0 when the active set carried over from the previous solve verified directly). */
      readonly iterations: number;
      /** Equality-constrained solves of the active-set polish, over all attempts. */
      readonly polishRounds: number;
      readonly status: QpStatus;
      readonly primalResidual: number;
      readonly dualResidual: number;
    }
  | {
      readonly ok: false;
      readonly reason: 'infeasible' | 'degenerate_input' | 'max_iterations';
      readonly message: string;
      readonly iterations: number;
      /** For `max_iterations`: the last iterate projected onto the feasible set (feasible, not optimal). */
      readonly fallbackWeights?: Float64Array;
    };

/** A solve that did not produce weights. */
export type QpFailure = Extract<QpResult, { readonly ok: false }>;
