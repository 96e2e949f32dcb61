/**
 * The feature registry: every feature with its family, inputs, look-back, warm-up and how it becomes known.
 */
import { InvalidInputError, nearestNames } from '../core/index.ts';
import { LIQUIDITY_FEATURES, MOMENTUM_FEATURES, VOLATILITY_FEATURES } from './bar-features.ts';
import type { FeatureDef, FeatureFamily } from './feature-def.ts';
import {
  ANALYST_FEATURES,
  CROSS_SECTIONAL_FEATURES,
  FRESHNESS_FEATURES,
  FUNDAMENTAL_FEATURES,
  HELPER_FEATURES,
  MACRO_FEATURES,
  SENTIMENT_FEATURES,
} from './pit-features.ts';

/** Every public feature, in a fixed order (the column order of feature files). */
export const FEATURES: readonly FeatureDef[] = [
  ...MOMENTUM_FEATURES,
  ...VOLATILITY_FEATURES,
  ...LIQUIDITY_FEATURES,
  ...CROSS_SECTIONAL_FEATURES,
  ...FUNDAMENTAL_FEATURES,
  ...MACRO_FEATURES,
  ...SENTIMENT_FEATURES,
  ...ANALYST_FEATURES,
  ...FRESHNESS_FEATURES,
];

const BY_NAME = new Map<string, FeatureDef>(
  [...FEATURES, ...HELPER_FEATURES].map((f) => [f.name, f] as const),
);
if (BY_NAME.size !== FEATURES.length + HELPER_FEATURES.length)
  throw new Error('duplicate feature names in the registry');

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/** A feature (or internal helper) by name. @throws InvalidInputError for an unknown name. */
export function getFeature(name: string): FeatureDef {
  const f = BY_NAME.get(name);
  if (f === undefined) {
    const nearest = nearestNames(name, FEATURE_NAMES, 3);
    throw new InvalidInputError(
      `unknown feature "${name}"; nearest registered names: ${nearest.join(', ')} (all ${FEATURES.length}: docs/features.md or \`hts features list\`)`,
      { field: 'features', received: name, nearest },
    );
  }
  return f;
}

/** The public features of one family. */
export function featuresOfFamily(family: FeatureFamily): FeatureDef[] {
  return FEATURES.filter((f) => f.family === family);
}

/** Bars of warm-up that make every named feature exact, including the features and helpers it is built on. */
export function warmupBarsFor(names: readonly string[]): number {
  let w = 0;
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const f = getFeature(name);
    w = Math.max(w, f.warmupBars);
    for (const i of f.inputs) if (i.startsWith('f:')) visit(i.slice(2));
  };
  for (const n of names) visit(n);
  return w;
}
