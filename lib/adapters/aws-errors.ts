/**
 * Classifying errors thrown by AWS SDK v3 clients, shared by every adapter: the service error's name, its HTTP
 * status, and whether it is transient (the only kind the state machine retries, as `UpstreamError`).
 */
export interface SdkErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly __type?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

export const asSdkError = (e: unknown): SdkErrorLike => (typeof e === 'object' && e !== null ? e : {});

/** The service error's name (`NoSuchKey`, `ThrottlingException`, also from a raw `__type` `ns#Name`). */
export const awsErrorName = (e: unknown): string => {
  const x = asSdkError(e);
  for (const v of [x.Code, x.name, x.code, x.__type]) {
    if (typeof v === 'string' && v !== '' && v !== 'Error') return v.slice(v.lastIndexOf('#') + 1);
  }
  return 'UnknownError';
};

export const awsStatusOf = (e: unknown): number | undefined => {
  const status = asSdkError(e).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
};

/** Socket-level failures, looked for along the `cause` chain. */
const TRANSIENT_ERRNOS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Transient: the SDK marked it retryable, a 5xx or 429, a service error name in `transientNames` (each
 * service's throttling and internal-error names), or a socket error anywhere in the cause chain.
 */
export const isTransientAwsError = (e: unknown, transientNames: ReadonlySet<string>): boolean => {
  if (asSdkError(e).$retryable) return true;
  const status = awsStatusOf(e);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (transientNames.has(awsErrorName(e))) return true;
  for (let err: unknown = e, depth = 0; err !== undefined && depth < 4; depth++) {
    const code = asSdkError(err).code;
    if (typeof code === 'string' && TRANSIENT_ERRNOS.has(code)) return true;
    err = asSdkError(err).cause;
  }
  return false;
};
