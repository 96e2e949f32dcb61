/**
 * One error family for the whole project. Every subclass sets `name` explicitly: bundles are minified and
 * Step Functions `Retry`/`Catch` match on the name. Handlers map `code` (or `apiCode`, when set) to an HTTP
 * status through the exhaustive tables of `lib/api/errors.ts`.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DATA_INTEGRITY'
  | 'LOOKAHEAD'
  | 'UPSTREAM'
  | 'NON_DETERMINISM'
  | 'INTERNAL';

/**
 * The finer code an HTTP answer carries where it differs from the family's `code`: an `UnknownDatasetError` is
 * `INVALID_INPUT` to the program and `UNKNOWN_DATASET` (422) on the wire.
 */
export type ApiCode =
  | 'UNAUTHORIZED'
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNKNOWN_DATASET'
  | 'IDEMPOTENCY_PAYLOAD_MISMATCH'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'RUN_NOT_FINISHED'
  | 'RUN_ALREADY_FINISHED';

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  /** Set by the subclasses whose HTTP answer has its own code (see `ApiCode`). */
  declare readonly apiCode?: ApiCode;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Bad input from a user: a spec, a CLI flag, a request body. `details.field` names the offending field. */
export class InvalidInputError extends AppError {
  override name = 'InvalidInputError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('INVALID_INPUT', message, details, options);
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('NOT_FOUND', message, details, options);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('CONFLICT', message, details, options);
  }
}

/**
 * Corrupt data stopped at the boundary. `details` names the dataset, the first offending row (0-based index in
 * the input as received) and the rule it broke. Nothing is ever silently fixed.
 */
export class DataIntegrityError extends AppError {
  override name = 'DataIntegrityError';
  constructor(
    message: string,
    details: ErrorDetails & { dataset: string; row?: number; rule: string },
    options?: ErrorOptions,
  ) {
    super('DATA_INTEGRITY', message, details, options);
  }
}

/** A read past a point-in-time view's cutoff. */
export class LookaheadError extends AppError {
  override name = 'LookaheadError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('LOOKAHEAD', message, details, options);
  }
}

/** A transient failure of something outside the process (S3, DynamoDB, ...): the only kind that is retried. */
export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('UPSTREAM', message, details, options);
  }
}

/** A write-once object already exists with different content: the same step produced different bytes. */
export class NonDeterminismError extends AppError {
  override name = 'NonDeterminismError';
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super('NON_DETERMINISM', message, details, options);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
