/**
 * The stateless stack's important properties, pinned with fine-grained assertions on the synthesised template
 * (bundling skipped: no esbuild run, ~1 s).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKIP_BUNDLING_CONTEXT } from '../../cdk/asl.ts';
import { buildStacks } from '../../cdk/stacks.ts';
import { STEP_TAG } from '../../cdk/stateless-stack.ts';
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
/** The object-key pattern of a resource `{ Fn::Join: ['', [<bucket arn>, '/tenants/*']] }`, or undefined. */
const keyPattern = (r: unknown): string | undefined => {
  const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const last = join?.[1].at(-1);
  return typeof last === 'string' && last.startsWith('/') ? last.slice(1) : undefined;
};

describe('cdk: StatelessStack', () => {
  let t: Template;
  let all: Record<string, Resource>;
  beforeAll(() => {
    const app = new App({ context: SKIP_BUNDLING_CONTEXT });
    const { stateless } = buildStacks(app, {
      jwtIssuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST',
      jwtAudience: ['client-a', 'client-b'],
      codeVersion: 'abc123',
    });
    t = Template.fromStack(stateless);
    all = t.toJSON().Resources as Record<string, Resource>;
  }, 60_000);

  const functions = () => Object.entries(all).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const stepOf = (r: Resource): string | undefined =>
    (r.Properties.Tags as { Key: string; Value: string }[] | undefined)?.find((x) => x.Key === STEP_TAG)
      ?.Value;
  /** Every statement of the policies attached to the role of function `logicalId`. */
  const statementsOf = (logicalId: string): Statement[] => {
    const role = (all[logicalId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(all)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === role),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const functionId = (pred: (id: string, r: Resource) => boolean): string => {
    const found = functions().filter(([id, r]) => pred(id, r));
    expect(found).toHaveLength(1);
    return found[0]![0];
  };

  it('runs every function on nodejs22.x, arm64, with source maps enabled', () => {
    const fns = functions();
    // the 7 steps, 11 API routes and the paper tick (no hidden custom-resource functions)
    expect(fns).toHaveLength(7 + 11 + 1);
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Handler, id).toBe('index.handler');
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.NODE_OPTIONS, id).toBe('--enable-source-maps');
      expect(env.CODE_VERSION, id).toBe('abc123');
    }
    expect(
      fns
        .map(([, r]) => stepOf(r))
        .filter(Boolean)
        .sort(),
    ).toEqual(Object.values(STEP_NAMES).sort());
  });

  it('sizes the heavy steps bigger and keeps every Lambda within 15 minutes', () => {
    const byStep = Object.fromEntries(functions().map(([, r]) => [stepOf(r), r.Properties]));
    for (const step of ['BuildFeatures', 'TrainScore', 'Optimize']) {
      expect(byStep[step]?.MemorySize as number).toBeGreaterThanOrEqual(3008);
    }
    expect(byStep.MarkFailed?.MemorySize as number).toBeLessThanOrEqual(512);
    for (const [, fn] of functions()) expect(fn.Properties.Timeout as number).toBeLessThanOrEqual(900);
  });

  it('never grants a wildcard action or s3:* on *', () => {
    for (const r of Object.values(all).filter((x) => x.Type === 'AWS::IAM::Policy')) {
      for (const s of (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const a of actions(s)) expect(a).not.toMatch(/^(\*|s3:\*|dynamodb:\*|states:\*)$/);
        if (actions(s).some((a) => a.startsWith('s3:'))) expect(resources(s)).not.toContain('*');
      }
    }
  });

  it('scopes each step function to datasets/* (read) and tenants/* (read, write), MarkFailed to its record', () => {
    for (const step of Object.values(STEP_NAMES)) {
      const id = functionId((_, r) => stepOf(r) === step);
      const statements = statementsOf(id);
      const s3 = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
      const reads = s3
        .filter((s) => actions(s).includes('s3:GetObject'))
        .flatMap(resources)
        .map(keyPattern);
      const writes = s3
        .filter((s) => actions(s).includes('s3:PutObject'))
        .flatMap(resources)
        .map(keyPattern);
      const lists = s3.filter((s) => actions(s).includes('s3:ListBucket'));
      const dynamo = statements.flatMap((s) => actions(s).filter((a) => a.startsWith('dynamodb:')));
      expect(dynamo.sort(), step).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      if (step === 'MarkFailed') {
        expect(s3, step).toEqual([]);
        continue;
      }
      expect(reads.sort(), step).toEqual(['datasets/*', 'tenants/*']);
      expect(writes, step).toEqual(['tenants/*']);
      expect(lists, step).toHaveLength(1);
      expect(lists[0]!.Condition, step).toEqual({ StringLike: { 's3:prefix': ['datasets/*', 'tenants/*'] } });
      for (const s of s3)
        expect(
          actions(s).every((a) =>
            ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:ListBucket'].includes(a),
          ),
        ).toBe(true);
    }
  });

  it('lets the API functions touch only what their route uses', () => {
    const api = (name: string) => functionId((id) => id.startsWith(`${name}Function`));
    const acts = (name: string) => statementsOf(api(name)).flatMap(actions).sort();
    const patterns = (name: string, action: string) =>
      statementsOf(api(name))
        .filter((s) => actions(s).includes(action))
        .flatMap(resources)
        .map(keyPattern)
        .sort();
    expect(patterns('PostBacktests', 's3:PutObject')).toEqual(['tenants/*/runs/*/spec.json']);
    expect(acts('PostBacktests')).toEqual(
      expect.arrayContaining(['states:StartExecution', 'states:DescribeExecution', 'dynamodb:PutItem']),
    );
    expect(patterns('GetArtifacts', 's3:GetObject')).toEqual(['tenants/*/runs/*/artifacts/*']);
    expect(acts('GetArtifacts')).toEqual(['dynamodb:GetItem', 's3:GetObject']);
    expect(patterns('GetChart', 's3:GetObject')).toEqual(['tenants/*/runs/*/artifacts/*']);
    expect(acts('GetChart')).toEqual(['dynamodb:GetItem', 's3:GetObject']);
    expect(acts('CancelBacktest')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'states:StopExecution',
    ]);
    expect(acts('ListBacktests')).toEqual(['dynamodb:Query']);
    expect(acts('GetBacktest')).toEqual(['dynamodb:GetItem']);
    expect(statementsOf(api('GetOpenApi'))).toEqual([]);
    for (const name of [
      'ListBacktests',
      'GetBacktest',
      'CancelBacktest',
      'GetArtifacts',
      'GetChart',
      'GetOpenApi',
    ]) {
      expect(
        acts(name).some((a) => a === 's3:PutObject'),
        name,
      ).toBe(false);
    }
  });

  it('serves the routes behind a JWT authorizer (issuer and audience as given), the OpenAPI document public', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST',
        Audience: ['client-a', 'client-b'],
      },
      IdentitySource: ['$request.header.Authorization'],
    });
    const routes = Object.values(all).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const keys = Object.fromEntries(
      routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]),
    );
    expect(keys).toEqual({
      'POST /v1/backtests': 'JWT',
      'GET /v1/backtests': 'JWT',
      'GET /v1/backtests/{runId}': 'JWT',
      'POST /v1/backtests/{runId}/cancel': 'JWT',
      'GET /v1/backtests/{runId}/artifacts': 'JWT',
      'GET /v1/backtests/{runId}/charts/{chartId}': 'JWT',
      'GET /v1/openapi.json': 'NONE',
      'POST /v1/paper': 'JWT',
      'GET /v1/paper/{strategyId}': 'JWT',
      'GET /v1/paper/{strategyId}/decisions': 'JWT',
      'POST /v1/paper/{strategyId}/stop': 'JWT',
    });
  });

  it('ticks paper trading at every NYSE bar close in New York time, with the scheduled hour in the event', () => {
    const schedules = Object.values(all).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules.map((r) => r.Properties.ScheduleExpression).sort()).toEqual([
      'cron(0 13,16 ? * MON-FRI *)',
      'cron(30 10-15 ? * MON-FRI *)',
    ]);
    for (const r of schedules) {
      expect(r.Properties.ScheduleExpressionTimezone).toBe('America/New_York');
      expect(r.Properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      const target = r.Properties.Target as {
        Input: string;
        RetryPolicy: Record<string, number>;
        DeadLetterConfig: unknown;
      };
      expect(JSON.parse(target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
      // retries end inside the hour: never trade an hour late on data known later
      expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3300);
      expect(target.DeadLetterConfig).toBeDefined();
    }
    const tick = functionId((id) => id.startsWith('PaperTickFunction'));
    const s3 = statementsOf(tick).filter((st) => JSON.stringify(st.Action).includes('s3:'));
    expect(JSON.stringify(s3)).toContain('tenants/*/paper/*');
    expect(JSON.stringify(s3)).not.toContain('tenants/*/runs/');
  });

  it('throttles every route by default and the submit route tighter', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: { 'POST /v1/backtests': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    });
  });

  it('defines a Standard state machine whose role reads only the runs’ item lists from S3', () => {
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    const machine = Object.values(all).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(all)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === roleId),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const s3 = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actions)).toEqual(['s3:GetObject']);
    expect(s3.flatMap(resources).map(keyPattern)).toEqual(['tenants/*/runs/*/items/*']);
    expect(statements.flatMap(actions)).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 'states:StartExecution']),
    );
  });

  it('alarms on any failed execution', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [Match.objectLike({ Name: 'StateMachineArn' })],
    });
  });
});
