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
    lambda: z.number().min(0).default(0.1),
    /** Rows used for the normal equations (evenly strided above this). */
    maxRows: z.number().int().min(100).default(300_000),
  })
  .strict();

export const GbdtConfig = z
  .object({
    numTrees: z.number().int().min(1).default(200),
    learningRate: z.number().gt(0).max(1).default(0.05),
    numLeaves: z.number().int().min(2).max(1024).default(31),
    maxDepth: z.number().int().min(1).nullable().default(null),
    minDataInLeaf: z.number().int().min(1).default(500),
    minHessianInLeaf: z.number().min(0).default(1e-3),
    l2: z.number().min(0).default(10),
    maxBins: z.number().int().min(2).max(255).default(63),
    rowSubsample: z.number().gt(0).max(1).default(0.5),
    featureSubsample: z.number().gt(0).max(1).default(0.8),
    earlyStoppingRounds: z.number().int().min(0).default(20),
    /** Training rows above this are thinned by taking every k-th hour (deterministic). */
    maxRows: z.number().int().min(1000).default(600_000),
  })
  .strict();

export const NetConfig = z
  .object({
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32, 16]),
    dropout: z.number().min(0).lt(1).default(0.1),
    learningRate: z.number().gt(0).default(1e-3),
    weightDecay: z.number().min(0).default(1e-4),
    epochs: z.number().int().min(1).default(4),
    patience: z.number().int().min(1).default(2),
    hoursPerBatch: z.number().int().min(1).default(1),
    huberDelta: z.number().gt(0).default(1.5),
    downsideWeight: z.number().min(0).default(0.5),
    hourSubsample: z.number().gt(0).max(1).default(1),
    /** Rows of the validation slice used for permutation importance. */
    importanceRows: z.number().int().min(0).default(2000),
  })
  .strict();

export const ModelParams = z
  .object({
    downsidePenalty: z.number().min(0).default(0.001),
    /** Cross-sectional z-scores are clipped to ±clipZ (features and the return target). */
    clipZ: z.number().gt(0).default(5),
    /** Last share of training hours held out (after a purge) for early stopping and importance. */
    validationFraction: z.number().min(0).max(0.5).default(0.15),
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
