import type { PitSeriesName } from '../data/index.ts';
import type { FeatureContext } from './context.ts';

export const FEATURE_FAMILIES = [
  'momentum',
  'volatility',
  'liquidity',
  'cross_sectional',
  'fundamental',
  'macro',
  'sentiment',
  'analyst',
  'freshness',
] as const;
export type FeatureFamily = (typeof FEATURE_FAMILIES)[number];

/** How a feature value at bar t becomes known. */
export type FeatureKnown =
  /** From bars up to and including t: known at t's close. */
  | { readonly kind: 'bar_close' }
  /** From PIT rows with known_time <= decision_time(t) (and possibly bars <= t). */
  | { readonly kind: 'pit'; readonly series: readonly PitSeriesName[] };

export interface FeatureDef {
  readonly name: string;
  readonly family: FeatureFamily;
  readonly description: string;
  /** Cached inputs it reads: derived series names, `pit:<series>`, `f:<feature>` (freed after their last use). */
  readonly inputs: readonly string[];
  /** Bars before t that the value depends on (0 = bar t only). */
  readonly lookbackBars: number;
  /** Bars of warm-up needed for the value to be exact (a rolling window of w bars needs w - 1, see kernels.ts). */
  readonly warmupBars: number;
  readonly known: FeatureKnown;
  /** Cross-sectional over index members: NaN outside the index. */
  readonly membersOnly?: boolean;
  /** What the value stands in for when the data lacks the real thing (e.g. a spread from the high–low range). */
  readonly proxy?: string;
  /** Writes the feature (nT × nA) into `out`. Cells without a bar are masked to NaN by the builder. */
  compute(ctx: FeatureContext, out: Float64Array): void;
}

export const BAR_CLOSE: FeatureKnown = { kind: 'bar_close' };

/** Minimum valid observations for a window of w bars: 80 % of it (at least 2). */
export function minObsFor(w: number): number {
  return Math.max(Math.min(w, 2), Math.ceil(0.8 * w));
}
