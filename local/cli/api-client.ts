/**
 * Small clients of the hts HTTP API (the local server or API Gateway), over one JSON transport:
 * - `HtsApiClient`, the backtests: submit, poll, list, cancel, fetch the artifact manifest and download the
 *   artifacts through their presigned URLs, checking each file's size and sha256 against the manifest;
 * - `PaperApiClient`, the paper routes: create a strategy, read its portfolio and every page of its decisions.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PaperDecisionView, PaperPortfolioView } from '../../lib/api/index.ts';
import {
  ARTIFACT_NAME_PATTERN,
  type ArtifactManifest,
  type ArtifactManifestEntry,
} from '../../lib/artifacts/index.ts';
import { AppError, InvalidInputError } from '../../lib/core/errors.ts';
import { MAX_DECISION_PAGE } from '../../lib/paper/paper-store.ts';

export interface StageProgress {
  readonly done: number;
  readonly total: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Wall seconds of the finished stage (the API's one definition, `stageWallSeconds`). */
  readonly seconds?: number;
}

export interface RunView {
  readonly runId: string;
  readonly status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly progress: Readonly<Record<string, StageProgress>>;
  readonly metrics: Readonly<Record<string, number | null>> | null;
  readonly provenance: {
    readonly datasetId: string;
    readonly specHash: string;
    readonly codeVersion: string;
  };
  readonly error?: { readonly code: string; readonly message: string };
}

/** The API's artifacts answer: the run's manifest (lib/artifacts), each artifact with a presigned URL. */
export interface ArtifactsView {
  readonly runId: string;
  readonly manifest: Omit<ArtifactManifest, 'artifacts'>;
  readonly artifacts: readonly (ArtifactManifestEntry & { url: string })[];
  readonly expiresAt: string;
}

export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: {
    readonly field?: string;
    readonly issues?: readonly { path: string; message: string }[];
  };
}

/** An HTTP error answer of the API, with its status and body. */
export class ApiRequestError extends AppError {
  override name = 'ApiRequestError';
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(
      status >= 400 && status < 500 ? 'INVALID_INPUT' : 'UPSTREAM',
      `${body.message} (HTTP ${status} ${body.code})`,
      {
        status,
        apiCode: body.code,
        ...(body.details?.field !== undefined && { field: body.details.field }),
        ...(body.details?.issues !== undefined && { issues: body.details.issues }),
      },
    );
  }
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** JSON requests to the API with an optional bearer token; an error answer throws `ApiRequestError`. */
class ApiTransport {
  readonly #base: string;
  readonly #token: string | undefined;

  /** `token`: sent as `Authorization: Bearer <token>` (locally `local:<tenant>`). */
  constructor(baseUrl: string, token?: string) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#token = token;
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(`${this.#base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        // the local server refuses a state-changing request without a JSON content type (CSRF), body or not
        ...((body !== undefined || method !== 'GET') && { 'content-type': 'application/json' }),
        ...(this.#token !== undefined && { authorization: `Bearer ${this.#token}` }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { code: 'NOT_JSON', message: text.slice(0, 200) };
    }
    if (!res.ok) {
      const b = parsed as Partial<ApiErrorBody> & { message?: string };
      throw new ApiRequestError(res.status, {
        code: b.code ?? `HTTP_${res.status}`,
        message: b.message ?? res.statusText,
        ...(b.details !== undefined && { details: b.details }),
      });
    }
    return parsed as T;
  }
}

const pageQuery = (limit: number | undefined, cursor: string | undefined): string => {
  const q = new URLSearchParams();
  if (limit !== undefined) q.set('limit', String(limit));
  if (cursor !== undefined) q.set('cursor', cursor);
  const qs = q.toString();
  return qs ? `?${qs}` : '';
};

export class HtsApiClient {
  readonly #http: ApiTransport;

  /** `token`: sent as `Authorization: Bearer <token>` (locally `local:<tenant>`). */
  constructor(baseUrl: string, token?: string) {
    this.#http = new ApiTransport(baseUrl, token);
  }

  submit(spec: unknown, idempotencyKey: string = randomUUID()): Promise<{ runId: string; status: string }> {
    return this.#http.call('POST', '/v1/backtests', spec, { 'idempotency-key': idempotencyKey });
  }

  get(runId: string): Promise<RunView> {
    return this.#http.call('GET', `/v1/backtests/${encodeURIComponent(runId)}`);
  }

  list(limit?: number, cursor?: string): Promise<{ items: RunView[]; nextCursor?: string }> {
    return this.#http.call('GET', `/v1/backtests${pageQuery(limit, cursor)}`);
  }

  cancel(runId: string): Promise<RunView> {
    return this.#http.call('POST', `/v1/backtests/${encodeURIComponent(runId)}/cancel`);
  }

  artifacts(runId: string): Promise<ArtifactsView> {
    return this.#http.call('GET', `/v1/backtests/${encodeURIComponent(runId)}/artifacts`);
  }

  /** Polls until the run is terminal, calling `onProgress` with each view. */
  async wait(
    runId: string,
    onProgress: (run: RunView) => void = () => undefined,
    intervalMs = 250,
  ): Promise<RunView> {
    for (;;) {
      const run = await this.get(runId);
      onProgress(run);
      if (TERMINAL.has(run.status)) return run;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** A small client of the paper routes of the hts HTTP API. */
export class PaperApiClient {
  readonly #http: ApiTransport;

  /** `token`: sent as `Authorization: Bearer <token>` (locally `local:<tenant>`). */
  constructor(baseUrl: string, token?: string) {
    this.#http = new ApiTransport(baseUrl, token);
  }

  create(body: unknown, idempotencyKey: string = randomUUID()): Promise<PaperPortfolioView> {
    return this.#http.call('POST', '/v1/paper', body, { 'idempotency-key': idempotencyKey });
  }

  get(strategyId: string): Promise<PaperPortfolioView> {
    return this.#http.call('GET', `/v1/paper/${encodeURIComponent(strategyId)}`);
  }

  decisionsPage(
    strategyId: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: PaperDecisionView[]; nextCursor?: string }> {
    const query = pageQuery(options.limit, options.cursor);
    return this.#http.call('GET', `/v1/paper/${encodeURIComponent(strategyId)}/decisions${query}`);
  }

  /** Every decision of the strategy, oldest first (all pages). */
  async decisions(strategyId: string): Promise<PaperDecisionView[]> {
    const out: PaperDecisionView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.decisionsPage(strategyId, {
        limit: MAX_DECISION_PAGE,
        ...(cursor !== undefined && { cursor }),
      });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  }
}

/**
 * Downloads every artifact through its presigned URL into `dir` (each written to a temp name, checked against
 * the manifest's size and sha256, then renamed into place). Returns the local paths by artifact name.
 */
export async function downloadArtifacts(view: ArtifactsView, dir: string): Promise<Map<string, string>> {
  mkdirSync(dir, { recursive: true });
  const paths = new Map<string, string>();
  await Promise.all(
    view.artifacts.map(async (a) => {
      if (!ARTIFACT_NAME_PATTERN.test(a.name)) {
        throw new InvalidInputError(`refusing to write an artifact named ${JSON.stringify(a.name)}`);
      }
      const res = await fetch(a.url);
      if (!res.ok) throw new AppError('UPSTREAM', `download of ${a.name} failed: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== a.bytes || sha !== a.sha256) {
        throw new AppError(
          'DATA_INTEGRITY',
          `${a.name}: downloaded ${bytes.length} bytes with sha256 ${sha}, the manifest says ${a.bytes} bytes, ${a.sha256}`,
        );
      }
      const path = join(dir, a.name);
      writeFileSync(`${path}.part`, bytes);
      renameSync(`${path}.part`, path);
      paths.set(a.name, path);
    }),
  );
  return paths;
}
