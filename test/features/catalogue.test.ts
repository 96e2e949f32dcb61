import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { featureCatalogue, featuresMarkdown } from '../../lib/features/catalogue.ts';
import { FEATURE_NAMES, getFeature } from '../../lib/features/registry.ts';
import { resolveFeatureNames, validateSpecFeatures } from '../../lib/pipeline/feature-set.ts';

describe('features: catalogue', () => {
  it('the committed docs/features.md equals the generator (npx tsx local/cli/write-docs.ts)', () => {
    const committed = readFileSync(new URL('../../docs/features.md', import.meta.url), 'utf8');
    expect(committed).toBe(featuresMarkdown());
    for (const name of FEATURE_NAMES) expect(committed).toContain(`| \`${name}\` |`);
  });

  it('has one entry per registered feature with its look-back, known-time rule and proxy notes', () => {
    const all = featureCatalogue();
    expect(all.map((e) => e.name)).toEqual(FEATURE_NAMES);
    const spread = all.find((e) => e.name === 'spread_bps')!;
    expect(spread.proxy).toMatch(/high–low/);
    expect(all.find((e) => e.name === 'ret_35')).toMatchObject({
      family: 'momentum',
      lookbackBars: 35,
      inputs: ['split-adjusted close'],
    });
    expect(all.find((e) => e.name === 'sent_score')!.knownTime).toMatch(/known_time ≤ decision_time/);
    expect(all.find((e) => e.name === 'ret_35')!.proxy).toBeUndefined();
  });

  it('filters by family, and an unknown family names the nearest ones', () => {
    const vol = featureCatalogue('volatility');
    expect(vol.length).toBeGreaterThan(0);
    expect(vol.every((e) => e.family === 'volatility')).toBe(true);
    expect(() => featureCatalogue('volatilty')).toThrow(/nearest: volatility/);
  });
});

describe('features: unknown names answer with the nearest registered names', () => {
  it('getFeature names the 3 nearest by edit distance', () => {
    let err: unknown;
    try {
      getFeature('ret_01');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    const e = err as InvalidInputError;
    expect(e.message).toContain('unknown feature "ret_01"');
    expect(e.details.nearest).toHaveLength(3);
    expect(e.details.nearest).toContain('ret_1');
    expect(e.message).toContain('ret_1');
  });

  it('a spec list names the offending index; a preset typo names the nearest preset', () => {
    expect(() => validateSpecFeatures({ features: ['ret_1', 'vol_53'] })).toThrow(
      /^spec\.features\.1: unknown feature "vol_53"; nearest registered names: [^(]*vol_35/,
    );
    expect(() => resolveFeatureNames('momentun')).toThrow(/nearest: momentum/);
  });
});
