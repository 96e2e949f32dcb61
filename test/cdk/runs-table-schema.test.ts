/**
 * The runs table the CDK stack deploys must be the table `DynamoRunStore` is written for (and the one the
 * local mode and the dynalite tests create from `runsTableDefinition`).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatefulStack } from '../../cdk/stateful-stack.ts';
import { RUNS_TABLE_SCHEMA, runsTableDefinition } from '../../lib/adapters/dynamo-run-store.ts';

interface CfnTable {
  Properties: {
    KeySchema: { AttributeName: string; KeyType: string }[];
    AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
    GlobalSecondaryIndexes?: {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: string }[];
      Projection: { ProjectionType: string };
    }[];
    BillingMode?: string;
  };
}

const runsTable = (): CfnTable => {
  const tables = Object.values(
    Template.fromStack(new StatefulStack(new App(), 'Test')).findResources('AWS::DynamoDB::Table'),
  ) as CfnTable[];
  const matches = tables.filter((t) =>
    t.Properties.KeySchema.some(
      (k) => k.KeyType === 'HASH' && k.AttributeName === RUNS_TABLE_SCHEMA.partitionKey.name,
    ),
  );
  expect(matches).toHaveLength(1);
  return matches[0]!;
};

const byName = <T extends { AttributeName?: string | undefined }>(xs: readonly T[] | undefined): T[] =>
  [...(xs ?? [])].sort((a, b) => (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''));

describe('cdk: runs table matches RUNS_TABLE_SCHEMA', () => {
  const synthesized = runsTable();
  const expected = runsTableDefinition('ignored');

  it('has the same key schema', () => {
    expect(synthesized.Properties.KeySchema).toEqual(expected.KeySchema);
  });

  it('declares the same key attributes with the same types', () => {
    expect(byName(synthesized.Properties.AttributeDefinitions)).toEqual(
      byName(expected.AttributeDefinitions),
    );
  });

  it('has the byCreatedAt index with the same keys and projection, and no other index', () => {
    expect(synthesized.Properties.GlobalSecondaryIndexes).toEqual(
      expected.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
    );
  });

  it('is billed on demand like the local table', () => {
    expect(synthesized.Properties.BillingMode).toBe(expected.BillingMode);
  });
});
