import type { BacktestSpec } from '../backtest/index.ts';
import { InvalidInputError } from '../core/index.ts';
import {
  FEATURE_FAMILIES,
  FEATURE_NAMES,
  type FeatureFamily,
  featuresOfFamily,
  getFeature,
} from '../features/index.ts';
import type { LabelSpec } from '../labels/index.ts';

/**
 * The spec's `features`: a preset or an explicit list of registered names. Presets: `default` and `all` (every
 * registered feature), or a family name (`momentum`, `volatility`, …: that family only). Unknown names fail with
 * the field named — a typo never silently drops a feature.
 */
export function resolveFeatureNames(features: string | readonly string[]): readonly string[] {
  if (typeof features !== 'string') {
    for (const name of features) getFeature(name);
    return [...new Set(features)];
  }
  if (features === 'default' || features === 'all') return FEATURE_NAMES;
  if ((FEATURE_FAMILIES as readonly string[]).includes(features)) {
    return featuresOfFamily(features as FeatureFamily).map((f) => f.name);
  }
  throw new InvalidInputError(
    `features: unknown preset "${features}"; expected default, all, one of ${FEATURE_FAMILIES.join(', ')}, or a list of feature names`,
    { field: 'features' },
  );
}

/** The spec's label section in the labels module's terms. */
export function labelSpecOf(spec: BacktestSpec): LabelSpec {
  return {
    horizonBars: spec.labels.horizonBars,
    downsideK: spec.labels.downside.k,
    volWindowBars: spec.labels.downside.volWindowBars,
  };
}
