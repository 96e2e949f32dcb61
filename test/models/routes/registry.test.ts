import { describe, expect, it } from 'vitest';
import { MODEL_ROUTES, modelRoute, Route } from '../../../lib/models/index.ts';

describe('models: the route registry', () => {
  it('holds one route per kind of the config, under its own kind', () => {
    expect(Object.keys(MODEL_ROUTES).sort()).toEqual([...Route.options].sort());
    for (const kind of Route.options) expect(modelRoute(kind).kind).toBe(kind);
  });
  it('the ensemble fills the sections of both routes it averages', () => {
    expect(modelRoute('A').sections).toEqual(['routeA']);
    expect(modelRoute('B').sections).toEqual(['routeB']);
    expect(modelRoute('ensemble').sections).toEqual(['routeA', 'routeB']);
  });
});
