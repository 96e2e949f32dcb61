/**
 * Issue 15, the local HTTP edge: the defects the probe of `hts serve` found, each through the real server in
 * front of the real handlers (in process, in-memory adapters).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyGuard } from '../../lib/adapters/memory-idempotency.ts';
import { canonicalJson } from '../../lib/core/hash.ts';
import { payloadHashOf } from '../../lib/runs/idempotency.ts';
import type { LocalApiServer } from '../../local/stack/http-server.ts';
import { edgeRefusal, isAllowedHost, matchRoute } from '../../local/stack/http-server.ts';
import { validSpec } from '../lambdas/support.ts';
import { type InProcessApi, inProcessApi, startInProcessServer } from '../support/in-process-api.ts';
import { rawRequest } from '../support/raw-http.ts';

const RUN_ID = '01KDVDNA000000000000000001';
const BAD = '%E0%A4%A';
const JSON_HEADERS = { 'content-type': 'application/json' };

let api: InProcessApi;
let server: LocalApiServer;
beforeAll(async () => {
  api = inProcessApi();
  server = await startInProcessServer(api);
});
afterAll(() => server?.close());

const expectErrorBody = (text: string): Record<string, unknown> => {
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body.code).toBe('string');
  expect(typeof body.message).toBe('string');
  return body;
};

describe('local/http-server: malformed percent-encoding in a path parameter → 400, not a 500 URIError', () => {
  const cases: [string, string][] = [
    ['GET', `/v1/backtests/${BAD}`],
    ['POST', `/v1/backtests/${BAD}/cancel`],
    ['GET', `/v1/backtests/${BAD}/artifacts`],
    ['GET', `/v1/backtests/${BAD}/charts/equity`],
    ['GET', `/v1/backtests/${RUN_ID}/charts/${BAD}`],
    ['GET', `/v1/paper/${BAD}`],
    ['GET', `/v1/paper/${BAD}/decisions`],
    ['POST', `/v1/paper/${BAD}/stop`],
    ['GET', `/runs/${BAD}/report`],
  ];
  it.each(cases)('%s %s', async (method, path) => {
    const res = await rawRequest(server.port, method, path, { headers: JSON_HEADERS });
    expect(res.status).toBe(400);
    expect(expectErrorBody(res.text)).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('matchRoute names the parameter', () => {
    expect(() => matchRoute('GET', `/v1/paper/${BAD}`)).toThrow(/strategyId/);
  });
});

describe('local/http-server: Host allow-list (DNS rebinding)', () => {
  it('accepts the loopback names with any port, refuses every other host with 421 {code, message}', async () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8787', 'localhost', 'LOCALHOST:1', '[::1]', '[::1]:8787']) {
      expect(isAllowedHost(host)).toBe(true);
    }
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:8787',
      '127.0.0.1.nip.io',
      'localhost.evil',
    ]) {
      expect(isAllowedHost(host)).toBe(false);
    }
    const ok = await rawRequest(server.port, 'GET', '/v1/backtests', { headers: { host: 'localhost:9' } });
    expect(ok.status).toBe(200);
    const rebound = await rawRequest(server.port, 'GET', '/v1/backtests', {
      headers: { host: 'attacker.example:8787' },
    });
    expect(rebound.status).toBe(421);
    expect(expectErrorBody(rebound.text)).toMatchObject({ code: 'MISDIRECTED_REQUEST' });
    const page = await rawRequest(server.port, 'GET', '/', { headers: { host: 'attacker.example' } });
    expect(page.status).toBe(421);
  });
});

describe('local/http-server: state-changing requests need a JSON content type (CSRF)', () => {
  it.each([
    ['a form', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no content type', undefined],
  ])('cancel and stop with %s → 415 {code, message}, the handler never runs', async (_name, type) => {
    const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
    for (const path of [`/v1/backtests/${RUN_ID}/cancel`, `/v1/paper/${RUN_ID}/stop`, '/v1/backtests']) {
      const res = await rawRequest(server.port, 'POST', path, { headers, body: '' });
      expect(res.status).toBe(415);
      expect(expectErrorBody(res.text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(edgeRefusal('DELETE', { host: 'localhost' })?.status).toBe(415);
    expect(edgeRefusal('PUT', { host: 'localhost', 'content-type': 'text/plain' })?.status).toBe(415);
    expect(edgeRefusal('GET', { host: 'localhost' })).toBeUndefined();
  });

  it('with a JSON content type and no body, cancel reaches the handler (404 for a missing run)', async () => {
    const res = await rawRequest(server.port, 'POST', `/v1/backtests/${RUN_ID}/cancel`, {
      headers: JSON_HEADERS,
    });
    expect(res.status).toBe(404);
    expect(expectErrorBody(res.text)).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('local/http-server: every error the server answers itself is {code, message}', () => {
  it('unknown route 404, bad token 401, body over 10 MiB 413, unknown dashboard file 404', async () => {
    const unknown = await rawRequest(server.port, 'GET', '/v2/nothing');
    expect(unknown.status).toBe(404);
    expect(expectErrorBody(unknown.text)).toMatchObject({ code: 'NOT_FOUND' });
    const wrongMethod = await rawRequest(server.port, 'DELETE', '/v1/backtests', { headers: JSON_HEADERS });
    expect(wrongMethod.status).toBe(404);
    expectErrorBody(wrongMethod.text);
    const token = await rawRequest(server.port, 'GET', '/v1/backtests', {
      headers: { authorization: 'Basic dXNlcg==' },
    });
    expect(token.status).toBe(401);
    expect(expectErrorBody(token.text)).toMatchObject({ code: 'UNAUTHORIZED' });
    const big = await rawRequest(server.port, 'POST', '/v1/backtests', {
      headers: JSON_HEADERS,
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(big.status).toBe(413);
    expect(expectErrorBody(big.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const file = await rawRequest(server.port, 'GET', '/dashboard/nope.js');
    expect(file.status).toBe(404);
    expect(expectErrorBody(file.text)).toMatchObject({ code: 'NOT_FOUND' });
    const over64k = await rawRequest(server.port, 'POST', '/v1/backtests', {
      headers: { ...JSON_HEADERS, 'idempotency-key': 'big' },
      body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect(over64k.status).toBe(413);
    expect(expectErrorBody(over64k.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('a request Node cannot parse (a body with no length on a GET) answers 400 {code, message}', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('GET /v1/backtests HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n{"a":1}');
      });
      let out = '';
      socket.on('data', (d) => {
        out += d.toString('utf8');
      });
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    const last = text.slice(text.lastIndexOf('HTTP/1.1 '));
    expect(last).toMatch(/^HTTP\/1\.1 400/);
    expectErrorBody(last.slice(last.indexOf('\r\n\r\n') + 4));
  });

  it('a request target starting with // stays a path on this origin (404), never another authority', async () => {
    const res = await rawRequest(server.port, 'GET', '//evil.example/v1/backtests');
    expect(res.status).toBe(404);
    expectErrorBody(res.text);
  });
});

describe('numbers a store cannot keep → 400 before any write (issue 15: capital 5e-324 was a 500 + orphans)', () => {
  it('POST /v1/paper with capital 5e-324 → 400 naming capital; no object, no strategy', async () => {
    const body = `{"spec":${JSON.stringify(validSpec())},"model":{"runId":"${RUN_ID}"},"capital":5e-324}`;
    const res = await rawRequest(server.port, 'POST', '/v1/paper', {
      headers: { ...JSON_HEADERS, 'idempotency-key': 'tiny-capital' },
      body,
    });
    expect(res.status).toBe(400);
    expect(expectErrorBody(res.text)).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'capital' } });
    expect(await api.world.store.list('')).toEqual([]);
  });

  it.each(['1e-131', '-1e-200', '1e126', '1.5e300'])('a spec number %s → 400 naming it', async (n) => {
    const spec = JSON.stringify(validSpec()).replace(/}$/, `,"capital":${n}}`);
    const res = await rawRequest(server.port, 'POST', '/v1/backtests', {
      headers: { ...JSON_HEADERS, 'idempotency-key': `n-${n}` },
      body: spec,
    });
    expect(res.status).toBe(400);
    expect(expectErrorBody(res.text)).toMatchObject({ details: { field: 'capital' } });
    expect((await api.world.runs.list('acme')).items).toHaveLength(0);
  });
});

describe('idempotency: a body differing only by a __proto__ key is another payload (issue 15)', () => {
  it('canonicalJson keeps __proto__ as data; the payload hashes differ', () => {
    const plain = JSON.parse('{"a":1,"b":{"c":2}}');
    const poisoned = JSON.parse('{"a":1,"b":{"c":2,"__proto__":{"x":1}}}');
    expect(canonicalJson(poisoned)).toBe('{"a":1,"b":{"__proto__":{"x":1},"c":2}}');
    expect(payloadHashOf(poisoned)).not.toBe(payloadHashOf(plain));
    expect(canonicalJson(JSON.parse('{"__proto__":1}'))).toBe('{"__proto__":1}');
  });

  it('the guard answers 422 IDEMPOTENCY_PAYLOAD_MISMATCH for it, not a replay', async () => {
    const guard = new MemoryIdempotencyGuard();
    const request = (body: unknown) => ({ scopedKey: 'k', payloadHash: payloadHashOf(body) });
    await guard.once(request(JSON.parse('{"a":1}')), async () => ({ runId: 'r1' }));
    await expect(
      guard.once(request(JSON.parse('{"a":1,"__proto__":{"a":2}}')), async () => ({ runId: 'r2' })),
    ).rejects.toMatchObject({ apiCode: 'IDEMPOTENCY_PAYLOAD_MISMATCH' });
  });

  it('through the API: the same key with an added __proto__ key is refused, never replayed', async () => {
    const spec = validSpec({ features: ['ret_1'] });
    const post = (text: string) =>
      rawRequest(server.port, 'POST', '/v1/backtests', {
        headers: { ...JSON_HEADERS, 'idempotency-key': 'proto-key' },
        body: text,
      });
    const first = await post(JSON.stringify(spec));
    expect(first.status).toBe(202);
    for (const text of [
      JSON.stringify(spec).replace(/}$/, ',"__proto__":{"seed":9}}'),
      JSON.stringify({ ...spec, model: { params: {} } }).replace(
        '"params":{}',
        '"params":{"__proto__":{"x":1}}',
      ),
    ]) {
      const again = await post(text);
      expect(again.status).toBeGreaterThanOrEqual(400);
      expect(again.status).toBeLessThan(500);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expectErrorBody(again.text);
    }
  });
});
