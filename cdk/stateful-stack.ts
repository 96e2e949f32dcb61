import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface StatefulStackProps extends StackProps {
  /**
   * Days after which a run's intermediate outputs (features, scores, targets, simulation state) expire. Artifacts
   * and datasets never expire.
   * @default 30
   */
  readonly intermediateRetentionDays?: number;
}

/**
 * The stateful resources, in their own stack with stable logical ids: the data lake bucket (datasets and every
 * run's outputs, see ARCHITECTURE.md "Data lake layout"), the runs table (single table: run records keyed by
 * tenant and run id, a GSI listing a tenant's runs by creation time) and the idempotency table of the API.
 */
export class StatefulStack extends Stack {
  readonly dataBucket: Bucket;
  readonly runsTable: Table;
  readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const retentionDays = props.intermediateRetentionDays ?? 30;

    this.dataBucket = new Bucket(this, 'DataBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: ['features', 'scores', 'targets', 'month-inputs', 'sim'].map((stage) => ({
        id: `expire-${stage}`,
        // tenants/{tenantId}/runs/{runId}/{stage}/...: matched by tag-free prefix rules is impossible across
        // tenants, so intermediate objects are tagged `hts:stage={stage}` by the writer.
        tagFilters: { 'hts:stage': stage },
        expiration: Duration.days(retentionDays),
      })),
    });

    this.runsTable = new Table(this, 'RunsTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.runsTable.addGlobalSecondaryIndex({
      indexName: 'byCreatedAt',
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
    });

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'DataBucketName', { value: this.dataBucket.bucketName });
    new CfnOutput(this, 'RunsTableName', { value: this.runsTable.tableName });
  }

  /** Read access to datasets and run outputs, write access to run outputs. */
  grantDataReadWrite(grantee: IGrantable): void {
    this.dataBucket.grantRead(grantee);
    this.dataBucket.grantPut(grantee, 'tenants/*');
  }
}
