/**
 * lib/features: the feature registry and kernels.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/features may import lib/core, lib/data, lib/labels,
 * each through its index.ts; other folders of lib import lib/features through this file only; nothing in lib imports lib/api.
 */
export {
  buildFeatureBlock,
  buildFeaturesForMonth,
  type FeatureBlock,
  loadFeatureInputs,
  warmupStartDate,
} from './build.ts';
export { type FeatureCatalogueEntry, featureCatalogue, featuresMarkdown } from './catalogue.ts';
export type { FeatureInputs, RawBars } from './context.ts';
export { FEATURE_FAMILIES, type FeatureFamily } from './feature-def.ts';
export { encodeFeatureFile } from './feature-file.ts';
export { FEATURE_NAMES, featuresOfFamily, getFeature, warmupBarsFor } from './registry.ts';
