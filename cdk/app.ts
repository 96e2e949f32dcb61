#!/usr/bin/env -S npx tsx
/**
 * The CDK app: the only place that reads the environment or context.
 *
 * Context: `jwtIssuer` and `jwtAudience` (comma-separated) configure the API's JWT authorizer; without them the
 * authorizer trusts an issuer that cannot exist (every call answers 401) and synth warns. `codeVersion` (else
 * `CODE_VERSION`, else the package version) is recorded in every run's provenance. `intermediateRetentionDays`
 * sets the expiry of intermediate run outputs.
 */
import { Annotations, App } from 'aws-cdk-lib';
import pkg from '../package.json' with { type: 'json' };
import { buildStacks } from './stacks.ts';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const env = { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1', ...(account ? { account } : {}) };
const retention = app.node.tryGetContext('intermediateRetentionDays') as number | string | undefined;
const jwtIssuer = app.node.tryGetContext('jwtIssuer') as string | undefined;
const jwtAudience = app.node.tryGetContext('jwtAudience') as string | undefined;
const codeVersion =
  (app.node.tryGetContext('codeVersion') as string | undefined) ?? process.env.CODE_VERSION ?? pkg.version;

const { stateless } = buildStacks(app, {
  env,
  jwtIssuer: jwtIssuer ?? 'https://issuer.invalid',
  jwtAudience: (jwtAudience ?? 'hts-api').split(',').map((a) => a.trim()),
  codeVersion,
  ...(retention !== undefined && { intermediateRetentionDays: Number(retention) }),
});
if (jwtIssuer === undefined) {
  Annotations.of(stateless).addWarningV2(
    'hts:jwtIssuer',
    'no -c jwtIssuer=…: the API authorizer trusts https://issuer.invalid, so every request is refused',
  );
}
app.synth();
