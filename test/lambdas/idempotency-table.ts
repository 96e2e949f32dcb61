import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The idempotency table of `cdk/stateful-stack.ts`: partition key `id` (S). dynalite has no TTL (not needed). */
export const createIdempotencyTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
};
