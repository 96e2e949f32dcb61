/**
 * The one place a DynamoDB client is configured, and the one translation of DynamoDB SDK errors into the
 * project's error family. Composition roots (`lambdas/shared/deps.ts`, `local/`) call `makeDynamoDocumentClient`
 * and inject the client into `DynamoRunStore`.
 *
 * Translation (`translateDynamoError`), in the style of `translateS3Error`:
 * - `ConditionalCheckFailedException` → `ConflictError` (adapters usually catch it first to say what was
 *   expected and what was found);
 * - throttling (`ProvisionedThroughputExceededException`, `ThrottlingException`, `RequestLimitExceeded`), 5xx,
 *   `TransactionConflictException`, timeouts, dropped connections, anything the SDK marks `$retryable` →
 *   `UpstreamError`, the only kind the state machine retries (after the SDK's own retries);
 * - a missing table (`ResourceNotFoundException`), access denied / bad credentials → `AppError` `INTERNAL`
 *   (retrying will not help); the message names the operation and the error name only (SDK messages can carry
 *   ARNs);
 * - `ValidationException` and anything else → `AppError` `INTERNAL` (a bug in the request we built).
 * The SDK error is kept as `cause` for logs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, ConflictError, InvalidInputError, UpstreamError } from '../core/index.ts';
import { awsErrorName, awsStatusOf, isTransientAwsError } from './aws-errors.ts';

export interface DynamoClientSettings {
  readonly region: string;
  /** A custom endpoint such as the local dynalite (`http://127.0.0.1:4567`). @default the AWS endpoint */
  readonly endpoint?: string;
  /** Static credentials (dynalite: `DYNALITE_CREDENTIALS`). @default the SDK's provider chain (Lambda role) */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts per request including the first, with the SDK's backoff. @default 3 (the SDK default) */
  readonly maxAttempts?: number;
}

/** dynalite checks no signatures; any key pair works. */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' } as const;

const KNOWN_SETTINGS = new Set(['region', 'endpoint', 'credentials', 'maxAttempts']);

/**
 * A document client (plain JS values in and out) that drops `undefined` attributes (optional fields are
 * omitted, never stored as NULL) and refuses class instances.
 */
export const makeDynamoDocumentClient = (settings: DynamoClientSettings): DynamoDBDocumentClient => {
  for (const name of Object.keys(settings)) {
    if (!KNOWN_SETTINGS.has(name)) {
      throw new InvalidInputError(
        `unknown DynamoDB client setting ${JSON.stringify(name)}; expected one of ${[...KNOWN_SETTINGS].join(', ')}`,
        { field: name },
      );
    }
  }
  if (typeof settings.region !== 'string' || settings.region === '') {
    throw new InvalidInputError(
      'DynamoDB client region must be a non-empty string, received an empty value',
      {
        field: 'region',
      },
    );
  }
  const client = new DynamoDBClient({
    region: settings.region,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.credentials !== undefined && { credentials: { ...settings.credentials } }),
    ...(settings.maxAttempts !== undefined && { maxAttempts: settings.maxAttempts }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
};

/** The error's name: `ThrottlingException`, also from a raw `__type` such as `com.amazonaws...#Name`. */
export const dynamoErrorName = awsErrorName;

const statusOf = awsStatusOf;

export const isConditionalCheckFailed = (e: unknown): boolean =>
  dynamoErrorName(e) === 'ConditionalCheckFailedException';

const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'IncompleteSignatureException',
]);

const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
]);

const isTransient = (e: unknown): boolean => isTransientAwsError(e, TRANSIENT_ERRORS);

/**
 * Translates an error thrown by the DynamoDB client into the project's error family. `AppError`s pass through
 * unchanged. `context` (e.g. `{ runId }`) is added to the details; never put secrets or ARNs in it.
 */
export const translateDynamoError = (
  e: unknown,
  operation: string,
  context: Readonly<Record<string, unknown>> = {},
): AppError => {
  if (e instanceof AppError) return e;
  const errorName = dynamoErrorName(e);
  const httpStatusCode = statusOf(e);
  const details = {
    operation,
    ...context,
    errorName,
    ...(httpStatusCode !== undefined && { httpStatusCode }),
  };
  const what = `${errorName}${httpStatusCode !== undefined ? `, HTTP ${httpStatusCode}` : ''}`;
  if (isConditionalCheckFailed(e)) {
    return new ConflictError(`DynamoDB ${operation} condition failed (${what})`, details, { cause: e });
  }
  if (errorName === 'ResourceNotFoundException') {
    return new AppError(
      'INTERNAL',
      `DynamoDB ${operation} failed: the configured table or index does not exist (${what})`,
      details,
      { cause: e },
    );
  }
  if (ACCESS_ERRORS.has(errorName) || httpStatusCode === 403 || httpStatusCode === 401) {
    return new AppError(
      'INTERNAL',
      `DynamoDB ${operation} was denied (${what}): check the credentials and the role's permissions on the table`,
      details,
      { cause: e },
    );
  }
  if (isTransient(e)) {
    return new UpstreamError(`DynamoDB ${operation} failed transiently (${what}); safe to retry`, details, {
      cause: e,
    });
  }
  return new AppError('INTERNAL', `DynamoDB ${operation} failed (${what}); not retryable`, details, {
    cause: e,
  });
};

/**
 * A strongly consistent GetItem of one item by its keys: the item, or `undefined` when there is none. SDK errors
 * are translated at the boundary (`context` names the record for messages).
 */
export async function getItemConsistent(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: { readonly pk: string; readonly sk: string },
  context: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  } catch (e) {
    throw translateDynamoError(e, 'GetItem', context);
  }
}
