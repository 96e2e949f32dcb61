import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatefulStack } from '../../cdk/stateful-stack.ts';

function template(props = {}): Template {
  return Template.fromStack(new StatefulStack(new App(), 'Test', props));
}

describe('cdk: StatefulStack', () => {
  it('keeps the data bucket private, encrypted, versioned and retained', () => {
    const t = template();
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: Match.objectLike({}),
      }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('expires intermediate run outputs after the configured days', () => {
    const rules = template({ intermediateRetentionDays: 7 }).findResources('AWS::S3::Bucket');
    const bucket = Object.values(rules)[0] as {
      Properties: {
        LifecycleConfiguration: {
          Rules: { ExpirationInDays: number; TagFilters: { Key: string; Value: string }[] }[];
        };
      };
    };
    const lifecycle = bucket.Properties.LifecycleConfiguration.Rules;
    expect(lifecycle.map((r) => r.TagFilters[0]?.Value).sort()).toEqual([
      'features',
      'month-inputs',
      'scores',
      'sim',
      'targets',
    ]);
    expect(lifecycle.every((r) => r.ExpirationInDays === 7)).toBe(true);
  });

  it('defines the runs table with pk/sk and the byCreatedAt index, on demand, retained', () => {
    const t = template();
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byCreatedAt',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
        ],
      }),
    });
  });

  it('gives the idempotency table a TTL attribute', () => {
    template().hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});
