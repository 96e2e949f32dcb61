import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_URL_TTL_SECONDS } from '../../lib/api/backtests.ts';
import { ROUTES } from '../../lib/api/routes.ts';
import { CHART_SCHEMA_VERSION } from '../../lib/report/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const route = (id: string) => ROUTES.find((r) => r.id === id);

describe('api/routes: the route table', () => {
  it('names each function, route and operation once; every entry is an API handler module that exists', () => {
    expect(new Set(ROUTES.map((r) => r.id)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => r.operation.operationId)).size).toBe(ROUTES.length);
    for (const r of ROUTES) {
      expect(r.entry, r.id).toMatch(/^lambdas\/api\/[a-z-]+\.ts$/);
      expect(existsSync(`${root}${r.entry}`), r.entry).toBe(true);
    }
  });

  it('is public only for the OpenAPI document and throttles only the submit route on its own', () => {
    expect(ROUTES.filter((r) => r.public === true).map((r) => r.id)).toEqual(['GetOpenApi']);
    expect(ROUTES.filter((r) => r.throttle === 'submit').map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/backtests',
    ]);
  });

  it('states the constants its summaries quote', () => {
    expect(route('GetArtifacts')?.operation.summary).toContain(`valid at most ${MAX_URL_TTL_SECONDS} s`);
    expect(route('GetChart')?.operation.summary).toMatch(
      new RegExp(`schemaVersion ${CHART_SCHEMA_VERSION}$`),
    );
  });
});
