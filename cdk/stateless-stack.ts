import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps, Tags, TimeZone } from 'aws-cdk-lib';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES, type RouteId } from '../lib/api/routes.ts';
import { STEP_NAMES, type StepKey } from '../lib/pipeline/step-names.ts';
import { BacktestStateMachine, TASK_TIMEOUT_MARGIN_SECONDS } from './state-machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Tag naming the workflow step a function runs (cdk/asl.ts names Lambda ARNs in the extracted ASL by it). */
export const STEP_TAG = 'hts:step';

/** Memory and timeout of each step's function (the Task's TimeoutSeconds adds `TASK_TIMEOUT_MARGIN_SECONDS`). */
export const STEP_FUNCTION_SETTINGS: Readonly<
  Record<StepKey, { readonly entry: string; readonly memoryMb: number; readonly timeoutSeconds: number }>
> = {
  prepare: { entry: 'prepare', memoryMb: 1024, timeoutSeconds: 120 },
  buildFeatures: { entry: 'build-features', memoryMb: 4096, timeoutSeconds: 870 },
  trainScore: { entry: 'train-score', memoryMb: 10240, timeoutSeconds: 870 },
  optimize: { entry: 'optimize', memoryMb: 4096, timeoutSeconds: 870 },
  simulateChunk: { entry: 'simulate-chunk', memoryMb: 3008, timeoutSeconds: 600 },
  finalize: { entry: 'finalize', memoryMb: 3008, timeoutSeconds: 600 },
  markFailed: { entry: 'mark-failed', memoryMb: 256, timeoutSeconds: 30 },
};

export interface ThrottleLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst capacity (requests). */
  readonly burstLimit: number;
}

export interface StatelessStackProps extends StackProps {
  /** The data lake bucket (StatefulStack.dataBucket). */
  readonly dataBucket: Bucket;
  /** The runs table (StatefulStack.runsTable). */
  readonly runsTable: Table;
  /** The API's idempotency table (StatefulStack.idempotencyTable). */
  readonly idempotencyTable: Table;
  /** Issuer URL of the JWTs the API accepts (e.g. a Cognito user pool's `https://cognito-idp.…/{poolId}`). */
  readonly jwtIssuer: string;
  /** Accepted `aud` (or Cognito `client_id`) values. */
  readonly jwtAudience: readonly string[];
  /** Recorded in every run's provenance and manifest (e.g. a git commit). */
  readonly codeVersion: string;
  /**
   * Throttling of every route (the stage's default route settings).
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly defaultThrottle?: ThrottleLimits;
  /**
   * Throttling of `POST /v1/backtests` (each call starts a workflow).
   * @default { rateLimit: 5, burstLimit: 10 }
   */
  readonly submitThrottle?: ThrottleLimits;
  /**
   * Child executions each Distributed Map runs at once.
   * @default 40
   */
  readonly mapMaxConcurrency?: number;
  /**
   * Lifetime of presigned artifact URLs, seconds (at most 900).
   * @default 600
   */
  readonly artifactUrlTtlSeconds?: number;
}

/**
 * The stateless part of hts: one Lambda per API route and per workflow step (Node.js 22, arm64, bundled by the
 * local esbuild with names kept and source maps), the backtest state machine, the HTTP API behind a JWT
 * authorizer with route-level throttling, and an alarm on failed executions. Each function gets only the
 * actions and key prefixes it uses.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly workflow: BacktestStateMachine;
  readonly stepFunctions: Readonly<Record<StepKey, NodejsFunction>>;
  readonly apiFunctions: Readonly<Record<RouteId, NodejsFunction>>;
  readonly paperTickFunction: NodejsFunction;
  readonly paperSchedules: readonly Schedule[];
  readonly failedExecutionsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { dataBucket: bucket, runsTable, idempotencyTable } = props;
    const storageEnv = {
      BUCKET: bucket.bucketName,
      RUNS_TABLE: runsTable.tableName,
      CODE_VERSION: props.codeVersion,
    };

    const stepEntries = Object.entries(STEP_FUNCTION_SETTINGS) as [
      StepKey,
      (typeof STEP_FUNCTION_SETTINGS)[StepKey],
    ][];
    const steps = {} as Record<StepKey, NodejsFunction>;
    for (const [key, s] of stepEntries) {
      const fn = this.#function(`${STEP_NAMES[key]}Function`, `lambdas/steps/${s.entry}.ts`, {
        memoryMb: s.memoryMb,
        timeoutSeconds: s.timeoutSeconds,
        environment: { ...storageEnv, POWERTOOLS_SERVICE_NAME: 'hts-steps' },
      });
      Tags.of(fn).add(STEP_TAG, STEP_NAMES[key]);
      // A step reads and updates its run record; it never creates, lists or deletes one.
      runsTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
      // MarkFailed touches only the run record.
      if (key !== 'markFailed') {
        grantObjects(fn, bucket, {
          read: ['datasets/*', 'tenants/*'],
          write: ['tenants/*'],
          listPrefixes: ['datasets/*', 'tenants/*'],
        });
      }
      steps[key] = fn;
    }
    this.stepFunctions = steps;

    this.workflow = new BacktestStateMachine(this, 'Workflow', {
      functions: steps,
      bucket,
      taskTimeoutSeconds: Object.fromEntries(
        stepEntries.map(([key, s]) => [key, s.timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS]),
      ) as Record<StepKey, number>,
      ...(props.mapMaxConcurrency !== undefined && { maxConcurrency: props.mapMaxConcurrency }),
    });
    const stateMachine = this.workflow.stateMachine;

    const apiEnv = {
      ...storageEnv,
      IDEMPOTENCY_TABLE: idempotencyTable.tableName,
      STATE_MACHINE_ARN: stateMachine.stateMachineArn,
      ARTIFACT_URL_TTL_SECONDS: String(props.artifactUrlTtlSeconds ?? 600),
      POWERTOOLS_SERVICE_NAME: 'hts-api',
      POWERTOOLS_METRICS_NAMESPACE: 'hts',
    };
    // One function per route of the route table (lib/api/routes.ts: entry, memory, timeout).
    const apiFunctions = {} as Record<RouteId, NodejsFunction>;
    for (const route of ROUTES) {
      apiFunctions[route.id] = this.#function(`${route.id}Function`, route.entry, {
        memoryMb: route.memoryMb,
        timeoutSeconds: route.timeoutSeconds,
        environment: apiEnv,
      });
    }
    this.apiFunctions = apiFunctions;

    // Submit: idempotency record, dataset lookup, spec.json (written once), run record, StartExecution.
    const submit = apiFunctions.PostBacktests;
    runsTable.grant(submit, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    idempotencyTable.grant(
      submit,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    grantObjects(submit, bucket, {
      read: ['datasets/*/manifest.json', 'datasets/by-name/*', 'tenants/*/runs/*/spec.json'],
      write: ['tenants/*/runs/*/spec.json'],
    });
    // A HEAD of a missing dataset manifest answers 404 (unknown dataset → 422) only with s3:ListBucket on the
    // bucket; without it S3 answers 403, which would surface as a 500. Key names only, no object data.
    submit.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    stateMachine.grantStartExecution(submit);
    stateMachine.grantExecution(submit, 'states:DescribeExecution');

    runsTable.grant(apiFunctions.ListBacktests, 'dynamodb:Query');
    runsTable.grant(apiFunctions.GetBacktest, 'dynamodb:GetItem');
    runsTable.grant(apiFunctions.CancelBacktest, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    stateMachine.grantExecution(apiFunctions.CancelBacktest, 'states:StopExecution');
    runsTable.grant(apiFunctions.GetArtifacts, 'dynamodb:GetItem');
    // Presigned GETs are signed with this role: it may read artifacts and nothing else.
    grantObjects(apiFunctions.GetArtifacts, bucket, { read: ['tenants/*/runs/*/artifacts/*'] });
    // Chart payloads: the run record (ownership, status), then the manifest and charts.json (or report.html).
    runsTable.grant(apiFunctions.GetChart, 'dynamodb:GetItem');
    grantObjects(apiFunctions.GetChart, bucket, { read: ['tenants/*/runs/*/artifacts/*'] });

    // Paper trading API: strategy and decision items in the runs table, the promoted model copied from a run.
    const postPaper = apiFunctions.PostPaper;
    runsTable.grant(postPaper, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    idempotencyTable.grant(
      postPaper,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    grantObjects(postPaper, bucket, {
      read: ['tenants/*/runs/*', 'datasets/*/manifest.json', 'datasets/by-name/*'],
      write: ['tenants/*/paper/*'],
    });
    runsTable.grant(apiFunctions.GetPaper, 'dynamodb:GetItem');
    runsTable.grant(apiFunctions.GetPaperDecisions, 'dynamodb:GetItem', 'dynamodb:Query');
    runsTable.grant(apiFunctions.StopPaper, 'dynamodb:GetItem', 'dynamodb:UpdateItem');

    // The hourly paper-trading tick: EventBridge Scheduler at every NYSE bar close (America/New_York); the
    // function works on the scheduled hour the event carries, never on its own clock. Non-bar firings (holidays,
    // 13:00 on full days, 16:00 on early closes) are recorded as NOT_A_BAR by the tick itself.
    this.paperTickFunction = this.#function('PaperTickFunction', 'lambdas/scheduled/paper-tick.ts', {
      memoryMb: 2048,
      timeoutSeconds: 300,
      environment: { ...storageEnv, POWERTOOLS_SERVICE_NAME: 'hts-paper' },
    });
    runsTable.grant(
      this.paperTickFunction,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    );
    grantObjects(this.paperTickFunction, bucket, {
      read: ['datasets/*', 'tenants/*/paper/*'],
      write: ['tenants/*/paper/*'],
    });
    const paperDlq = new Queue(this, 'PaperTickDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    const tickTarget = new LambdaInvoke(this.paperTickFunction, {
      input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
      // retries stay inside the hour: data that is not ready is retried, never traded on later
      maxEventAge: Duration.minutes(55),
      retryAttempts: 10,
      deadLetterQueue: paperDlq,
    });
    this.paperSchedules = [
      { id: 'PaperTickHalfHours', minute: '30', hour: '10-15' },
      { id: 'PaperTickFullHours', minute: '0', hour: '13,16' },
    ].map(
      ({ id, minute, hour }) =>
        new Schedule(this, id, {
          schedule: ScheduleExpression.cron({
            minute,
            hour,
            weekDay: 'MON-FRI',
            timeZone: TimeZone.AMERICA_NEW_YORK,
          }),
          target: tickTarget,
          description: 'hts paper trading: one tick per NYSE hourly bar close',
        }),
    );

    const jwt = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: [...props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'hts backtest API',
      createDefaultStage: false,
      defaultAuthorizer: jwt,
    });
    const defaultThrottle = props.defaultThrottle ?? { rateLimit: 50, burstLimit: 100 };
    const submitThrottle = props.submitThrottle ?? { rateLimit: 5, burstLimit: 10 };
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: defaultThrottle,
    });
    for (const route of ROUTES) {
      const authorizer: IHttpRouteAuthorizer | undefined =
        route.public === true ? new HttpNoneAuthorizer() : undefined;
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, apiFunctions[route.id]),
        ...(authorizer !== undefined && { authorizer }),
      });
      // route settings may only name routes that exist when the stage is created
      if (httpRoute) stage.node.addDependency(httpRoute);
    }
    // Route-level throttling: CfnStage.routeSettings is untyped JSON, so the keys are CloudFormation's.
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      ROUTES.filter((route) => route.throttle === 'submit').map((route) => [
        `${route.method} ${route.path}`,
        { ThrottlingRateLimit: submitThrottle.rateLimit, ThrottlingBurstLimit: submitThrottle.burstLimit },
      ]),
    );

    this.failedExecutionsAlarm = this.workflow.metricFailed().createAlarm(this, 'FailedExecutionsAlarm', {
      alarmDescription: 'A backtest execution failed (see the run record and the execution history)',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
  }

  #function(
    id: string,
    entry: string,
    opts: { memoryMb: number; timeoutSeconds: number; environment: Record<string, string> },
  ): NodejsFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    return new NodejsFunction(this, id, {
      entry: `${ROOT}${entry}`,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: opts.memoryMb,
      timeout: Duration.seconds(opts.timeoutSeconds),
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: { ...opts.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        keepNames: true,
        sourceMap: true,
        // The pinned AWS SDK is bundled rather than the runtime's (same code in every deployment).
        externalModules: [],
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
  }
}

/** Object-level grants by key prefix, and ListBucket restricted to prefixes by condition. */
function grantObjects(
  grantee: IGrantable,
  bucket: Bucket,
  access: { read?: string[]; write?: string[]; listPrefixes?: string[] },
): void {
  const policy = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  if (access.read?.length) {
    policy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: access.read.map((p) => bucket.arnForObjects(p)),
      }),
    );
  }
  if (access.write?.length) {
    policy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        // tagging: intermediate outputs carry `hts:stage`, which the lifecycle rules expire
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: access.write.map((p) => bucket.arnForObjects(p)),
      }),
    );
  }
  if (access.listPrefixes?.length) {
    policy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': access.listPrefixes } },
      }),
    );
  }
}
