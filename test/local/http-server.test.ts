import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { describe, expect, it } from 'vitest';
import { STEP_FUNCTION_SETTINGS } from '../../cdk/stateless-stack.ts';
import { RunPathEvent } from '../../lambdas/shared/events.ts';
import { tenantOf } from '../../lambdas/shared/middleware/tenant.ts';
import { ROUTES } from '../../lib/api/routes.ts';
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { DASHBOARD_CSP, dashboardShell, loadExamples } from '../../local/dashboard/server.ts';
import { API_ROUTES, assertHandlerModulesExist, STEP_HANDLER_MODULES } from '../../local/stack/handlers.ts';
import { buildApiGatewayEvent, matchRoute, tenantOfRequest } from '../../local/stack/http-server.ts';

const RUN_ID = '01KDVDNA000000000000000001';

const eventOf = (method: string, path: string, body = '', headers: Record<string, string> = {}) => {
  const url = new URL(path, 'http://127.0.0.1:8787');
  const match = matchRoute(method, url.pathname);
  if (!match) throw new Error(`no route for ${method} ${path}`);
  return buildApiGatewayEvent({
    method,
    url,
    headers: { host: '127.0.0.1:8787', 'User-Agent': 'curl/8', ...headers },
    body: Buffer.from(body),
    route: match.route,
    pathParameters: match.pathParameters,
    tenant: 'acme',
    sourceIp: '127.0.0.1',
    nowMs: Date.UTC(2025, 10, 24, 10, 11, 12),
  });
};

describe('local/http-server: buildApiGatewayEvent', () => {
  it('builds events the API handlers’ Powertools schemas accept, with the tenant claim', () => {
    const post = eventOf('POST', '/v1/backtests', '{"a":1}', {
      'content-type': 'application/json',
      'Idempotency-Key': 'k1',
    });
    expect(APIGatewayProxyEventV2Schema.safeParse(post).success).toBe(true);
    expect(post).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/backtests',
      rawPath: '/v1/backtests',
      body: '{"a":1}',
      isBase64Encoded: false,
      headers: { 'idempotency-key': 'k1', 'content-type': 'application/json', 'user-agent': 'curl/8' },
      requestContext: {
        http: { method: 'POST', path: '/v1/backtests', sourceIp: '127.0.0.1', userAgent: 'curl/8' },
        time: '24/Nov/2025:10:11:12 +0000',
        stage: '$default',
      },
    });
    expect(tenantOf(post)).toBe('acme');

    const get = eventOf('GET', `/v1/backtests/${RUN_ID}/artifacts`);
    expect(RunPathEvent.safeParse(get).success).toBe(true);
    expect(get.pathParameters).toEqual({ runId: RUN_ID });
    expect(get.body).toBeUndefined();

    const list = eventOf('GET', '/v1/backtests?limit=5&cursor=abc');
    expect(list.rawQueryString).toBe('limit=5&cursor=abc');
    expect(list.queryStringParameters).toEqual({ limit: '5', cursor: 'abc' });
  });

  it('base64-encodes a body that is not text', () => {
    const e = eventOf('POST', '/v1/backtests', '\u0000\u00ff', {
      'content-type': 'application/octet-stream',
    });
    expect(e.isBase64Encoded).toBe(true);
    expect(Buffer.from(e.body!, 'base64').toString()).toBe('\u0000\u00ff');
  });
});

describe('local/http-server: routes and tokens', () => {
  it('matches every route, with path parameters, and nothing else', () => {
    expect(matchRoute('GET', `/v1/backtests/${RUN_ID}`)?.route.functionName).toBe('GetBacktest');
    expect(matchRoute('POST', `/v1/backtests/${RUN_ID}/cancel`)?.pathParameters).toEqual({ runId: RUN_ID });
    const chart = matchRoute('GET', `/v1/backtests/${RUN_ID}/charts/rolling-sharpe`);
    expect(chart?.route.functionName).toBe('GetChart');
    expect(chart?.pathParameters).toEqual({ runId: RUN_ID, chartId: 'rolling-sharpe' });
    expect(matchRoute('GET', `/v1/backtests/${RUN_ID}/charts/`)).toBeUndefined();
    expect(API_ROUTES).toHaveLength(11);
    expect(matchRoute('DELETE', '/v1/backtests')).toBeUndefined();
    expect(matchRoute('GET', '/v1/backtests/')).toBeUndefined();
    expect(matchRoute('GET', '/v2/backtests')).toBeUndefined();
  });

  it('maps a local token to its tenant, no header to the default, anything else to unauthorized', () => {
    expect(tenantOfRequest('Bearer local:globex', 'local')).toBe('globex');
    expect(tenantOfRequest(undefined, 'local')).toBe('local');
    expect(tenantOfRequest('Bearer eyJhbGciOi', 'local')).toBe('unauthorized');
    expect(tenantOfRequest('Basic dXNlcg==', 'local')).toBe('unauthorized');
  });
});

describe('local/handlers: the same functions as the CDK app', () => {
  it('routes each API route to the handler entry the stack deploys for it (the route table), which exists', () => {
    const table = ROUTES.map((r) => ({
      method: r.method,
      path: r.path,
      module: r.entry,
      name: r.id,
      timeoutMs: r.timeoutSeconds * 1000,
      public: r.public === true,
    }));
    const local = API_ROUTES.map((r) => ({
      method: r.method,
      path: r.path,
      module: r.moduleUrl.slice(r.moduleUrl.indexOf('lambdas/')),
      name: r.functionName,
      timeoutMs: r.timeoutMs,
      public: r.public === true,
    }));
    expect(local).toEqual(table);
    expect(() => assertHandlerModulesExist()).not.toThrow();
  });

  it('runs each Task state with the handler entry the stack deploys for that step', () => {
    for (const [key, settings] of Object.entries(STEP_FUNCTION_SETTINGS)) {
      const name = STEP_NAMES[key as keyof typeof STEP_NAMES];
      expect(STEP_HANDLER_MODULES[name].endsWith(`/lambdas/steps/${settings.entry}.ts`), name).toBe(true);
    }
  });
});

describe('local/dashboard/server', () => {
  it('offers every example spec with its editable fields as the spec schema resolves them', () => {
    const examples = loadExamples();
    expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining(['demo', 'route-a', 'route-b']));
    const routeA = examples.find((e) => e.name === 'route-a')!;
    // route-a.json sets neither costs nor risk: the schema's defaults, not numbers written in the page
    expect(routeA.fields).toEqual({
      dataset: 'demo',
      start: '2024-07-01',
      end: '2024-12-31',
      route: 'A',
      slippageBps: 1,
      halfSpreadBps: 0.5,
      conservative: 0.08,
      riskOff: 0.15,
    });
    expect(routeA.spec).not.toHaveProperty('execution');
  });

  it('leaves out files that are not valid specs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hts-examples-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ specVersion: 1, period: {} }));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(
      join(dir, 'ok.json'),
      JSON.stringify({
        specVersion: 1,
        dataset: { name: 'x' },
        period: { start: '2024-01-02', end: '2024-02-01' },
      }),
    );
    expect(loadExamples(dir).map((e) => e.name)).toEqual(['ok']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the tenant into the page shell escaped, under a policy that allows nothing from elsewhere', () => {
    expect(dashboardShell('acme')).toContain('<meta name="hts-tenant" content="acme">');
    expect(dashboardShell('a"><script>')).toContain('content="a&quot;&gt;&lt;script&gt;"');
    expect(DASHBOARD_CSP).toMatch(
      /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/,
    );
    expect(DASHBOARD_CSP).not.toMatch(/unsafe|\*|https?:/);
  });
});
