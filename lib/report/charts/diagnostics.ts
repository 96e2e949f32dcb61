/**
 * What the report expects from the models stage (TrainScore) about the signal: information coefficients per
 * walk-forward fold, mean forward returns by score decile, IC by horizon (decay) and feature importance. Every
 * part is optional: a model route that has no feature importance leaves it out and the report says so. The
 * models stage writes this JSON beside its fold artifacts; Finalize passes it to the report.
 */
import { z } from 'zod';

/** A finite number, or null when undefined for that fold (too few observations, zero variance). */
const Figure = z.number().finite().nullable();

export const SignalDiagnostics = z
  .object({
    schemaVersion: z.literal(1),
    /** The label horizon the IC and deciles are measured at (bars). */
    horizonBars: z.number().int().min(1),
    /** Per walk-forward fold: mean cross-sectional Pearson IC and rank (Spearman) IC over its test decisions. */
    folds: z
      .array(
        z
          .object({
            foldId: z.string().min(1),
            /** First and last test day (New York dates, `YYYY-MM-DD`). */
            testStart: z.iso.date(),
            testEnd: z.iso.date(),
            ic: Figure,
            rankIc: Figure,
            /** Decision hours with an IC. */
            observations: z.number().int().min(0),
          })
          .strict(),
      )
      .optional(),
    /** Mean forward excess return (fraction) of each score decile, bottom (1) to top (10), over the test period. */
    deciles: z
      .object({ meanForwardReturn: z.array(Figure).length(10) })
      .strict()
      .optional(),
    /** IC and rank IC of the same scores against forward returns at several horizons. */
    icDecay: z
      .array(z.object({ horizonBars: z.number().int().min(1), ic: Figure, rankIc: Figure }).strict())
      .min(1)
      .optional(),
    featureImportance: z
      .object({
        /** How importance was measured, e.g. 'GBDT total gain, mean over folds'. */
        method: z.string().min(1),
        features: z.array(z.object({ name: z.string().min(1), importance: z.number().finite() }).strict()),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SignalDiagnostics = z.infer<typeof SignalDiagnostics>;

/** The diagnostics of a run, or why there are none (e.g. 'the run used fixed targets, no model'). */
export type DiagnosticsInput =
  | { readonly available: true; readonly diagnostics: SignalDiagnostics }
  | { readonly available: false; readonly reason: string };
