/**
 * The model artifact of a fold (`models/fold-NN.json`): plain JSON with a versioned schema, everything needed to
 * score new hours (the paper-trading path loads it): the fold, the feature list and their normalisation, the
 * score formula, and the fitted routes. Serialising is deterministic: same fit ⇒ same bytes.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/index.ts';
import { ModelParams, Route } from './model-params.ts';
import { MODEL_ROUTES } from './routes/registry.ts';
import { Fold } from './walk-forward.ts';

export const MODEL_SCHEMA = 'hts.model';
export const MODEL_SCHEMA_VERSION = 1;

const num = z.number();
const nums = z.array(num);
/** One GBDT tree (gbdt/model.ts `GbdtTree`). */
const Tree = z
  .object({ feature: nums, threshold: nums, missingLeft: nums, left: nums, right: nums, value: nums })
  .strict();
/** A GBDT (gbdt/model.ts `GbdtModel`). */
const Gbdt = z
  .object({
    objective: z.enum(['regression', 'binary']),
    nFeatures: z.number().int().min(1),
    baseline: num,
    trees: z.array(Tree),
  })
  .strict();

export const RouteAArtifact = z
  .object({
    hidden: z.array(z.number().int().min(1)),
    yScale: z.number().gt(0),
    /** Network parameters (float32 values), layout documented in net.ts. */
    theta: nums,
    epochs: z.number().int(),
    bestEpoch: z.number().int(),
  })
  .strict();
export type RouteAArtifact = z.infer<typeof RouteAArtifact>;

export const RouteBArtifact = z
  .object({
    /** ridge.ts `RidgeModel`. */
    ridge: z.object({ coef: nums, intercept: num, lambda: num }).strict(),
    /** Trees on the ridge residual: μ̂ = ridge + trees. */
    gbdtReturn: Gbdt,
    gbdtDownside: Gbdt,
  })
  .strict();
export type RouteBArtifact = z.infer<typeof RouteBArtifact>;

export const ModelArtifact = z
  .object({
    schema: z.literal(MODEL_SCHEMA),
    schemaVersion: z.literal(MODEL_SCHEMA_VERSION),
    route: Route,
    seed: z.number().int(),
    fold: Fold,
    features: z.array(z.string()).min(1),
    normalization: z.object({ kind: z.literal('cross_sectional_z'), clipZ: z.number().gt(0) }).strict(),
    score: z
      .object({ formula: z.literal('mu - downsidePenalty * pDown'), downsidePenalty: z.number().min(0) })
      .strict(),
    params: ModelParams,
    training: z
      .object({
        rows: z.number().int(),
        hours: z.number().int(),
        validRows: z.number().int(),
        validHours: z.number().int(),
        /** Latest label known time among training rows (<= fold.cutoffMs, asserted). */
        maxLabelKnownMs: num,
        lastHourMs: num,
      })
      .strict(),
    routeA: RouteAArtifact.nullable(),
    routeB: RouteBArtifact.nullable(),
  })
  .strict();
export type ModelArtifact = z.infer<typeof ModelArtifact>;

/** The artifact as JSON text (deterministic key order: the order the fit wrote them). */
export function serializeModel(artifact: ModelArtifact): string {
  return JSON.stringify(artifact);
}

/** Parses and validates an artifact. @throws InvalidInputError naming the first bad field. */
export function parseModel(text: string): ModelArtifact {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError('model artifact is not valid JSON', { field: 'model' }, { cause: e });
  }
  const r = ModelArtifact.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InvalidInputError(`model artifact: ${issue.path.join('.')}: ${issue.message}`, {
      field: `model.${issue.path.join('.')}`,
    });
  }
  const a = r.data;
  const p = a.features.length;
  if (a.routeA) {
    const dims = [p, ...a.routeA.hidden, 2];
    let size = 0;
    for (let l = 0; l + 1 < dims.length; l++) size += dims[l]! * dims[l + 1]! + dims[l + 1]!;
    if (a.routeA.theta.length !== size)
      throw new InvalidInputError(
        `model artifact: routeA.theta must hold ${size} values, received ${a.routeA.theta.length}`,
        {
          field: 'model.routeA.theta',
        },
      );
  }
  if (a.routeB) {
    if (
      a.routeB.ridge.coef.length !== p ||
      a.routeB.gbdtReturn.nFeatures !== p ||
      a.routeB.gbdtDownside.nFeatures !== p
    )
      throw new InvalidInputError(`model artifact: routeB must have ${p} features`, {
        field: 'model.routeB',
      });
  }
  const held = MODEL_ROUTES[a.route].sections;
  if (held.includes('routeA') !== (a.routeA !== null) || held.includes('routeB') !== (a.routeB !== null))
    throw new InvalidInputError(`model artifact: route ${a.route} does not match the routes it holds`, {
      field: 'model.route',
    });
  return a;
}
