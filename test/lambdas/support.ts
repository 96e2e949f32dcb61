/**
 * Helpers of the handler tests: API Gateway v2 events built from the JSON fixture (structuredClone before any
 * change), a Lambda context, quiet Powertools, and in-memory `HandlerDeps`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { HandlerDeps } from '../../lambdas/shared/deps.ts';
import type { ApiEvent, ApiResult } from '../../lambdas/shared/middleware/api-event.ts';
import { MemoryExecutionStarter } from '../../lib/adapters/memory-execution-starter.ts';
import { MemoryIdempotencyGuard } from '../../lib/adapters/memory-idempotency.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import type { ApiDeps } from '../../lib/api/backtests.ts';
import { ulid } from '../../lib/core/ulid.ts';
import type { DatasetManifest } from '../../lib/data/dataset.ts';
import { StaticDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import type { UrlSigner } from '../../lib/data/url-signer.ts';
import baseEvent from '../fixtures/events/api-gw-v2-jwt.json' with { type: 'json' };
import baseContext from '../fixtures/events/lambda-context.json' with { type: 'json' };

// Metrics would print EMF to stdout on every invocation; the flag is read when a Metrics is constructed.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const DATASET_ID = 'ds_0123456789abcdef01234567';
export const T0 = Date.UTC(2026, 0, 1);

/** Bar rows a month in `testManifest` (about the synthetic S&P 500's: ~550 names × 147 bars). */
export const TEST_MONTH_ROWS = 80_000;

/**
 * A dataset manifest as the catalog serves it (its objects name no real bytes: the handler tests never read data):
 * 2015-01-02 → 2024-12-31, every month with `TEST_MONTH_ROWS` bar rows, SPY and three names, every series.
 */
export const testManifest = (overrides: Partial<DatasetManifest> = {}): DatasetManifest => {
  const months: string[] = [];
  for (let y = 2015; y <= 2024; y++)
    for (let m = 1; m <= 12; m++) months.push(`${y}-${String(m).padStart(2, '0')}`);
  return {
    schemaVersion: 1,
    name: 'demo',
    source: { test: true },
    period: { start: '2015-01-02', end: '2024-12-31' },
    symbols: ['AAPL', 'JPM', 'MSFT', 'SPY'],
    months,
    series: ['fundamentals', 'macro', 'sentiment', 'analyst', 'corporate_actions', 'trap'],
    entityNames: {},
    objects: months.map((m) => ({
      key: `bars/month=${m}/part-0.parquet`,
      bytes: 1,
      sha256: '0'.repeat(64),
      rows: TEST_MONTH_ROWS,
    })),
    ...overrides,
  };
};

export const validSpec = (overrides: Record<string, unknown> = {}) => ({
  specVersion: 1,
  dataset: { id: DATASET_ID },
  period: { start: '2024-01-02', end: '2024-03-28' },
  ...overrides,
});

export interface EventOptions {
  readonly method?: 'GET' | 'POST';
  readonly path?: string;
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly headers?: Record<string, string | undefined>;
  /** `null` removes the authorizer entirely. */
  readonly claims?: Record<string, string> | null;
  readonly base64?: boolean;
}

export const apiEvent = (options: EventOptions = {}): ApiEvent => {
  const event = structuredClone(baseEvent) as unknown as ApiEvent & Record<string, unknown>;
  const method = options.method ?? 'POST';
  const path = options.path ?? '/v1/backtests';
  event.routeKey = options.routeKey ?? `${method} ${path}`;
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.requestContext.routeKey = event.routeKey;
  if (options.pathParameters !== undefined) event.pathParameters = { ...options.pathParameters };
  if (options.query !== undefined) {
    event.queryStringParameters = { ...options.query };
    event.rawQueryString = new URLSearchParams(options.query).toString();
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (v === undefined) delete event.headers[k];
    else event.headers[k] = v;
  }
  if (options.claims === null) {
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
  } else if (options.claims !== undefined) {
    event.requestContext.authorizer.jwt.claims = { ...options.claims };
  }
  if (method === 'GET' && options.body === undefined) {
    delete (event as { body?: string }).body;
  } else {
    const text = typeof options.body === 'string' ? options.body : JSON.stringify(options.body ?? {});
    event.body = options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text;
    event.isBase64Encoded = options.base64 === true;
  }
  return event;
};

export const claimsOf = (tenant: string): Record<string, string> => ({
  ...baseEvent.requestContext.authorizer.jwt.claims,
  'custom:tenant': tenant,
});

export const lambdaContext = (): Context =>
  ({ ...structuredClone(baseContext), getRemainingTimeInMillis: () => 25_000 }) as unknown as Context;

export class RecordingSigner implements UrlSigner {
  readonly calls: { key: string; expiresInSeconds: number }[] = [];
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    this.calls.push({ key, expiresInSeconds });
    return `https://signed.example/${encodeURIComponent(key)}?X-Amz-Expires=${expiresInSeconds}`;
  }
}

export interface MemoryWorld {
  readonly runs: MemoryRunStore;
  readonly store: MemoryObjectStore;
  readonly executions: MemoryExecutionStarter;
  readonly idempotency: MemoryIdempotencyGuard;
  readonly signer: RecordingSigner;
  readonly api: ApiDeps;
  readonly deps: HandlerDeps;
  /** Advances the fake clock used for `nowMs` and run ids. */
  tick(ms: number): void;
}

export const quietLogger = (): Logger => new Logger({ serviceName: 'hts-api-test', logLevel: 'SILENT' });
export const quietMetrics = (): Metrics =>
  new Metrics({ namespace: 'hts-test', serviceName: 'hts-api-test' });

export const memoryWorld = (overrides: Partial<ApiDeps> = {}): MemoryWorld => {
  let now = T0;
  let counter = 0;
  const runs = new MemoryRunStore();
  const store = new MemoryObjectStore();
  const executions = new MemoryExecutionStarter();
  const idempotency = new MemoryIdempotencyGuard();
  const signer = new RecordingSigner();
  const api: ApiDeps = {
    runs,
    store,
    executions,
    idempotency,
    signer,
    datasets: new StaticDatasetCatalog([{ id: DATASET_ID, name: 'demo', manifest: testManifest() }]),
    codeVersion: 'test-1',
    ...overrides,
  };
  const deps: HandlerDeps = {
    logger: quietLogger(),
    metrics: quietMetrics(),
    api: () => api,
    nowMs: () => now,
    newRunId: () => {
      counter++;
      const random = new Uint8Array(10);
      new DataView(random.buffer).setUint32(6, counter);
      return ulid(now, random);
    },
  };
  return {
    runs,
    store,
    executions,
    idempotency,
    signer,
    api,
    deps,
    tick: (ms) => {
      now += ms;
    },
  };
};

export type Invoke = (event: ApiEvent) => Promise<ApiResult & { json: Record<string, unknown> }>;

/** Calls a middy handler and parses its JSON body. */
export const invoker =
  (handler: (event: ApiEvent, context: Context) => Promise<ApiResult>): Invoke =>
  async (event) => {
    const result = await handler(event, lambdaContext());
    return { ...result, json: JSON.parse(String(result.body)) as Record<string, unknown> };
  };
