/**
 * The local HTTP API on 127.0.0.1: what API Gateway (HTTP API, payload format 2.0, JWT authorizer) does in AWS.
 * Each request is matched to a route (`handlers.ts`, from the route table `lib/api/routes.ts`), turned into a complete API Gateway v2 event —
 * lower-cased headers, `rawPath`, `rawQueryString`, `queryStringParameters`, `pathParameters`, the body (base64
 * for non-text content), `requestContext` with `http`, `routeKey`, `requestId`, `timeEpoch` and the authorizer's
 * JWT claims — and handed to the route's Lambda handler; its result becomes the HTTP response.
 *
 * Authentication (local stand-in for the JWT authorizer): `Authorization: Bearer local:<tenant>` gives the claim
 * `custom:tenant = <tenant>`; no Authorization header gives the server's default tenant. Any other Authorization
 * value is refused with 401, as API Gateway refuses a bad token before the Lambda runs. The handlers then apply
 * their own tenant rules, as in AWS.
 *
 * The edge, before any handler runs (the browser-facing hardening API Gateway's authorizer gives in AWS): the `Host`
 * must be `127.0.0.1`, `localhost` or `[::1]` with any port (a DNS-rebinding page names another host: 421
 * `MISDIRECTED_REQUEST`); a state-changing request (anything but GET, HEAD, OPTIONS) must carry a JSON content type,
 * which a cross-site form cannot send (415 `UNSUPPORTED_MEDIA_TYPE`); a path parameter that is not valid
 * percent-encoding is 400 `INVALID_INPUT`. Every error this server answers itself is `{code, message}`, like the
 * handlers' (401 `UNAUTHORIZED`, 404 `NOT_FOUND`, 413 `PAYLOAD_TOO_LARGE`, 500 `INTERNAL`).
 *
 * Beside the API: the local dashboard (`local/dashboard/`: the runs list and submit form at `/`, a run's page at
 * `/runs/{runId}`, two runs side by side at `/compare?a=&b=`, its static files under `/dashboard/`), and
 * `GET /runs/{runId}/report`, which redirects to the run's `report.html` through its presigned URL (served by the
 * local S3, like S3 in AWS).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TENANT_CLAIM } from '../../lambdas/shared/middleware/tenant.ts';
import { type DashboardServerOptions, serveDashboard } from '../dashboard/server.ts';
import { API_ROUTES, type ApiRoute } from './handlers.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit
const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|[a-z.+-]*\+json)|text\/)/i;

/** Calls a route's Lambda handler with an API Gateway v2 event; resolves to its result. */
export type ApiInvoker = (route: ApiRoute, event: ApiGatewayV2Event) => Promise<unknown>;

export interface ApiGatewayV2Event {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { jwt: { claims: Record<string, string>; scopes: null } };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

interface ApiResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/** A path parameter that is not valid percent-encoding (`%E0%A4%A`): 400 naming the parameter. */
export class MalformedPathError extends Error {
  override name = 'MalformedPathError';
  constructor(readonly parameter: string) {
    super(`path parameter ${parameter} is not valid percent-encoding`);
  }
}

/**
 * Matches a request to a route: `{name}` segments capture one non-empty path segment, percent-decoded.
 * @throws MalformedPathError when a captured segment is not valid percent-encoding.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const s = segments[i]!;
      if (p.startsWith('{') && p.endsWith('}')) {
        if (s === '') ok = false;
        else params[p.slice(1, -1)] = decodePathSegment(s, p.slice(1, -1));
      } else ok = p === s;
    }
    if (ok) return { route, pathParameters: params };
  }
  return undefined;
}

function decodePathSegment(segment: string, parameter: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPathError(parameter);
  }
}

/** The hosts the server answers to, with any port: the loopback names only (no DNS rebinding). */
const ALLOWED_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/** true when the `Host` header names this machine's loopback (see the module comment). */
export function isAllowedHost(host: string | undefined): boolean {
  return host !== undefined && ALLOWED_HOST.test(host);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The refusal of a request before routing, or undefined: a foreign `Host` (421), a state-changing method without a
 * JSON content type (415).
 */
export function edgeRefusal(
  method: string,
  headers: IncomingMessage['headers'],
): { status: number; code: string; message: string } | undefined {
  if (!isAllowedHost(headers.host)) {
    return {
      status: 421,
      code: 'MISDIRECTED_REQUEST',
      message: 'this server answers only to Host 127.0.0.1, localhost or [::1]',
    };
  }
  const type = headers['content-type'];
  if (!SAFE_METHODS.has(method) && (type === undefined || !JSON_TYPE.test(type))) {
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `${method} needs content-type: application/json`,
    };
  }
  return undefined;
}

/** API Gateway's `requestContext.time` format: `24/Nov/2025:10:11:12 +0000`. */
function apiGatewayTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface BuildEventInput {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly route: ApiRoute;
  readonly pathParameters: Record<string, string>;
  /** The tenant claim; undefined: no authorizer context (a public route). */
  readonly tenant: string | undefined;
  readonly sourceIp: string;
  readonly nowMs: number;
}

/** The API Gateway v2 event of a request (see the module comment). */
export function buildApiGatewayEvent(input: BuildEventInput): ApiGatewayV2Event {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of input.url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const routeKey = `${input.route.method} ${input.route.path}`;
  const requestId = randomUUID();
  const contentType = headers['content-type'] ?? '';
  const text = input.body.length === 0 || TEXT_TYPES.test(contentType);
  const event: ApiGatewayV2Event = {
    version: '2.0',
    routeKey,
    rawPath: input.url.pathname,
    rawQueryString: input.url.search.startsWith('?') ? input.url.search.slice(1) : input.url.search,
    ...(cookies !== undefined && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(input.pathParameters).length > 0 && { pathParameters: { ...input.pathParameters } }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(input.tenant !== undefined && {
        authorizer: {
          jwt: {
            claims: {
              sub: `local-${input.tenant}`,
              iss: 'hts-local',
              [TENANT_CLAIM]: input.tenant,
            },
            scopes: null,
          },
        },
      }),
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127.0.0.1').split('.')[0] ?? '127',
      http: {
        method: input.method,
        path: input.url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: apiGatewayTime(input.nowMs),
      timeEpoch: input.nowMs,
    },
    isBase64Encoded: !text,
  };
  if (input.body.length > 0) event.body = text ? input.body.toString('utf8') : input.body.toString('base64');
  return event;
}

/** The tenant a request acts as, or 'unauthorized' (see the module comment). */
export function tenantOfRequest(
  authorization: string | undefined,
  defaultTenant: string,
): string | 'unauthorized' {
  if (authorization === undefined) return defaultTenant;
  const m = /^Bearer\s+local:(\S+)$/i.exec(authorization.trim());
  return m ? m[1]! : 'unauthorized';
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { code, message }, headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendResult(res: ServerResponse, result: ApiResult, requestId: string): void {
  const headers: Record<string, string> = { 'apigw-requestid': requestId };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.end(body);
}

export interface LocalApiServerOptions {
  readonly invoke: ApiInvoker;
  /** The tenant of requests without an Authorization header. */
  readonly defaultTenant: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Where the dashboard's example specs come from. @default `{project}/examples` */
  readonly dashboard?: DashboardServerOptions;
  /** Called with an error a handler threw (instead of answering); the client gets API Gateway's 500. */
  readonly onError?: (error: Error) => void;
  /** Start unavailable with this message (see `setUnavailable`). */
  readonly unavailable?: string;
}

export interface LocalApiServer {
  /** `http://127.0.0.1:{port}` */
  readonly url: string;
  readonly port: number;
  /**
   * While a message is set, the API's routes answer 503 `{code: 'UNAVAILABLE', message}` with `Retry-After`
   * (the dashboard's own pages are still served); undefined serves them again.
   */
  setUnavailable(message: string | undefined): void;
  close(): Promise<void>;
}

/** Seconds a client is told to wait while the API is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export async function startLocalApiServer(options: LocalApiServerOptions): Promise<LocalApiServer> {
  let unavailable = options.unavailable;
  const callRoute = async (
    req: IncomingMessage,
    url: URL,
    method: string,
    body: Buffer,
    tenant: string,
  ): Promise<{ result: ApiResult; requestId: string } | undefined> => {
    const match = matchRoute(method, url.pathname);
    if (match === undefined) return undefined;
    const isPublic = match.route.public === true;
    const event = buildApiGatewayEvent({
      method,
      url,
      headers: req.headers,
      body,
      route: match.route,
      pathParameters: match.pathParameters,
      tenant: isPublic ? undefined : tenant,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      nowMs: Date.now(),
    });
    const result = (await options.invoke(match.route, event)) as ApiResult;
    return { result, requestId: event.requestContext.requestId };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        // the request target as a path on this origin (`//host/…` stays a path, never another authority)
        const target = req.url ?? '/';
        const url = new URL(`http://127.0.0.1${target.startsWith('/') ? '' : '/'}${target}`);
        const method = (req.method ?? 'GET').toUpperCase();
        const refusal = edgeRefusal(method, req.headers);
        if (refusal !== undefined) {
          req.resume();
          sendError(res, refusal.status, refusal.code, refusal.message);
          return;
        }
        const tenant = tenantOfRequest(req.headers.authorization, options.defaultTenant);
        if (tenant === 'unauthorized') {
          req.resume();
          sendError(res, 401, 'UNAUTHORIZED', 'expected Authorization: Bearer local:<tenant> or none', {
            'www-authenticate': 'Bearer',
          });
          return;
        }
        const body = await readBody(req);
        if (body === undefined) {
          sendError(res, 413, 'PAYLOAD_TOO_LARGE', `the request body exceeds ${MAX_BODY_BYTES} bytes`, {
            connection: 'close',
          });
          return;
        }
        if (serveDashboard(method, url, tenant, res, options.dashboard)) return;
        if (unavailable !== undefined) {
          sendJson(
            res,
            503,
            { code: 'UNAVAILABLE', message: unavailable },
            { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
          );
          return;
        }
        const report = /^\/runs\/([^/]+)\/report$/.exec(url.pathname);
        if (method === 'GET' && report) {
          const path = `/v1/backtests/${report[1]}/artifacts`;
          const out = await callRoute(req, new URL(path, url), 'GET', Buffer.alloc(0), tenant);
          const view = JSON.parse(out?.result.body ?? '{}') as {
            artifacts?: { name: string; url: string }[];
          };
          const target = view.artifacts?.find((a) => a.name === 'report.html')?.url;
          if (out?.result.statusCode !== 200 || target === undefined) {
            if (out === undefined) sendError(res, 404, 'NOT_FOUND', `no run ${report[1]}`);
            else sendResult(res, out.result, out.requestId);
            return;
          }
          res.writeHead(302, { location: target, 'content-length': '0' });
          res.end();
          return;
        }
        const out = await callRoute(req, url, method, body, tenant);
        if (out === undefined) {
          sendError(res, 404, 'NOT_FOUND', `no route ${method} ${url.pathname}`.slice(0, 300));
          return;
        }
        sendResult(res, out.result, out.requestId);
      } catch (e) {
        if (e instanceof MalformedPathError) {
          if (!res.headersSent) sendError(res, 400, 'INVALID_INPUT', e.message);
          return;
        }
        // a handler that crashed (not one that answered 5xx): what API Gateway answers then
        options.onError?.(e as Error);
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error');
        else res.destroy();
      }
    })();
  });
  // A request Node's HTTP parser refuses (a malformed request line or header, a body without a length) never reaches
  // the handler above: answer it with the same `{code, message}` body instead of Node's empty 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const text = JSON.stringify({
      code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
      message: tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP/1.1',
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
  // The local servers share a process with the CLI and the tests, whose CPU-bound work can stall the event loop for
  // seconds; a 5 s keep-alive then expires during the stall and the server resets a socket the client is reusing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setUnavailable: (message) => {
      unavailable = message;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
