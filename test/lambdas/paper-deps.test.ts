/**
 * The paper composition in `lambdas/shared/deps.ts`: the API Lambdas' deps carry the paper ports over the same
 * adapters as the backtest routes, and the scheduled tick's context is built from the step environment alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handler as tickHandler } from '../../lambdas/scheduled/paper-tick.ts';
import { buildPaperContext, lambdaDeps, paperTickDeps } from '../../lambdas/shared/deps.ts';
import { DynamoPaperStore } from '../../lib/adapters/dynamo-paper-store.ts';
import { PaperBroker } from '../../lib/adapters/paper-broker.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { ObjectStoreDatasetCatalog } from '../../lib/data/dataset-catalog.ts';

const ENV = {
  AWS_REGION: 'us-east-1',
  BUCKET: 'hts-test-bucket',
  RUNS_TABLE: 'hts-runs',
  IDEMPOTENCY_TABLE: 'hts-idempotency',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:hts-backtest',
  CODE_VERSION: 'test-1',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
  LOCAL_STACK: 'true',
} as const;
const saved = { ...process.env };

afterEach(() => {
  for (const k of Object.keys(ENV)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('lambdas/shared/deps: paper', () => {
  it('buildPaperContext builds the tick ports from the step environment, without touching the network', () => {
    const ctx = buildPaperContext({
      AWS_REGION: ENV.AWS_REGION,
      BUCKET: ENV.BUCKET,
      RUNS_TABLE: ENV.RUNS_TABLE,
      CODE_VERSION: ENV.CODE_VERSION,
      S3_ENDPOINT: ENV.S3_ENDPOINT,
      DYNAMODB_ENDPOINT: ENV.DYNAMODB_ENDPOINT,
      LOCAL_STACK: true,
    });
    expect(ctx.store).toBeInstanceOf(S3ObjectStore);
    expect(ctx.paper).toBeInstanceOf(DynamoPaperStore);
    expect(ctx.datasets).toBeInstanceOf(ObjectStoreDatasetCatalog);
    expect(ctx.broker).toBeInstanceOf(PaperBroker);
    expect(ctx.nowMs()).toBeGreaterThan(1.7e12);
  });

  it('the API deps carry paperApi over the backtest routes’ adapters, memoised; the paper routes share them', () => {
    Object.assign(process.env, ENV);
    const deps = lambdaDeps();
    expect(lambdaDeps()).toBe(deps); // one instance per process, the paper routes' as well
    const paper = deps.paperApi();
    const api = deps.api();
    expect(deps.paperApi()).toBe(paper);
    expect(paper.paper).toBeInstanceOf(DynamoPaperStore);
    expect(paper.store).toBe(api.store);
    expect(paper.runs).toBe(api.runs);
    expect(paper.datasets).toBe(api.datasets);
    expect(paper.idempotency).toBe(api.idempotency);
    expect(paper.codeVersion).toBe('test-1');
  });

  it('the deployed tick reads the environment on first use and refuses a missing variable by name', async () => {
    expect(typeof tickHandler).toBe('function');
    const deps = paperTickDeps();
    expect(paperTickDeps()).toBe(deps);
    delete process.env.BUCKET;
    delete process.env.RUNS_TABLE;
    expect(() => deps.paper()).toThrow(/BUCKET, RUNS_TABLE|RUNS_TABLE, BUCKET/);
    Object.assign(process.env, ENV);
    const ctx = deps.paper();
    expect(deps.paper()).toBe(ctx);
    expect(ctx.paper).toBeInstanceOf(DynamoPaperStore);
  });
});
