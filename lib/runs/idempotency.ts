/**
 * The idempotency port of `POST /v1/backtests`. A client retries a submit with the same `Idempotency-Key`;
 * the guard makes the retry answer with the run the first attempt created instead of starting another.
 *
 * - Scope: the stored key is `scopedIdempotencyKey(tenantId, key)` = sha256 of the length-prefixed tenant id and
 *   key, so two tenants using the same key never see each other's runs.
 * - Payload: `payloadHash` (sha256 of the canonical JSON of the request body: key order and whitespace do not
 *   matter) is stored with the key; the same key with another payload → `IdempotencyPayloadMismatchError`
 *   (HTTP 422 `IDEMPOTENCY_PAYLOAD_MISMATCH`), whether the first request has finished or is still running.
 * - Result: only `{ runId }` is stored; the caller re-reads the run to answer.
 * - Concurrency: of concurrent first attempts exactly one runs `work`; the others get
 *   `IdempotencyInProgressError` (HTTP 409 `IDEMPOTENCY_IN_PROGRESS`, retry later) or, once it has finished, its
 *   result. If `work` throws, the key is released so a retry can run it again.
 *
 * Implementations: `PowertoolsIdempotencyGuard` (Powertools idempotency on DynamoDB) and
 * `MemoryIdempotencyGuard` (unit tests); both pass `test/lambdas/idempotency.contract.ts`.
 */
import { ConflictError, canonicalJson, sha256Hex } from '../core/index.ts';

export interface IdempotentRequest {
  /** `scopedIdempotencyKey(tenantId, key)` */
  readonly scopedKey: string;
  /** `payloadHashOf(body)` */
  readonly payloadHash: string;
}

export interface IdempotentResult {
  readonly runId: string;
}

export interface IdempotencyGuard {
  /** Runs `work` once per scoped key; `replayed` is true when the result comes from an earlier call. */
  once(
    request: IdempotentRequest,
    work: () => Promise<IdempotentResult>,
  ): Promise<IdempotentResult & { readonly replayed: boolean }>;
}

/** Client keys: 1..255 printable ASCII characters (the IETF draft's recommendation is a UUID). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** sha256(len(tenant) ‖ ':' ‖ tenant ‖ key): unambiguous however the two strings split. */
export const scopedIdempotencyKey = (tenantId: string, key: string): string =>
  sha256Hex(`${tenantId.length}:${tenantId}${key}`);

/** sha256 of the canonical JSON (keys sorted) of the parsed request body. */
export const payloadHashOf = (body: unknown): string => sha256Hex(canonicalJson(body));

/** `apiCode` is the HTTP-facing code the handlers answer with (`code` stays the family's). */
export class IdempotencyPayloadMismatchError extends ConflictError {
  override name = 'IdempotencyPayloadMismatchError';
  override readonly apiCode = 'IDEMPOTENCY_PAYLOAD_MISMATCH';
  constructor() {
    super('this Idempotency-Key was already used with a different request body', {
      field: 'Idempotency-Key',
    });
  }
}

export class IdempotencyInProgressError extends ConflictError {
  override name = 'IdempotencyInProgressError';
  override readonly apiCode = 'IDEMPOTENCY_IN_PROGRESS';
  constructor() {
    super('a request with this Idempotency-Key is still being processed; retry later', {
      field: 'Idempotency-Key',
    });
  }
}
