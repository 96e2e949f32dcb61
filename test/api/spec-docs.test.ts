import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CreatePaperBody } from '../../lib/api/paper.ts';
import { specMarkdown } from '../../lib/api/spec-docs.ts';
import { BacktestSpec } from '../../lib/backtest/spec.ts';

const committed = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');

interface Leaf {
  readonly path: string;
  readonly description: string | undefined;
  readonly unit: string | undefined;
  readonly numeric: boolean;
}

type AnyDef = {
  type: string;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
};
const defOf = (s: z.ZodType): AnyDef => (s as unknown as { _zod: { def: AnyDef } })._zod.def;
const metaOf = (s: z.ZodType): { description?: string; unit?: string } =>
  (z.globalRegistry.get(s) ?? {}) as { description?: string; unit?: string };

/**
 * Every property of a zod object schema, walked from the zod definitions themselves (not from the JSON Schema the
 * generator reads): wrappers (default, prefault, optional) are unwrapped, the documentation found on any layer.
 */
function walk(schema: z.ZodType, path: string, out: Leaf[]): void {
  let s = schema;
  let description: string | undefined;
  let unit: string | undefined;
  for (;;) {
    const m = metaOf(s);
    description ??= m.description;
    unit ??= m.unit;
    const def = defOf(s);
    if (def.innerType !== undefined && ['default', 'prefault', 'optional', 'nullable'].includes(def.type)) {
      s = def.innerType;
      continue;
    }
    break;
  }
  const def = defOf(s);
  if (path !== '') out.push({ path, description, unit, numeric: def.type === 'number' });
  if (def.type === 'object') {
    for (const [key, child] of Object.entries((s as z.ZodObject).shape)) {
      walk(child as z.ZodType, path === '' ? key : `${path}.${key}`, out);
    }
  } else if (def.type === 'union') {
    // a union of objects (dataset, execution.impact): the properties of every variant, under the union's path
    for (const option of def.options ?? []) {
      if (defOf(option).type !== 'object') continue;
      for (const [key, child] of Object.entries((option as z.ZodObject).shape)) {
        walk(child as z.ZodType, `${path}.${key}`, out);
      }
    }
  }
}

const leaves = (schema: z.ZodType): Leaf[] => {
  const out: Leaf[] = [];
  walk(schema, '', out);
  return out;
};

describe('api: specMarkdown (docs/spec.md)', () => {
  it('the committed docs/spec.md equals the generator (npx tsx local/cli/write-docs.ts)', () => {
    expect(committed).toBe(specMarkdown());
  });

  it('walks every property of BacktestSpec: each has a description, numbers a unit, and a row in docs/spec.md', () => {
    const all = leaves(BacktestSpec);
    // the walk reaches the deep corners the issue named, so it cannot pass by walking nothing
    expect(all.map((l) => l.path)).toEqual(
      expect.arrayContaining([
        'execution.impact.etaBps',
        'execution.impact.eta',
        'risk.hysteresis.riskOffExit',
        'risk.scales.conservative.nameCap',
        'decisionLagMs',
        'dataset.name',
      ]),
    );
    expect(all.length).toBeGreaterThan(60);
    const undocumented = all.filter((l) => (l.description ?? '').trim() === '').map((l) => l.path);
    expect(undocumented).toEqual([]);
    const withoutUnit = all.filter((l) => l.numeric && (l.unit ?? '') === '').map((l) => l.path);
    expect(withoutUnit).toEqual([]);
    const missingRows = all.filter((l) => !committed.includes(`| \`${l.path}\` |`)).map((l) => l.path);
    expect(missingRows).toEqual([]);
  });

  it('documents the paper-trading body the same way', () => {
    const all = leaves(CreatePaperBody);
    expect(all.map((l) => l.path)).toEqual([
      'spec',
      'model',
      'model.runId',
      'model.fold',
      'capital',
      'startDate',
    ]);
    expect(all.filter((l) => !l.description).map((l) => l.path)).toEqual([]);
    for (const l of all) expect(committed).toContain(`| \`${l.path}\` |`);
  });

  it('a row carries the default, the unit and the bounds of its field', () => {
    const row = (path: string) => committed.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    expect(row('execution.slippageBps')).toMatch(/\| number \| bps \| `1` \| 0 ≤ x ≤ 100 \|/);
    expect(row('portfolio.maxWeight')).toMatch(/\| fraction of NAV \| `0.1` \| 0 < x ≤ 1 \|/);
    expect(row('period.start')).toContain('**required**');
  });
});
