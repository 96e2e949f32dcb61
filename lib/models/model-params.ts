/**
 * Hyper-parameters of the model stage (`spec.model.params`), strict: an unknown key fails loudly. Defaults live
 * here once.
 *
 * The score fed to the optimizer: score = μ̂ − downsidePenalty · p̂, where μ̂ is the expected 5-bar excess return
 * (per-hour demeaned, a return fraction) and p̂ the probability of the downside event. `downsidePenalty` is in
 * return units per unit of probability: the default 0.001 charges 10 bp of expected excess return for a
 * certain downside event (about 0.5 bp for a typical 5 % probability, in scale with μ̂, whose cross-sectional
 * spread is a few bp at the planted IC of 0.04).
 */
import { z } from 'zod';

export const RidgeParams = z
  .object({
    /** Penalty λ·n·‖β‖² on standardised features. */
    lambda: z
      .number()
      .min(0)
      .max(1e6)
      .default(0.1)
      .describe('Ridge penalty on standardised features, 0..1e6'),
    /** Rows used for the normal equations (evenly strided above this). */
    maxRows: z
      .number()
      .int()
      .min(100)
      .max(5_000_000)
      .default(300_000)
      .describe('Rows used for the normal equations (evenly strided above), 100..5,000,000'),
  })
  .strict();

export const GbdtConfig = z
  .object({
    numTrees: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(200)
      .describe('Boosting rounds, 1..5,000 (and numTrees × training rows within the plan budget)'),
    learningRate: z.number().gt(0).max(1).default(0.05).describe('Shrinkage, (0, 1]'),
    numLeaves: z.number().int().min(2).max(1024).default(31).describe('Leaves per tree, 2..1,024'),
    maxDepth: z
      .number()
      .int()
      .min(1)
      .max(32)
      .nullable()
      .default(null)
      .describe('Depth limit, 1..32, or null'),
    minDataInLeaf: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(500)
      .describe('Rows per leaf, 1..1,000,000'),
    minHessianInLeaf: z.number().min(0).max(1e6).default(1e-3).describe('Hessian per leaf, 0..1e6'),
    l2: z.number().min(0).max(1e6).default(10).describe('L2 penalty on leaf values, 0..1e6'),
    maxBins: z.number().int().min(2).max(255).default(63).describe('Histogram bins per feature, 2..255'),
    rowSubsample: z.number().gt(0).max(1).default(0.5).describe('Row share per tree, (0, 1]'),
    featureSubsample: z.number().gt(0).max(1).default(0.8).describe('Feature share per tree, (0, 1]'),
    earlyStoppingRounds: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .default(20)
      .describe('Rounds without validation gain before stopping, 0..5,000 (0: off)'),
    /** Training rows above this are thinned by taking every k-th hour (deterministic). */
    maxRows: z
      .number()
      .int()
      .min(1000)
      .max(5_000_000)
      .default(600_000)
      .describe('Training rows above this are thinned (every k-th hour), 1,000..5,000,000'),
  })
  .strict();

export const NetConfig = z
  .object({
    hidden: z
      .array(z.number().int().min(1).max(1024))
      .min(1)
      .max(4)
      .default([32, 16])
      .describe('Hidden layer widths: 1..4 layers of 1..1,024 units'),
    dropout: z.number().min(0).lt(1).default(0.1).describe('Dropout rate, [0, 1)'),
    learningRate: z.number().gt(0).max(1).default(1e-3).describe('Adam step size, (0, 1]'),
    weightDecay: z.number().min(0).max(1).default(1e-4).describe('Weight decay, 0..1'),
    epochs: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(4)
      .describe('Passes over the training rows, 1..200 (and epochs × training rows within the plan budget)'),
    patience: z.number().int().min(1).max(200).default(2).describe('Epochs without validation gain, 1..200'),
    hoursPerBatch: z.number().int().min(1).max(1000).default(1).describe('Hours per mini-batch, 1..1,000'),
    huberDelta: z.number().gt(0).max(100).default(1.5).describe('Huber loss threshold, (0, 100]'),
    downsideWeight: z.number().min(0).max(100).default(0.5).describe('Weight of the downside head, 0..100'),
    hourSubsample: z.number().gt(0).max(1).default(1).describe('Share of training hours per epoch, (0, 1]'),
    /** Rows of the validation slice used for permutation importance. */
    importanceRows: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(2000)
      .describe('Validation rows used for permutation importance, 0..100,000'),
  })
  .strict();

/** The keys every route reads. */
const SHARED_PARAMS = {
  downsidePenalty: z
    .number()
    .min(0)
    .max(1)
    .default(0.001)
    .describe('score = μ̂ − downsidePenalty · p̂ (return per unit of probability), 0..1'),
  /** Cross-sectional z-scores are clipped to ±clipZ (features and the return target). */
  clipZ: z.number().gt(0).max(100).default(5).describe('Clip of cross-sectional z-scores, (0, 100]'),
  /** Last share of training hours held out (after a purge) for early stopping and importance. */
  validationFraction: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.15)
    .describe('Last share of training hours held out for early stopping, 0..0.5'),
};

export const ModelParams = z
  .object({
    ...SHARED_PARAMS,
    ridge: RidgeParams.prefault({}),
    gbdt: GbdtConfig.prefault({}),
    net: NetConfig.prefault({}),
  })
  .strict();
export type ModelParams = z.infer<typeof ModelParams>;
export type ModelParamsInput = z.input<typeof ModelParams>;

/** The model route (routes/registry.ts): the network (A), ridge + GBDT (B), or the mean of both. */
export const Route = z.enum(['A', 'B', 'ensemble']);
export type Route = z.infer<typeof Route>;

/**
 * `spec.model.params` as each route accepts it, strict: a key no route reads, or a section of another route's model
 * (`gbdt` for route A, `net` for route B), is refused with its path. Checked at submit (`lib/pipeline/admission.ts`);
 * the model stage parses the same params with `ModelParams` (every section, defaults applied).
 */
export const ROUTE_PARAMS: { readonly [K in Route]: z.ZodType } = {
  A: z.object({ ...SHARED_PARAMS, net: NetConfig.prefault({}) }).strict(),
  B: z.object({ ...SHARED_PARAMS, ridge: RidgeParams.prefault({}), gbdt: GbdtConfig.prefault({}) }).strict(),
  ensemble: ModelParams,
};
