/**
 * The composition root of the Lambdas (API handlers, workflow steps and the scheduled paper tick): the only place
 * that chooses adapters. Clients and adapters are built once per cold start (on first use, so importing a handler
 * module builds nothing); tests and the local runtime pass their own `HandlerDeps` / `PaperHandlerDeps` /
 * `StepDeps` / `ScheduledDeps` to the `create…Handler` factories instead.
 *
 * Paper trading adds no table and no environment variable: its store is `DynamoPaperStore` on the runs table
 * (`RUNS_TABLE`), and the API's paper routes share the backtest routes' object store, runs, dataset catalog and
 * idempotency guard.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import { DynamoPaperStore } from '../../lib/adapters/dynamo-paper-store.ts';
import { DynamoRunStore } from '../../lib/adapters/dynamo-run-store.ts';
import { PaperBroker } from '../../lib/adapters/paper-broker.ts';
import { PowertoolsIdempotencyGuard } from '../../lib/adapters/powertools-idempotency.ts';
import { makeS3Client } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { S3UrlSigner } from '../../lib/adapters/s3-url-signer.ts';
import { makeSfnClient, SfnExecutionStarter } from '../../lib/adapters/sfn-execution-starter.ts';
import type { ApiDeps } from '../../lib/api/backtests.ts';
import type { PaperApiDeps } from '../../lib/api/paper.ts';
import { ulid } from '../../lib/core/ulid.ts';
import { ObjectStoreDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import type { PaperStore } from '../../lib/paper/paper-store.ts';
import type { PaperContext } from '../../lib/paper/tick.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { type ApiEnv, parseApiEnv, parseWorkflowEnv, type WorkflowEnv } from './env.ts';

export interface HandlerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The use cases' ports; called on every request, so it must memoise. */
  readonly api: () => ApiDeps;
  readonly nowMs: () => number;
  readonly newRunId: () => string;
  /** @default DEFAULT_MAX_BODY_BYTES (64 KiB) */
  readonly maxBodyBytes?: number;
}

/** What the paper routes run with: `HandlerDeps` plus the paper use cases' ports. */
export interface PaperHandlerDeps extends HandlerDeps {
  /** The paper use cases' ports; called on every request, so it must memoise. */
  readonly paperApi: () => PaperApiDeps;
}

const s3ClientFor = (env: WorkflowEnv) =>
  makeS3Client({
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT !== undefined && { endpoint: env.S3_ENDPOINT }),
    ...(env.LOCAL_STACK && { forcePathStyle: true }),
  });

const dynamoConfigFor = (env: WorkflowEnv) => ({
  region: env.AWS_REGION,
  ...(env.DYNAMODB_ENDPOINT !== undefined && { endpoint: env.DYNAMODB_ENDPOINT }),
});

/** The AWS (or local-stack) adapters for `env`. */
export const buildApiDeps = (env: ApiEnv): ApiDeps => {
  const s3 = s3ClientFor(env);
  const dynamo = dynamoConfigFor(env);
  const store = new S3ObjectStore({
    client: s3,
    bucket: env.BUCKET,
    emulateConditionalWrites: env.LOCAL_STACK,
  });
  return {
    runs: new DynamoRunStore({ client: makeDynamoDocumentClient(dynamo), tableName: env.RUNS_TABLE }),
    store,
    executions: new SfnExecutionStarter({
      client: makeSfnClient({
        region: env.AWS_REGION,
        ...(env.SFN_ENDPOINT !== undefined && { endpoint: env.SFN_ENDPOINT }),
      }),
      stateMachineArn: env.STATE_MACHINE_ARN,
    }),
    datasets: new ObjectStoreDatasetCatalog(store),
    // Powertools' persistence layer sends plain DynamoDB commands: it needs a client, not a document client.
    idempotency: new PowertoolsIdempotencyGuard({
      client: new DynamoDBClient(dynamo),
      tableName: env.IDEMPOTENCY_TABLE,
    }),
    signer: new S3UrlSigner({ client: s3, bucket: env.BUCKET }),
    codeVersion: env.CODE_VERSION,
    urlTtlSeconds: env.ARTIFACT_URL_TTL_SECONDS,
  };
};

/** The paper store of `env`: `DynamoPaperStore` on the runs table (or dynalite's). */
export const buildPaperStore = (env: WorkflowEnv): PaperStore =>
  new DynamoPaperStore({
    client: makeDynamoDocumentClient(dynamoConfigFor(env)),
    tableName: env.RUNS_TABLE,
  });

/** The paper use cases' ports over the backtest API's ports (same store, runs, catalog, idempotency guard). */
export const paperApiDepsOf = (api: ApiDeps, paper: PaperStore): PaperApiDeps => ({
  paper,
  store: api.store,
  runs: api.runs,
  datasets: api.datasets,
  idempotency: api.idempotency,
  codeVersion: api.codeVersion,
});

/**
 * The scheduled paper tick's ports for `env`: the data lake on S3 (or s3rver) with its dataset catalog, the paper
 * store on the runs table, the paper broker (the engine's fill model) and the wall clock (record timestamps only:
 * the hour worked on always comes from the event).
 */
export const buildPaperContext = (env: WorkflowEnv): PaperContext => {
  const store = new S3ObjectStore({
    client: s3ClientFor(env),
    bucket: env.BUCKET,
    emulateConditionalWrites: env.LOCAL_STACK,
  });
  return {
    store,
    paper: buildPaperStore(env),
    datasets: new ObjectStoreDatasetCatalog(store),
    broker: new PaperBroker(),
    nowMs: () => Date.now(),
  };
};

/**
 * The workflow steps' ports for `env`: the data lake on S3 (or s3rver), the runs table on DynamoDB (or
 * dynalite), the wall clock (run-record timestamps only) and the deployed code version.
 */
export const buildWorkflowContext = (env: WorkflowEnv): WorkflowContext => ({
  store: new S3ObjectStore({
    client: s3ClientFor(env),
    bucket: env.BUCKET,
    emulateConditionalWrites: env.LOCAL_STACK,
  }),
  runs: new DynamoRunStore({
    client: makeDynamoDocumentClient(dynamoConfigFor(env)),
    tableName: env.RUNS_TABLE,
  }),
  nowMs: () => Date.now(),
  codeVersion: env.CODE_VERSION,
});

/** What a step handler runs with. */
export interface StepDeps {
  readonly logger: Logger;
  /** The steps' ports; called on every invocation, so it must memoise. */
  readonly workflow: () => WorkflowContext;
}

/** What the scheduled paper tick runs with. */
export interface ScheduledDeps {
  readonly logger: Logger;
  /** The tick's ports; called on every invocation, so it must memoise. */
  readonly paper: () => PaperContext;
}

const memo = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
};

let lambdaDepsValue: PaperHandlerDeps | undefined;

/**
 * The deployed API Lambdas' dependencies (one instance per process; the environment is read on first use). The
 * backtest routes take them as `HandlerDeps`, the paper routes as `PaperHandlerDeps`.
 */
export const lambdaDeps = (): PaperHandlerDeps => {
  if (lambdaDepsValue !== undefined) return lambdaDepsValue;
  const env = memo(() => parseApiEnv(process.env));
  const api = memo(() => buildApiDeps(env()));
  lambdaDepsValue = {
    logger: new Logger({ serviceName: 'hts-api' }),
    metrics: new Metrics({ namespace: 'hts', serviceName: 'hts-api' }),
    api,
    paperApi: memo(() => paperApiDepsOf(api(), buildPaperStore(env()))),
    nowMs: () => Date.now(),
    newRunId: () => ulid(Date.now(), randomBytes(10)),
  };
  return lambdaDepsValue;
};

let workflowDepsValue: StepDeps | undefined;

/** The deployed step Lambdas' dependencies (one instance per process; the environment is read on first use). */
export const workflowDeps = (): StepDeps => {
  workflowDepsValue ??= {
    logger: new Logger({ serviceName: 'hts-steps' }),
    workflow: memo(() => buildWorkflowContext(parseWorkflowEnv(process.env))),
  };
  return workflowDepsValue;
};

let paperTickDepsValue: ScheduledDeps | undefined;

/** The deployed paper tick's dependencies (one instance per process; the environment is read on first use). */
export const paperTickDeps = (): ScheduledDeps => {
  paperTickDepsValue ??= {
    logger: new Logger({ serviceName: 'hts-paper' }),
    paper: memo(() => buildPaperContext(parseWorkflowEnv(process.env))),
  };
  return paperTickDepsValue;
};
