import type { BacktestSpec } from '../backtest/index.ts';
import { InvalidInputError, nearestNames } from '../core/index.ts';
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
    features.forEach((name, i) => {
      try {
        getFeature(name);
      } catch (e) {
        if (e instanceof InvalidInputError) {
          throw new InvalidInputError(`features.${i}: ${e.message}`, {
            ...e.details,
            field: `features.${i}`,
          });
        }
        throw e;
      }
    });
    return [...new Set(features)];
  }
  if (features === 'default' || features === 'all') return FEATURE_NAMES;
  if ((FEATURE_FAMILIES as readonly string[]).includes(features)) {
    return featuresOfFamily(features as FeatureFamily).map((f) => f.name);
  }
  const presets = ['default', 'all', ...FEATURE_FAMILIES];
  throw new InvalidInputError(
    `features: unknown preset "${features}"; nearest: ${nearestNames(features, presets).join(', ')}; expected default, all, one of ${FEATURE_FAMILIES.join(', ')}, or a list of feature names`,
    { field: 'features', received: features },
  );
}

/**
 * Checks the spec's feature names before any work starts (the API's submit, the CLI): an `InvalidInputError`
 * whose message starts with the spec path (`spec.features.3: unknown feature "ret_01"; nearest …`).
 */
export function validateSpecFeatures(spec: Pick<BacktestSpec, 'features'>): void {
  try {
    resolveFeatureNames(spec.features);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`spec.${e.message}`, e.details);
    throw e;
  }
}

/** The spec's label section in the labels module's terms. */
export function labelSpecOf(spec: BacktestSpec): LabelSpec {
  return {
    horizonBars: spec.labels.horizonBars,
    downsideK: spec.labels.downside.k,
    volWindowBars: spec.labels.downside.volWindowBars,
  };
}
