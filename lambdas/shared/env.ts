/**
 * The Lambdas' environment, parsed once per cold start (the only `process.env` read besides Powertools' own
 * `POWERTOOLS_*` settings): `WorkflowEnv` for the step functions, `ApiEnv` (a superset) for the API. Endpoint
 * overrides point the same adapters at the local stack (s3rver, dynalite, a Step Functions emulator);
 * `LOCAL_STACK=true` adds what s3rver needs (path-style URLs, emulated conditional writes) and must never be set
 * in AWS.
 */
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** What the workflow steps need: the data lake bucket, the runs table and the code version. */
export const WorkflowEnv = z.object({
  AWS_REGION: z.string().min(1),
  BUCKET: z.string().min(3).max(63),
  RUNS_TABLE: z.string().min(3).max(255),
  CODE_VERSION: z.string().min(1).max(256),
  S3_ENDPOINT: z.url().optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  LOCAL_STACK: flag,
});
export type WorkflowEnv = z.infer<typeof WorkflowEnv>;

export const ApiEnv = WorkflowEnv.extend({
  IDEMPOTENCY_TABLE: z.string().min(3).max(255),
  STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/),
  SFN_ENDPOINT: z.url().optional(),
  /** Lifetime of presigned artifact URLs. */
  ARTIFACT_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(900).default(600),
});
export type ApiEnv = z.infer<typeof ApiEnv>;

const parseEnv =
  <T>(schema: z.ZodType<T>, what: string) =>
  (env: Readonly<Record<string, string | undefined>>): T => {
    const parsed = schema.safeParse(env);
    if (parsed.success) return parsed.data;
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
    throw new Error(`invalid ${what} environment: ${names}`);
  };

/** Parses `env`; the error names the variables that are missing or wrong, never their values. */
export const parseApiEnv: (env: Readonly<Record<string, string | undefined>>) => ApiEnv = parseEnv(
  ApiEnv,
  'API Lambda',
);

/** Parses a step Lambda's `env`; the error names the variables that are missing or wrong, never their values. */
export const parseWorkflowEnv: (env: Readonly<Record<string, string | undefined>>) => WorkflowEnv = parseEnv(
  WorkflowEnv,
  'step Lambda',
);
