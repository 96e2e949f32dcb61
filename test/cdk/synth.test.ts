/** The whole app synthesises in process (the CDK API, not the CLI), with bundling skipped. */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { SKIP_BUNDLING_CONTEXT } from '../../cdk/asl.ts';
import { buildStacks } from '../../cdk/stacks.ts';

describe('cdk: app synthesis', () => {
  it('produces both stacks, the stateless one depending on the stateful one, with no errors', () => {
    const app = new App({ context: SKIP_BUNDLING_CONTEXT });
    buildStacks(app, { jwtIssuer: 'https://issuer.example', jwtAudience: ['a'], codeVersion: 'v1' });
    const assembly = app.synth();
    const names = assembly.stacks.map((s) => s.stackName).sort();
    expect(names).toEqual(['HtsStateful', 'HtsStateless']);
    const stateless = assembly.getStackByName('HtsStateless');
    expect(stateless.dependencies.map((d) => d.id)).toContain('HtsStateful');
    const errors = assembly.stacks.flatMap((s) => s.messages).filter((m) => m.level === 'error');
    expect(errors).toEqual([]);
    const types = Object.values(stateless.template.Resources as Record<string, { Type: string }>).map(
      (r) => r.Type,
    );
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::StepFunctions::StateMachine',
      'AWS::ApiGatewayV2::Api',
      'AWS::CloudWatch::Alarm',
    ]) {
      expect(types).toContain(type);
    }
  }, 60_000);
});
