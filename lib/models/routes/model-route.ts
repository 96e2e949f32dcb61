/**
 * A model route: how a fold's model is fitted on its training rows and how it scores rows (Qlib's fit / predict).
 * `spec.model.route` picks one from the registry (registry.ts). A route fills its sections of the model artifact
 * (`routeA`, `routeB`) and of the training report; the others stay null.
 */
import { InvalidInputError } from '../../core/index.ts';
import type { ModelArtifact, RouteAArtifact, RouteBArtifact } from '../artifact.ts';
import type { TrainingMatrix } from '../dataset.ts';
import type { ModelParams, Route } from '../model-params.ts';

/** What a route is fitted on: a fold's standardised training rows. */
export interface RouteTrainingData {
  readonly fit: TrainingMatrix;
  /** The purged validation slice (early stopping, importance); null when there is none. */
  readonly valid: TrainingMatrix | null;
  readonly params: ModelParams;
  readonly features: readonly string[];
  /** The fold's seed (derived from the run's seed and the fold id). */
  readonly seed: number;
}

/** Route A's training report: the network's losses and its permutation importance. */
export interface RouteAReport {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly trainLoss: number[];
  readonly validLoss: number[];
  /** Rise in return-head MSE when the feature is shuffled within hours (validation slice). */
  readonly permutationImportance: Record<string, number>;
}

/** Route B's training report: ridge coefficients, GBDT sizes, losses and gains. */
export interface RouteBReport {
  readonly ridgeCoef: Record<string, number>;
  readonly gbdtReturnTrees: number;
  readonly gbdtDownsideTrees: number;
  readonly gbdtReturnValidLoss: number[];
  readonly gbdtDownsideValidLoss: number[];
  /** Total split gain per feature (return trees + downside trees reported apart). */
  readonly gbdtReturnGain: Record<string, number>;
  readonly gbdtDownsideGain: Record<string, number>;
}

/** The sections of the model artifact and of the training report that routes fill. */
export type RouteSection = 'routeA' | 'routeB';

export interface RouteFit {
  readonly sections: { readonly routeA: RouteAArtifact | null; readonly routeB: RouteBArtifact | null };
  readonly reports: { readonly routeA: RouteAReport | null; readonly routeB: RouteBReport | null };
}

/** A route's outputs for scored rows: μ̂ and p̂. */
export interface RouteScores {
  readonly mu: Float64Array;
  readonly pDown: Float64Array;
}

export interface RouteOutput extends RouteScores {
  /** The member routes' own outputs when the route combines them (the ensemble); null otherwise. */
  readonly members: { readonly A: RouteScores; readonly B: RouteScores } | null;
}

export interface ModelRoute<K extends Route = Route> {
  readonly kind: K;
  /** The sections the route fills (an artifact of this route holds exactly these). */
  readonly sections: readonly RouteSection[];
  fit(data: RouteTrainingData): RouteFit;
  /** μ̂ and p̂ of n rows of a standardised matrix (n × features), from the artifact's sections. */
  score(artifact: ModelArtifact, x: Float32Array, n: number): RouteOutput;
}

/** The artifact's section, which the route scoring it needs. @throws InvalidInputError when it is null. */
export function sectionOf<S extends RouteSection>(
  artifact: ModelArtifact,
  section: S,
): NonNullable<ModelArtifact[S]> {
  const value = artifact[section];
  if (value === null)
    throw new InvalidInputError(`model artifact: route ${artifact.route} holds no ${section}`, {
      field: `model.${section}`,
    });
  return value;
}

/** Values by feature name (in the features' order). */
export function byFeature(names: readonly string[], v: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, j) => {
    out[n] = v[j]!;
  });
  return out;
}
