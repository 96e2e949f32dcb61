/**
 * The local stack: everything the cloud deployment provides, in this Node process, on 127.0.0.1.
 *
 * - S3: s3rver on `{root}/s3` (objects persist between runs); DynamoDB: dynalite on LevelDB in `{root}/dynamo`;
 *   the bucket, the runs table (`runsTableDefinition`, the one the CDK stack is checked against) and the API's
 *   idempotency table are created when missing.
 * - Step Functions: the state machine definition the CDK app synthesises (`local/state-machine.ts`), executed
 *   by aws-local-stepfunctions; a Step Functions endpoint (`local/sfn-endpoint.ts`) for the API's
 *   `StartExecution`/`StopExecution`.
 * - Lambda: the handler modules of `lambdas/` on worker threads (`local/worker-pool.ts`): one pool for the steps,
 *   sized to the cores (Map items run in parallel), one for the API routes (a few workers, so requests run
 *   concurrently as separate Lambda invocations do). Each worker gets the environment variables a deployed
 *   function gets (`LambdaEnvironment`), endpoints pointing at the local servers, so the handlers build the same
 *   AWS SDK adapters as in AWS. Their logs go to `{root}/logs/lambda.log`. A Task that times out, or whose
 *   execution is stopped, has its worker terminated (`worker-pool.ts`).
 * - API Gateway: `local/http-server.ts`; it answers 503 with `Retry-After` while the stack is `setUnavailable`
 *   (e.g. `hts serve` publishing its datasets).
 *
 * One process per root, held by an OS-level lock (`stack-lock.ts`: a listening Unix-domain socket the kernel
 * releases when the holder dies; `{root}/stack.lock` keeps its PID for messages). The local S3 writes objects
 * atomically (`atomic-s3rver-store.ts`), and what an interrupted write left is swept at start. Runs left QUEUED or
 * RUNNING by a process that died are marked FAILED (`ABANDONED`) at start, since nothing can finish them; a stack
 * that stops marks its own unfinished runs the same way.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { DYNALITE_CREDENTIALS, makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import { DynamoRunStore, runsTableDefinition } from '../../lib/adapters/dynamo-run-store.ts';
import { makeS3Client, S3RVER_CREDENTIALS } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { ConflictError } from '../../lib/core/errors.ts';
import { STEP_NAMES, type StepName } from '../../lib/pipeline/step-names.ts';
import type { RunStore } from '../../lib/runs/run-store.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { AtomicFilesystemStore, type SweepResult, sweepIncompleteWrites } from './atomic-s3rver-store.ts';
import { LocalExecutions } from './executions.ts';
import { API_ROUTES, assertHandlerModulesExist, STEP_HANDLER_MODULES } from './handlers.ts';
import { type LocalApiServer, startLocalApiServer } from './http-server.ts';
import { type SfnEndpoint, startSfnEndpoint } from './sfn-endpoint.ts';
import { acquireStackLock, type LockSocketKind } from './stack-lock.ts';
import { type Asl, allStates, LocalStateMachine, loadLocalDefinition } from './state-machine.ts';
import { WorkerPool, type WorkerPoolStats } from './worker-pool.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_BUCKET = 'hts-local';
export const LOCAL_RUNS_TABLE = 'hts-runs';
export const LOCAL_IDEMPOTENCY_TABLE = 'hts-idempotency';
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:hts-backtest';
/** The tenant of requests that carry no token. */
export const DEFAULT_TENANT = 'local';
/**
 * API route workers: requests run concurrently, as separate Lambda invocations do, up to this many at once (two
 * to four, by the cores: each worker holds the API's modules in its own isolate).
 */
export const defaultApiWorkers = (): number => Math.min(4, Math.max(2, availableParallelism()));

/** The idempotency table of `cdk/stateful-stack.ts`: partition key `id` (S); dynalite has no TTL. */
export const idempotencyTableDefinition = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
});

/** The environment variables of the local Lambda functions (`lambdas/shared/env.ts`). */
export type LambdaEnvironment = Readonly<Record<string, string>>;

export interface LocalStackOptions {
  /** The stack's folder (S3 objects, DynamoDB tables, logs, caches). @default `.hts` in the working directory */
  readonly root?: string;
  /** Port of the HTTP API. @default a free port */
  readonly port?: number;
  /** Tenant of requests without a token. @default 'local' */
  readonly defaultTenant?: string;
  /** Worker threads for the steps. @default os.availableParallelism() */
  readonly workers?: number;
  /** Worker threads for the API routes (requests beyond them queue). @default `defaultApiWorkers()` */
  readonly apiWorkers?: number;
  /**
   * When set, the API answers 503 `UNAVAILABLE` with `Retry-After` and this message until `setUnavailable(undefined)`
   * (e.g. while the datasets it serves are being published). @default available at once
   */
  readonly unavailable?: string;
  /** Where the root's lock lives (`stack-lock.ts`). @default `defaultLockSocket()` */
  readonly lockSocket?: LockSocketKind;
  /**
   * Test seams, never set by the CLI: a step's handler module replaced (a `file:` URL exporting `handler`), a
   * Task's `TimeoutSeconds` replaced.
   */
  readonly stepModules?: Partial<Record<StepName, string>>;
  readonly taskTimeoutSeconds?: Partial<Record<StepName, number>>;
  /** The code version recorded in every run's provenance. @default package version + git commit */
  readonly codeVersion?: string;
  /** Powertools log level of the handlers (their logs go to `{root}/logs/lambda.log`; INFO: a start and an end line per step, what `hts logs` shows). @default 'INFO' */
  readonly logLevel?: string;
}

export interface LocalStack {
  readonly root: string;
  /** The HTTP API: `http://127.0.0.1:{port}`. */
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly sfnEndpoint: string;
  /** What every local Lambda function sees in `process.env`. */
  readonly env: LambdaEnvironment;
  readonly codeVersion: string;
  readonly workers: number;
  readonly apiWorkers: number;
  readonly executions: LocalExecutions;
  /** The data lake bucket through the same adapter the handlers use. */
  readonly store: S3ObjectStore;
  /** The runs table through the same adapter the handlers use. */
  readonly runs: RunStore;
  /** Runs marked FAILED at start because a previous process left them unfinished. */
  readonly abandoned: readonly string[];
  /** What interrupted writes of a previous process left in the local S3, removed at start. */
  readonly swept: SweepResult;
  /** How the state machine definition was obtained (synthesised now or from the cache) and how long it took. */
  readonly definition: { readonly synthesized: boolean; readonly elapsedMs: number };
  /** Makes the API answer 503 with `message` (undefined: serve requests again). */
  setUnavailable(message: string | undefined): void;
  /** The worker pools' counters (steps, API routes). */
  workerStats(): { readonly steps: WorkerPoolStats; readonly api: WorkerPoolStats };
  stop(): Promise<void>;
}

/** Whether this Node can use DES, which s3rver needs for paged listings (`--openssl-legacy-provider`). */
export function hasLegacyOpenSsl(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** `{package version}+{git commit}` (`.dirty` when tracked files differ from the commit), or the version alone. */
export function localCodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const commit = git(['rev-parse', '--short=12', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${pkg.version}+${commit}${dirty ? '.dirty' : ''}`;
  } catch {
    return pkg.version;
  }
}

async function ensureTable(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  const name = definition.TableName!;
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
  }
  await client.send(new CreateTableCommand(definition));
  for (let i = 0; i < 200; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexes = (out.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && indexes) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`dynalite table ${name} did not become ACTIVE`);
}

/** Marks runs that no process can finish any more FAILED (`ABANDONED`); returns their ids. */
async function failAbandonedRuns(client: DynamoDBClient, runs: RunStore): Promise<string[]> {
  const failed: string[] = [];
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: LOCAL_RUNS_TABLE,
        FilterExpression: '#s IN (:q, :r)',
        ExpressionAttributeNames: { '#s': 'status', '#t': 'tenantId', '#r': 'runId' },
        ExpressionAttributeValues: { ':q': { S: 'QUEUED' }, ':r': { S: 'RUNNING' } },
        ProjectionExpression: '#t, #r',
        ...(exclusiveStartKey !== undefined && { ExclusiveStartKey: exclusiveStartKey }),
      }),
    );
    for (const item of out.Items ?? []) {
      const tenantId = item.tenantId?.S;
      const runId = item.runId?.S;
      if (tenantId === undefined || runId === undefined) continue;
      const record = await runs.get(tenantId, runId);
      if (record.status !== 'QUEUED' && record.status !== 'RUNNING') continue;
      try {
        await runs.transition(tenantId, runId, {
          from: record.status,
          to: 'FAILED',
          expectedVersion: record.version,
          nowMs: Date.now(),
          patch: {
            error: {
              code: 'ABANDONED',
              message: 'the local stack that ran this backtest stopped before it finished; submit it again',
            },
          },
        });
        failed.push(runId);
      } catch (e) {
        // moved on meanwhile (a step that finished as the stack stopped): whatever it became stands
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    exclusiveStartKey = out.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return failed;
}

/** The definition with the Task timeouts of `overrides` (a test seam) in place of the synthesised ones. */
function withTaskTimeouts(definition: Asl, overrides: Partial<Record<StepName, number>> | undefined): Asl {
  if (overrides === undefined) return definition;
  const timeouts = new Map<string, number>(Object.entries(overrides));
  for (const { name, state } of allStates(definition)) {
    const seconds = timeouts.get(name);
    if (seconds !== undefined && state.Type === 'Task') state.TimeoutSeconds = seconds;
  }
  return definition;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (!hasLegacyOpenSsl()) {
    throw new Error(
      'the local stack needs Node started with --openssl-legacy-provider (s3rver encrypts ListObjectsV2 ' +
        'continuation tokens with DES, which OpenSSL 3 disables); run it through `npm run hts` or `npm run demo`',
    );
  }
  assertHandlerModulesExist();
  const root = resolve(options.root ?? '.hts');
  for (const dir of ['s3', 'dynamo', 'logs', 'cache']) mkdirSync(join(root, dir), { recursive: true });
  const lock = await acquireStackLock(root, {
    ...(options.lockSocket !== undefined && { socket: options.lockSocket }),
  });
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => lock.release()];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // keep stopping the rest
      }
    }
  };
  try {
    // S3 (atomic writes; what a killed process left half-written goes first) and DynamoDB
    const swept = await sweepIncompleteWrites(join(root, 's3'));
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: join(root, 's3'),
      configureBuckets: [{ name: LOCAL_BUCKET }],
    });
    s3rver.store = s3rver.context.store = new AtomicFilesystemStore(join(root, 's3'));
    const s3Address = await s3rver.run();
    cleanups.push(() => s3rver.close());
    const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
    const dynamo = dynalite({
      path: join(root, 'dynamo'),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    await new Promise<void>((ok, fail) => {
      dynamo.once('error', fail);
      dynamo.listen(0, '127.0.0.1', () => {
        dynamo.off('error', fail);
        ok();
      });
    });
    cleanups.push(() => new Promise<void>((ok) => dynamo.close(() => ok())));
    const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
    const raw = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: DYNALITE_CREDENTIALS,
    });
    cleanups.push(() => raw.destroy());
    await ensureTable(raw, runsTableDefinition(LOCAL_RUNS_TABLE));
    await ensureTable(raw, idempotencyTableDefinition(LOCAL_IDEMPOTENCY_TABLE));
    const runs = new DynamoRunStore({
      client: makeDynamoDocumentClient({
        endpoint: dynamoEndpoint,
        region: LOCAL_REGION,
        credentials: DYNALITE_CREDENTIALS,
      }),
      tableName: LOCAL_RUNS_TABLE,
    });
    const abandoned = await failAbandonedRuns(raw, runs);
    // stopping (after the executions, the API and the workers): this process's unfinished runs cannot finish
    cleanups.push(() => failAbandonedRuns(raw, runs));
    const store = new S3ObjectStore({
      client: makeS3Client({
        region: LOCAL_REGION,
        endpoint: s3Endpoint,
        credentials: S3RVER_CREDENTIALS,
        forcePathStyle: true,
      }),
      bucket: LOCAL_BUCKET,
      emulateConditionalWrites: true,
    });

    // Step Functions: the synthesised definition, its Tasks on the steps' worker pool
    const workers = options.workers ?? availableParallelism();
    const loaded = await loadLocalDefinition(join(root, 'cache'), workers);
    let stepsPool: WorkerPool | undefined;
    const stepModules: Record<string, string> = { ...STEP_HANDLER_MODULES, ...options.stepModules };
    const machine = new LocalStateMachine({
      definition: withTaskTimeouts(loaded.definition, options.taskTimeoutSeconds),
      taskNames: Object.values(STEP_NAMES),
      invoke: (stateName, input, timeoutMs, signal) => {
        const moduleUrl = stepModules[stateName];
        if (stepsPool === undefined || moduleUrl === undefined) {
          return Promise.reject(new Error(`the local stack cannot run ${stateName} now`));
        }
        return stepsPool.invoke({ moduleUrl, functionName: stateName, event: input, timeoutMs, signal });
      },
    });
    const executions = new LocalExecutions({ machine, stateMachineArn: LOCAL_STATE_MACHINE_ARN });
    const sfn: SfnEndpoint = await startSfnEndpoint(executions);
    cleanups.push(() => sfn.close());

    // Lambda: the functions' environment (cdk/stateless-stack.ts), pointed at the local endpoints
    const codeVersion = options.codeVersion ?? localCodeVersion();
    const env: LambdaEnvironment = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      BUCKET: LOCAL_BUCKET,
      RUNS_TABLE: LOCAL_RUNS_TABLE,
      IDEMPOTENCY_TABLE: LOCAL_IDEMPOTENCY_TABLE,
      STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
      CODE_VERSION: codeVersion,
      S3_ENDPOINT: s3Endpoint,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SFN_ENDPOINT: sfn.endpoint,
      LOCAL_STACK: 'true',
      ARTIFACT_URL_TTL_SECONDS: '600',
      POWERTOOLS_METRICS_NAMESPACE: 'hts',
      // no CloudWatch here: EMF metric lines would only fill the log
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'INFO',
      // the AWS SDK's notice that Node 20 support ends (once per worker) is not a handler's log line
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const log = createWriteStream(join(root, 'logs', 'lambda.log'), { flags: 'a' });
    cleanups.push(() => new Promise<void>((ok) => log.end(() => ok())));
    stepsPool = new WorkerPool({ size: workers, env: { ...env, POWERTOOLS_SERVICE_NAME: 'hts-steps' }, log });
    const pool = stepsPool;
    pool.warm(Object.values(stepModules));
    cleanups.push(() => pool.close());
    const apiPool = new WorkerPool({
      size: options.apiWorkers ?? defaultApiWorkers(),
      env: { ...env, POWERTOOLS_SERVICE_NAME: 'hts-api' },
      log,
      // one warm worker answers at once; the others start when requests overlap (warming every one of them
      // would double the CPU a start costs)
      eager: 1,
    });
    cleanups.push(() => apiPool.close());
    apiPool.warm(API_ROUTES.map((r) => r.moduleUrl));

    // API Gateway
    const api: LocalApiServer = await startLocalApiServer({
      defaultTenant: options.defaultTenant ?? DEFAULT_TENANT,
      onError: (e) =>
        log.write(`${new Date().toISOString()} local API: a handler failed: ${e.stack ?? e.message}\n`),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.unavailable !== undefined && { unavailable: options.unavailable }),
      invoke: (route, event) =>
        apiPool.invoke({
          moduleUrl: route.moduleUrl,
          functionName: route.functionName,
          event,
          timeoutMs: route.timeoutMs,
        }),
    });
    cleanups.push(() => api.close());
    lock.describe({ apiUrl: api.url });
    // stopping: abort the executions first, so no step is dispatched to a closing pool
    cleanups.push(() => executions.abortAll('the local stack stopped'));

    return {
      root,
      apiUrl: api.url,
      s3Endpoint,
      dynamoEndpoint,
      sfnEndpoint: sfn.endpoint,
      env,
      codeVersion,
      workers,
      apiWorkers: apiPool.size,
      executions,
      store,
      runs,
      abandoned,
      swept,
      definition: { synthesized: loaded.synthesized, elapsedMs: loaded.elapsedMs },
      setUnavailable: (message) => api.setUnavailable(message),
      workerStats: () => ({ steps: pool.stats(), api: apiPool.stats() }),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
