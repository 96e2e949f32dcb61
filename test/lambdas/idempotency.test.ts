import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DYNALITE_CREDENTIALS } from '../../lib/adapters/dynamo-client.ts';
import { MemoryIdempotencyGuard } from '../../lib/adapters/memory-idempotency.ts';
import { PowertoolsIdempotencyGuard } from '../../lib/adapters/powertools-idempotency.ts';
import { DYNALITE_REGION, type DynaliteHandle, startDynalite } from '../support/dynalite.ts';
import { idempotencyGuardContract } from './idempotency.contract.ts';
import { createIdempotencyTable } from './idempotency-table.ts';

const IDEMPOTENCY_TABLE = 'hts-idempotency-test';

let dynalite: DynaliteHandle;
let client: DynamoDBClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: DYNALITE_REGION,
    credentials: DYNALITE_CREDENTIALS,
  });
  await createIdempotencyTable(client, IDEMPOTENCY_TABLE);
});

afterAll(async () => {
  client?.destroy();
  await dynalite?.stop();
});

idempotencyGuardContract('MemoryIdempotencyGuard', () => new MemoryIdempotencyGuard());
idempotencyGuardContract(
  'PowertoolsIdempotencyGuard (dynalite)',
  () => new PowertoolsIdempotencyGuard({ client, tableName: IDEMPOTENCY_TABLE }),
);
