/**
 * The API Lambdas' environment, parsed once per cold start (the only `process.env` read besides Powertools' own
 * `POWERTOOLS_*` settings). Endpoint overrides point the same adapters at the local stack (s3rver, dynalite,
 * a Step Functions emulator); `LOCAL_STACK=true` adds what s3rver needs (path-style URLs, emulated conditional
 * writes) and must never be set in AWS.
 */
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

export const ApiEnv = z.object({
  AWS_REGION: z.string().min(1),
  BUCKET: z.string().min(3).max(63),
  RUNS_TABLE: z.string().min(3).max(255),
  IDEMPOTENCY_TABLE: z.string().min(3).max(255),
  STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/),
  CODE_VERSION: z.string().min(1).max(256),
  S3_ENDPOINT: z.url().optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  SFN_ENDPOINT: z.url().optional(),
  LOCAL_STACK: flag,
  /** Lifetime of presigned artifact URLs. */
  ARTIFACT_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(900).default(600),
});
export type ApiEnv = z.infer<typeof ApiEnv>;

/** Parses `env`; the error names the variables that are missing or wrong, never their values. */
export const parseApiEnv = (env: Readonly<Record<string, string | undefined>>): ApiEnv => {
  const parsed = ApiEnv.safeParse(env);
  if (parsed.success) return parsed.data;
  const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
  throw new Error(`invalid API Lambda environment: ${names}`);
};
