#!/usr/bin/env -S npx tsx
/** The CDK app: the only place that reads the environment or context. */
import { App } from 'aws-cdk-lib';
import { StatefulStack } from './stateful-stack.ts';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const env = { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1', ...(account ? { account } : {}) };
const retention = app.node.tryGetContext('intermediateRetentionDays') as number | undefined;
new StatefulStack(app, 'HtsStateful', {
  env,
  description: 'hts: data lake bucket, runs table, idempotency table',
  ...(retention !== undefined ? { intermediateRetentionDays: Number(retention) } : {}),
});
app.synth();
