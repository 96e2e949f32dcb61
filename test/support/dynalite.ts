/**
 * dynalite (the DynamoDB API on LevelDB) in this process, in memory, on 127.0.0.1 and a free port, for adapter
 * contract tests. dynalite has no TransactWriteItems, PartiQL or TTL (TOOLCHAIN.md), and ignores request
 * parameters it does not know (e.g. `ReturnValuesOnConditionCheckFailure`).
 *
 * `createRunsTable` creates the runs table from `runsTableDefinition` (built from `RUNS_TABLE_SCHEMA`, the
 * same definition the CDK stack is checked against) and waits until it is ACTIVE.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DYNALITE_CREDENTIALS } from '../../lib/adapters/dynamo-client.ts';
import { runsTableDefinition } from '../../lib/adapters/dynamo-run-store.ts';

export interface DynaliteHandle {
  /** `http://127.0.0.1:{port}` */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const DYNALITE_REGION = 'us-east-1';

export const startDynalite = async (): Promise<DynaliteHandle> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
};

/** Creates the runs table on `endpoint` and waits (up to 10 s) until it is ACTIVE. */
export const createRunsTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = new DynamoDBClient({ endpoint, region: DYNALITE_REGION, credentials: DYNALITE_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(runsTableDefinition(tableName)));
    for (let i = 0; i < 200; i++) {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every(
        (g) => g.IndexStatus === 'ACTIVE',
      );
      if (out.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dynalite table ${tableName} did not become ACTIVE within 10 s`);
  } finally {
    client.destroy();
  }
};
