import { Duration } from 'aws-cdk-lib';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  type QueryLanguage,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { STEP_NAMES, type StepKey } from '../lib/pipeline/step-names.ts';

/**
 * The errors a Task retries: Lambda service faults, throttling, and `UpstreamError` (the project's transient
 * error: S3/DynamoDB throttling, 5xx, timeouts). Everything else (bad input, corrupt data, look-ahead,
 * non-determinism, bugs) fails the run at once through the Catch.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'UpstreamError',
] as const;

/** Retry policy of every Task (exponential backoff with full jitter). */
export const TASK_RETRY = {
  intervalSeconds: 2,
  backoffRate: 2,
  maxAttempts: 5,
  maxDelaySeconds: 60,
} as const;

/**
 * The Distributed Map states (Task state names stay the step names of lib/pipeline, which the local runtime
 * keys its handlers by; a state name is unique across the whole definition, so the Maps get their own).
 */
export const MAP_STATE_NAMES = {
  buildFeatures: 'BuildFeaturesMap',
  trainScore: 'TrainScoreMap',
  optimize: 'OptimizeMap',
} as const;

/** The other non-Task states. */
export const CONTROL_STATE_NAMES = {
  chunksLeft: 'ChunksLeft',
  succeeded: 'Succeeded',
  failed: 'Failed',
} as const;

/**
 * Item lists written by Prepare: each Map's ItemReader reads the JSON array at `$.itemKeys.<list>` (an S3 key);
 * Prepare also returns the same array inline at `$.<list>`, which `localizeDefinition` (cdk/asl.ts) turns into
 * the Map's `ItemsPath` for the local runtime.
 */
export const MAP_ITEM_LISTS = {
  buildFeatures: 'featureMonths',
  trainScore: 'folds',
  optimize: 'testMonths',
} as const;

/** Timeouts of each step's Task (the Lambda's own timeout plus a margin, so a Lambda timeout is reported as such). */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;

export interface BacktestStateMachineProps {
  /** The Lambda function of each step, keyed like `STEP_NAMES`. */
  readonly functions: Readonly<Record<StepKey, IFunction>>;
  /** The data lake bucket the Maps' ItemReaders read Prepare's item lists from. */
  readonly bucket: Bucket;
  /** Each Task's `TimeoutSeconds`, keyed like `STEP_NAMES`. */
  readonly taskTimeoutSeconds: Readonly<Record<StepKey, number>>;
  /**
   * Child executions a Distributed Map runs at once.
   * @default 40
   */
  readonly maxConcurrency?: number;
  /**
   * Upper bound of one run (the Simulate loop is sequential: about one Lambda call per month).
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;
}

/** Reads a Map's items from Prepare's JSON list; its role may read only the runs' item lists. */
class RunItemsReader extends S3JsonItemReader {
  readonly #bucket: Bucket;
  constructor(bucket: Bucket, keyPath: string) {
    // `Bucket` implements `IBucket`; only exactOptionalPropertyTypes (CDK's types predate it) needs the cast.
    super({ bucket: bucket as unknown as IBucket, key: JsonPath.stringAt(keyPath) });
    this.#bucket = bucket;
  }
  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.#bucket.arnForObjects('tenants/*/runs/*/items/*')],
      }),
    ];
  }
}

/**
 * A Distributed Map that states `ToleratedFailurePercentage: 0` in its ASL (CDK drops a falsy 0; the service
 * default is also 0, but the definition should say it: one failed item fails the Map).
 */
class NoFailureToleratedMap extends DistributedMap {
  override toStateJson(queryLanguage?: QueryLanguage): object {
    return { ...super.toStateJson(queryLanguage), ToleratedFailurePercentage: 0 };
  }
}

/**
 * The backtest workflow as a Standard state machine, built from the step names of lib/pipeline (so the local
 * runtime, which keys its handlers by state name, runs this very definition, see cdk/asl.ts):
 *
 * Prepare → BuildFeaturesMap (Distributed, items = featureMonths) → TrainScoreMap (folds) → OptimizeMap
 * (testMonths) → ChunksLeft? ─ yes → SimulateChunk → ChunksLeft? … ─ no → Finalize → Succeeded.
 *
 * Every Task: payload = `{ tenantId, runId }` plus its item field (small, strict JSON), `TimeoutSeconds`, Retry
 * only on `TRANSIENT_ERRORS` (backoff 2, full jitter). Every Task and Map outside the Maps: a Catch of
 * `States.ALL` (error at `$.error`) → MarkFailed → Failed. A failed Map item fails its Map
 * (ToleratedFailurePercentage 0), whose Catch marks the run. Map results are discarded (`ResultPath: null`) and
 * items return only their own input, so the state stays a few KB whatever the run's length.
 */
export class BacktestStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: BacktestStateMachineProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 40;

    const task = (key: StepKey, payload: Record<string, unknown>, extra: { resultPath?: string } = {}) => {
      const t = new LambdaInvoke(this, STEP_NAMES[key], {
        stateName: STEP_NAMES[key],
        lambdaFunction: props.functions[key],
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: TaskInput.fromObject(payload),
        taskTimeout: Timeout.duration(Duration.seconds(props.taskTimeoutSeconds[key])),
        ...(extra.resultPath !== undefined && { resultPath: extra.resultPath }),
      });
      t.addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(TASK_RETRY.intervalSeconds),
        backoffRate: TASK_RETRY.backoffRate,
        maxAttempts: TASK_RETRY.maxAttempts,
        maxDelay: Duration.seconds(TASK_RETRY.maxDelaySeconds),
        jitterStrategy: JitterType.FULL,
      });
      return t;
    };
    const runRef = { tenantId: JsonPath.stringAt('$.tenantId'), runId: JsonPath.stringAt('$.runId') };

    const failed = new Fail(this, CONTROL_STATE_NAMES.failed, {
      stateName: CONTROL_STATE_NAMES.failed,
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const markFailed = task(
      'markFailed',
      { ...runRef, error: JsonPath.objectAt('$.error') },
      { resultPath: JsonPath.DISCARD },
    ).next(failed);
    const catchToMarkFailed = { errors: [Errors.ALL], resultPath: '$.error' };

    const prepare = task('prepare', runRef);
    prepare.addCatch(markFailed, catchToMarkFailed);

    const map = (key: 'buildFeatures' | 'trainScore' | 'optimize', itemField: 'month' | 'fold') => {
      const list = MAP_ITEM_LISTS[key];
      const m = new NoFailureToleratedMap(this, MAP_STATE_NAMES[key], {
        stateName: MAP_STATE_NAMES[key],
        itemReader: new RunItemsReader(props.bucket, `$.itemKeys.${list}`),
        maxConcurrency,
        toleratedFailurePercentage: 0,
        mapExecutionType: StateMachineType.STANDARD,
        resultPath: JsonPath.DISCARD,
      });
      const itemPayload = {
        ...runRef,
        [itemField]: itemField === 'fold' ? JsonPath.numberAt('$.fold') : JsonPath.stringAt(`$.${itemField}`),
      };
      m.itemProcessor(task(key, itemPayload, { resultPath: JsonPath.DISCARD }));
      m.addCatch(markFailed, catchToMarkFailed);
      return m;
    };

    const simulate = task('simulateChunk', { ...runRef, chunk: JsonPath.numberAt('$.chunk') });
    simulate.addCatch(markFailed, catchToMarkFailed);
    const finalize = task('finalize', runRef);
    finalize.addCatch(markFailed, catchToMarkFailed);
    finalize.next(
      new Succeed(this, CONTROL_STATE_NAMES.succeeded, { stateName: CONTROL_STATE_NAMES.succeeded }),
    );

    // Prepare returns { chunk: 0, nChunks }; SimulateChunk returns { chunk: next, nChunks, done }.
    const chunksLeft = new Choice(this, CONTROL_STATE_NAMES.chunksLeft, {
      stateName: CONTROL_STATE_NAMES.chunksLeft,
    })
      .when(Condition.numberLessThanJsonPath('$.chunk', '$.nChunks'), simulate)
      .otherwise(finalize);
    simulate.next(chunksLeft);

    const definition = prepare
      .next(map('buildFeatures', 'month'))
      .next(map('trainScore', 'fold'))
      .next(map('optimize', 'month'))
      .next(chunksLeft);

    this.stateMachine = new StateMachine(this, 'Resource', {
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(24),
    });
  }

  /** Executions that failed (any step's error after its retries, or a timeout of the whole run). */
  metricFailed(): Metric {
    return this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
  }
}
