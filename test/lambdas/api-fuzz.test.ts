/**
 * A seeded fuzz of the whole API (issue 15): well over 1,000 requests over every route, path, query, header and
 * body — valid-ish specs mutated at random (huge and tiny numbers, wrong types, `__proto__` keys, unknown fields),
 * JSON garbage, invalid UTF-8, malformed percent-encoding, foreign hosts, wrong content types, bad tokens — sent
 * (a) as raw HTTP through the local server in front of the real handlers and (b) as API Gateway events straight
 * to the handlers (what they get in AWS, where the local edge does not exist). Every answer must be below 500 and
 * every error body `{code, message}`. Fixed seeds: the same requests on every run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../lambdas/shared/middleware/api-event.ts';
import { ROUTES, type RouteId } from '../../lib/api/routes.ts';
import { CHART_IDS } from '../../lib/report/charts/chart-schema.ts';
import type { LocalApiServer } from '../../local/stack/http-server.ts';
import { type InProcessApi, inProcessApi, startInProcessServer } from '../support/in-process-api.ts';
import { rawRequest } from '../support/raw-http.ts';
import { apiEvent, claimsOf, lambdaContext, validSpec } from './support.ts';

const HTTP_REQUESTS = 1200;
const EVENT_REQUESTS = 1000;

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const MALFORMED = ['%E0%A4%A', '%', '%zz', '%C0%AF', '%00', '%FF%FE', '%2F', 'a%2Fb', '%25', '%E2%82'];
const WEIRD = ['..', '.', '__proto__', 'constructor', 'prototype', 'null', '-1', '0', '1e999', ' '];
/** Filled in once the world has runs: ids that exist for tenant acme. */
const known: { runIds: string[] } = { runIds: [] };

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constant('KNOWN_RUN') },
  { weight: 3, arbitrary: fc.ulid().map((u) => u.toUpperCase()) },
  { weight: 3, arbitrary: fc.constantFrom(...MALFORMED) },
  { weight: 2, arbitrary: fc.constantFrom(...WEIRD).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom(...CHART_IDS, 'nope') },
  { weight: 1, arbitrary: fc.constant('x'.repeat(300)) },
);

/** A route's path with each `{param}` replaced by a generated segment. */
const routePath = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 2, maxLength: 2 }))
  .map(([route, [a, b]]) => {
    let k = 0;
    const path = route.path.replace(/\{[^}]+\}/g, () => (k++ === 0 ? a! : b!));
    return { method: route.method as string, path };
  });

const otherPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/compare',
    '/compare?a=1&b=2',
    '/dashboard/app.js',
    '/dashboard/nope.css',
    '/dashboard/examples.json',
    '/v1/backtests/',
    '/v1//backtests',
    '//v1/backtests',
    '/v1/paper',
    '/v2/backtests',
    '/v1/openapi.json/x',
  ),
  segment.map((s) => `/runs/${s}`),
  segment.map((s) => `/runs/${s}/report`),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
);

const queryValue = fc.oneof(
  fc.constantFrom('1', '25', '100', '0', '-1', '101', '1000', '1e3', '', 'abc', '2024-07-01', '2024-13-45'),
  fc.constantFrom('2024-07-01T10:30:00-04:00', '9999-12-31', '0000-01-01', ...MALFORMED),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.base64String({ maxLength: 80 }).map(encodeURIComponent),
);
const query = fc
  .dictionary(
    fc.constantFrom('limit', 'cursor', 'from', 'to', 'x', '__proto__', 'constructor', 'limit[]', '%zz'),
    queryValue,
    { maxKeys: 3 },
  )
  .map((q) => {
    const parts = Object.entries(q).map(([k, v]) => `${k}=${v}`);
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
  });

/** A JSON value to plant in a spec: extremes, wrong types, `__proto__`-carrying objects. */
const plantedValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    1e300,
    -1e300,
    5e-324,
    1e-131,
    1e-130,
    9.99e125,
    1e126,
    1e10,
    1e15,
    0.5,
    2 ** 53,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(null, true, false, [], {}, [1, 2], 'ret_1', 'A', 'B', 'ensemble', '2024-01-02', 'sp500'),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant('__PROTO_OBJECT__'),
);

const SPEC_PATHS = [
  ['capital'],
  ['seed'],
  ['decisionLagMs'],
  ['specVersion'],
  ['dataset'],
  ['dataset', 'name'],
  ['dataset', 'id'],
  ['period'],
  ['period', 'start'],
  ['period', 'end'],
  ['features'],
  ['features', '0'],
  ['labels', 'horizonBars'],
  ['labels', 'downside', 'k'],
  ['model', 'route'],
  ['model', 'walkForward', 'trainMonths'],
  ['model', 'walkForward', 'retrainEveryMonths'],
  ['model', 'walkForward', 'embargoBars'],
  ['model', 'params'],
  ['model', 'params', 'gbdt', 'numTrees'],
  ['model', 'params', 'net', 'epochs'],
  ['model', 'params', 'lr'],
  ['model', 'params', '__proto__'],
  ['universe', 'minPrice'],
  ['portfolio', 'maxWeight'],
  ['portfolio', 'targetVol', 'low'],
  ['portfolio', 'sectors', 'penalty'],
  ['portfolio', 'liquidity', 'advWindowSessions'],
  ['execution', 'lotSize'],
  ['execution', 'impact'],
  ['risk', 'dwell', 'riskOffBars'],
  ['risk', 'volatility'],
  ['__proto__'],
  ['constructor'],
  ['extra'],
] as const;

/** Sets `path` to `value` with own, enumerable data properties only (so `__proto__` stays a key). */
const setPath = (root: Record<string, unknown>, path: readonly string[], value: unknown): void => {
  let node: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    const child =
      next !== null && typeof next === 'object' && !Array.isArray(next)
        ? (next as Record<string, unknown>)
        : {};
    Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true });
    node = child;
  }
  const planted = value === '__PROTO_OBJECT__' ? JSON.parse('{"__proto__":{"polluted":true}}') : value;
  Object.defineProperty(node, path[path.length - 1]!, {
    value: planted,
    enumerable: true,
    writable: true,
    configurable: true,
  });
};

const baseSpec = () =>
  validSpec({ dataset: { name: 'demo' }, features: ['ret_1', 'vol_35'], model: { route: 'B' } }) as Record<
    string,
    unknown
  >;

const mutatedSpec = fc
  .array(fc.tuple(fc.constantFrom(...SPEC_PATHS), plantedValue), { maxLength: 3 })
  .map((mutations) => {
    const spec = structuredClone(baseSpec());
    for (const [path, value] of mutations) setPath(spec, path, value);
    return spec;
  });

const paperBody = fc
  .record({
    spec: mutatedSpec,
    runId: fc.oneof(fc.constant('KNOWN_RUN'), fc.ulid(), printable(90)),
    fold: fc.option(fc.oneof(fc.integer({ min: -2, max: 1200 }), plantedValue), { nil: undefined }),
    capital: fc.option(plantedValue, { nil: undefined }),
    startDate: fc.option(
      fc.constantFrom(
        '2024-07-01',
        '0001-01-01',
        '9999-12-31',
        '2024-02-30',
        '1970-01-01',
        'tomorrow',
        '2100-06-01',
      ),
      { nil: undefined },
    ),
    extra: fc.option(plantedValue, { nil: undefined }),
  })
  .map((b) => {
    const body: Record<string, unknown> = { spec: b.spec, model: { runId: b.runId } };
    if (b.fold !== undefined) (body.model as Record<string, unknown>).fold = b.fold;
    if (b.capital !== undefined) body.capital = b.capital;
    if (b.startDate !== undefined) body.startDate = b.startDate;
    if (b.extra !== undefined) setPath(body, ['__proto__'], b.extra);
    return body;
  });

/** A body as text or bytes, or none. */
const body: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: mutatedSpec.map((s) => JSON.stringify(s)) },
  {
    // valid specs differing in small ways: accepted, replayed, or refused for their key or dataset
    weight: 3,
    arbitrary: fc
      .record({ seed: fc.integer({ min: 0, max: 3 }), dataset: fc.constantFrom('demo', 'demo', 'nope') })
      .map(({ seed, dataset }) => JSON.stringify({ ...baseSpec(), seed, dataset: { name: dataset } })),
  },
  { weight: 4, arbitrary: paperBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '1e999',
      '{"capital": 1e-400}',
      '{"capital": 5e-324}',
      '{"specVersion":1,"__proto__":{"x":1}}',
      `${'['.repeat(40)}${']'.repeat(40)}`,
      '\u0000',
      '{"a":"\\ud800"}',
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ pad: 'x'.repeat(70_000) })) },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json;;;',
);
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('Bearer local:acme', 'Bearer local:globex') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer local:',
      'Bearer local:../../x',
      'Bearer local:a#b',
      'Basic dXNlcg==',
      'Bearer eyJhbGciOi',
      'bearer LOCAL:acme',
    ),
  },
  { weight: 1, arbitrary: printable(60).map((s) => `Bearer local:${s.trim()}`) },
);
const host = fc.oneof(
  { weight: 12, arbitrary: fc.constant('OK') },
  { weight: 1, arbitrary: fc.constantFrom('localhost', '[::1]:1', 'evil.example', '127.0.0.1.evil', '') },
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('ROUTE') },
  { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
);

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | undefined;
}

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    target: fc.oneof(
      { weight: 5, arbitrary: routePath },
      // the two creates get more of the requests: their bodies are where most of the input is
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          { method: 'POST', path: '/v1/backtests' },
          { method: 'POST', path: '/v1/paper' },
        ),
      },
      { weight: 1, arbitrary: otherPath.map((path) => ({ method: 'GET', path })) },
    ),
    method,
    query,
    body,
    contentType,
    authorization,
    host,
    // a few keys reused across requests, so replays and payload mismatches happen too
    key: fc.option(fc.oneof(fc.constantFrom('k1', 'k2', 'k3'), fc.uuid(), printable(300)), {
      nil: undefined,
      freq: 4,
    }),
  })
  .map((r) => {
    const headers: Record<string, string> = {};
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.key !== undefined) headers['idempotency-key'] = r.key;
    if (r.host !== 'OK') headers.host = r.host;
    return {
      method: r.method === 'ROUTE' ? r.target.method : r.method,
      path: `${r.target.path}${r.query}`,
      headers,
      body: r.body,
    };
  });

const withKnownRun = (text: string): string =>
  text.replaceAll('KNOWN_RUN', known.runIds[text.length % known.runIds.length] ?? 'none');

// ---------------------------------------------------------------------------------------------------------
// The world: a few runs of tenant acme (one cancelled) so that paths reach stored records

let api: InProcessApi;
let server: LocalApiServer;

beforeAll(async () => {
  api = inProcessApi();
  server = await startInProcessServer(api);
  for (const key of ['seed-1', 'seed-2', 'seed-3']) {
    const res = await rawRequest(server.port, 'POST', '/v1/backtests', {
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(baseSpec()),
    });
    expect(res.status).toBe(202);
    known.runIds.push((JSON.parse(res.text) as { runId: string }).runId);
  }
  const cancel = await rawRequest(server.port, 'POST', `/v1/backtests/${known.runIds[0]}/cancel`, {
    headers: { 'content-type': 'application/json' },
  });
  expect(cancel.status).toBe(200);
});
afterAll(() => server?.close());

interface Violation {
  readonly request: string;
  readonly status: number;
  readonly body: string;
}

const checkAnswer = (
  violations: Violation[],
  what: string,
  status: number,
  text: string | undefined,
  isApi: boolean,
  isHead: boolean,
): void => {
  const fail = (): void => {
    violations.push({ request: what, status, body: (text ?? '').slice(0, 300) });
  };
  if (status >= 500 || status < 100) {
    fail();
    return;
  }
  if (isHead) return;
  if (status >= 400 || isApi) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? '');
    } catch {
      fail();
      return;
    }
    if (status >= 400) {
      const b = parsed as { code?: unknown; message?: unknown };
      if (
        typeof b !== 'object' ||
        b === null ||
        typeof b.code !== 'string' ||
        typeof b.message !== 'string'
      ) {
        fail();
        return;
      }
    }
  }
};

describe('api fuzz: no 5xx and {code, message} on every error', () => {
  it(`${HTTP_REQUESTS} raw HTTP requests through the local server (seed 15)`, async () => {
    const requests = fc.sample(request, { seed: 15, numRuns: HTTP_REQUESTS });
    const violations: Violation[] = [];
    const statuses = new Map<number, number>();
    for (const r of requests) {
      const path = withKnownRun(r.path);
      const bodyOut = typeof r.body === 'string' ? withKnownRun(r.body) : r.body;
      const res = await rawRequest(server.port, r.method, path, {
        headers: r.headers,
        ...(bodyOut !== undefined && { body: bodyOut }),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const isApi = path.startsWith('/v1/') && res.status < 300;
      checkAnswer(
        violations,
        `${r.method} ${path} ${JSON.stringify(r.headers)} ${String(bodyOut).slice(0, 200)}`,
        res.status,
        res.text,
        isApi,
        r.method === 'HEAD',
      );
    }
    expect(violations).toEqual([]);
    expect(requests.length).toBe(HTTP_REQUESTS);
    // the fuzz reaches the handlers, not only the edge: successes and refusals of every kind
    const seen = Object.fromEntries(statuses);
    for (const s of [200, 202, 400, 404, 409, 413, 415, 422]) {
      expect(seen[s] ?? 0, `status ${s} in ${JSON.stringify(seen)}`).toBeGreaterThan(0);
    }
  }, 60_000);

  it(`${EVENT_REQUESTS} API Gateway events straight to the handlers (seed 1515)`, async () => {
    const events = fc.sample(
      fc.record({
        request,
        route: fc.constantFrom(...ROUTES),
        params: fc.array(segment, { minLength: 2, maxLength: 2 }),
        decode: fc.boolean(),
        tenant: fc.oneof(
          { weight: 6, arbitrary: fc.constant('acme') },
          { weight: 1, arbitrary: fc.constantFrom('globex', '', 'a#b', '../x', 'x'.repeat(200)) },
          { weight: 1, arbitrary: fc.constant(null) },
        ),
      }),
      { seed: 1515, numRuns: EVENT_REQUESTS },
    );
    const violations: Violation[] = [];
    for (const e of events) {
      const names = [...e.route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const pathParameters: Record<string, string> = {};
      names.forEach((n, i) => {
        const raw = withKnownRun(e.params[i]!);
        let value = raw;
        if (e.decode) {
          try {
            value = decodeURIComponent(raw);
          } catch {
            value = raw;
          }
        }
        pathParameters[n] = value;
      });
      const url = new URL(`http://x${withKnownRun(e.request.path)}`);
      const queryParams = Object.fromEntries(url.searchParams);
      const bodyText =
        e.request.body === undefined
          ? undefined
          : typeof e.request.body === 'string'
            ? withKnownRun(e.request.body)
            : e.request.body.toString('base64');
      const event: ApiEvent = apiEvent({
        method: e.route.method,
        path: e.route.path,
        routeKey: `${e.route.method} ${e.route.path}`,
        ...(names.length > 0 && { pathParameters }),
        ...(Object.keys(queryParams).length > 0 && { query: queryParams }),
        ...(bodyText !== undefined && { body: bodyText }),
        ...(Buffer.isBuffer(e.request.body) && { base64: false }),
        headers: {
          'content-type': e.request.headers['content-type'],
          'idempotency-key': e.request.headers['idempotency-key'],
        },
        claims: e.tenant === null ? null : claimsOf(e.tenant),
      });
      if (Buffer.isBuffer(e.request.body)) event.isBase64Encoded = true;
      const result = await api.handlers[e.route.id as RouteId](event, lambdaContext());
      checkAnswer(
        violations,
        `${e.route.id} ${JSON.stringify(pathParameters)} ${JSON.stringify(queryParams)} ${String(bodyText).slice(0, 200)}`,
        result.statusCode ?? 0,
        typeof result.body === 'string' ? result.body : undefined,
        true,
        false,
      );
    }
    expect(violations).toEqual([]);
    expect(events.length).toBe(EVENT_REQUESTS);
  }, 60_000);
});
