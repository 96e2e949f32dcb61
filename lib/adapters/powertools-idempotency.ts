/**
 * `IdempotencyGuard` on the Powertools idempotency utility with its DynamoDB persistence layer (the idempotency
 * table of `cdk/stateful-stack.ts`: partition key `id`, TTL attribute `expiration`).
 *
 * How the port maps onto Powertools: `makeIdempotent` wraps `work` with payload `{ scopedKey, payloadHash }`;
 * `eventKeyJmesPath: 'scopedKey'` (the tenant-scoped hash: Powertools hashes it again into `id`),
 * `payloadValidationJmesPath: 'payloadHash'` (stored in `validation`), `hashFunction: 'sha256'`, a fixed
 * `keyPrefix` (the default, the Lambda function name, would change keys on every rename and is empty in local
 * mode), and `throwOnNoIdempotencyKey` (never silently skip). The stored response is `work`'s `{ runId }` only.
 * The Lambda's remaining time is passed as a context so an attempt that dies mid-way releases the key when its
 * Lambda would have timed out (`in_progress_expiration`), not only when the record expires.
 *
 * What was checked in 2.35.0 (tests in `test/lambdas/idempotency*.test.ts` hold it to this):
 * - payload validation runs both when DynamoDB returns the existing item with the failed condition
 *   (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, the path that skipped validation in 2.0.x, issue #2058) and
 *   when it does not (dynalite ignores that parameter; Powertools then reads the item back);
 * - `IdempotencyHandler.determineResultFromIdempotencyRecord` compares the in-progress expiry with
 *   `new Date().getUTCMilliseconds()` (0..999), so that check never fires; harmless here because the
 *   conditional PutItem already lets a new attempt take over an expired in-progress record;
 * - `IdempotencyConfig.registerLambdaContext` mutates a shared config; a config is built per call instead, so
 *   concurrent invocations in one process (local mode) never see each other's context.
 *
 * Errors: `IdempotencyValidationError` → `IdempotencyPayloadMismatchError`; `IdempotencyAlreadyInProgressError`
 * → `IdempotencyInProgressError`; persistence failures → `translateDynamoError` of their cause (throttling →
 * `UpstreamError`); other Powertools states → `UpstreamError` (retry); errors of `work` pass through unchanged.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { AppError, InvalidInputError, UpstreamError } from '../core/index.ts';
import {
  type IdempotencyGuard,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  type IdempotentRequest,
  type IdempotentResult,
  RUN_ID_PATTERN,
} from '../runs/index.ts';
import { translateDynamoError } from './dynamo-client.ts';

export interface PowertoolsIdempotencyGuardOptions {
  /** A plain DynamoDB client (not a document client). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Prefix of every stored key. @default 'hts.submit-backtest' */
  readonly keyPrefix?: string;
  /** How long a key answers with its run. @default 86400 (24 h) */
  readonly expiresAfterSeconds?: number;
}

const KNOWN_OPTIONS = new Set(['client', 'tableName', 'keyPrefix', 'expiresAfterSeconds']);

export interface PowertoolsIdempotentRequest extends IdempotentRequest {
  /** The Lambda's remaining time; bounds how long a dead attempt keeps the key. */
  readonly remainingTimeMs?: number;
}

export class PowertoolsIdempotencyGuard implements IdempotencyGuard {
  readonly #persistence: DynamoDBPersistenceLayer;
  readonly #keyPrefix: string;
  readonly #expiresAfterSeconds: number;

  constructor(options: PowertoolsIdempotencyGuardOptions) {
    for (const name of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(name)) {
        throw new InvalidInputError(`unknown PowertoolsIdempotencyGuard option ${JSON.stringify(name)}`, {
          field: name,
        });
      }
    }
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new InvalidInputError('tableName must be a non-empty string', { field: 'tableName' });
    }
    this.#persistence = new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      awsSdkV3Client: options.client,
    });
    this.#keyPrefix = options.keyPrefix ?? 'hts.submit-backtest';
    this.#expiresAfterSeconds = options.expiresAfterSeconds ?? 86_400;
  }

  async once(
    request: PowertoolsIdempotentRequest,
    work: () => Promise<IdempotentResult>,
  ): Promise<IdempotentResult & { replayed: boolean }> {
    let ran = false;
    const remaining = request.remainingTimeMs;
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'scopedKey',
      payloadValidationJmesPath: 'payloadHash',
      hashFunction: 'sha256',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: this.#expiresAfterSeconds,
      ...(remaining !== undefined && {
        lambdaContext: { getRemainingTimeInMillis: () => remaining } as unknown as Context,
      }),
    });
    const idempotent = makeIdempotent(
      async (_payload: { scopedKey: string; payloadHash: string }): Promise<IdempotentResult> => {
        ran = true;
        const result = await work();
        return { runId: result.runId };
      },
      { persistenceStore: this.#persistence, config, keyPrefix: this.#keyPrefix },
    );
    let out: unknown;
    try {
      out = await idempotent({ scopedKey: request.scopedKey, payloadHash: request.payloadHash });
    } catch (e) {
      throw ran ? passThroughWorkError(e) : translatePowertoolsError(e);
    }
    const runId = (out as { runId?: unknown } | null)?.runId;
    if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
      throw new AppError('INTERNAL', 'idempotency record holds no valid runId', { operation: 'idempotency' });
    }
    return { runId, replayed: !ran };
  }
}

/** An error after `work` ran is `work`'s own, unless releasing the key failed. */
const passThroughWorkError = (e: unknown): unknown =>
  e instanceof Error && e.name.startsWith('Idempotency') ? translatePowertoolsError(e) : e;

const translatePowertoolsError = (e: unknown): unknown => {
  if (!(e instanceof Error)) return e;
  switch (e.name) {
    case 'IdempotencyValidationError':
      return new IdempotencyPayloadMismatchError();
    case 'IdempotencyAlreadyInProgressError':
      return new IdempotencyInProgressError();
    case 'IdempotencyPersistenceLayerError':
      return translateDynamoError(e.cause ?? e, 'idempotency');
    case 'IdempotencyInconsistentStateError':
    case 'IdempotencyItemNotFoundError':
      return new UpstreamError('the idempotency record changed concurrently; safe to retry', {
        operation: 'idempotency',
        errorName: e.name,
      });
    default:
      return e.name.startsWith('Idempotency')
        ? new AppError(
            'INTERNAL',
            `idempotency failed (${e.name})`,
            { operation: 'idempotency' },
            { cause: e },
          )
        : e;
  }
};
