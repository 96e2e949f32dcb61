/**
 * The PaperStore contract over MemoryPaperStore and over DynamoPaperStore on dynalite (the runs table, created from
 * `runsTableDefinition`; a new table per test), plus what only the DynamoDB layout can show.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNALITE_CREDENTIALS, makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import { DynamoPaperStore } from '../../lib/adapters/dynamo-paper-store.ts';
import { DynamoRunStore } from '../../lib/adapters/dynamo-run-store.ts';
import { MemoryPaperStore } from '../../lib/adapters/memory-paper-store.ts';
import { initialSimState } from '../../lib/backtest/sim-state.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/core/errors.ts';
import type { PaperDecisionRecord, PaperStrategyRecord } from '../../lib/paper/paper-record.ts';
import type { PaperStore } from '../../lib/paper/paper-store.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { createRunsTable, DYNALITE_REGION, type DynaliteHandle, startDynalite } from '../support/dynalite.ts';

const H0 = 1_688_394_600_000; // 2023-07-03 10:30 New York

const strategy = (tenantId: string, strategyId: string): PaperStrategyRecord => ({
  tenantId,
  strategyId,
  status: 'ACTIVE',
  version: 1,
  createdAtMs: 1_700_000_000_000,
  updatedAtMs: 1_700_000_000_000,
  specHash: 'a'.repeat(64),
  codeVersion: 'test',
  model: { runId: 'run-1', fold: 0, key: `tenants/${tenantId}/paper/${strategyId}/model.json` },
  capital: 1_000_000,
  startDate: '2023-07-03',
  firstHourMs: H0,
  lastHourMs: null,
  stateJson: JSON.stringify(initialSimState(1_000_000)),
});

const decision = (
  tenantId: string,
  strategyId: string,
  hourMs: number,
  extra: Partial<PaperDecisionRecord> = {},
): PaperDecisionRecord => ({
  tenantId,
  strategyId,
  hourMs,
  bar: 0,
  status: 'DECIDED',
  nav: 1_000_000.123456789,
  cash: 1e-7,
  riskState: 'normal',
  orders: { symbol: ['AAPL', 'MSFT'], shares: [10, -3] },
  logKey: `tenants/${tenantId}/paper/${strategyId}/decisions/2023-07-03/${hourMs}.json`,
  recordedAtMs: 1_700_000_000_500,
  ...extra,
});

function paperStoreContract(name: string, make: () => Promise<PaperStore>): void {
  describe(`PaperStore contract: ${name}`, () => {
    it('creates, reads and refuses a duplicate; another tenant sees nothing', async () => {
      const store = await make();
      await store.createStrategy(strategy('acme', 's-1'));
      expect(await store.getStrategy('acme', 's-1')).toEqual(strategy('acme', 's-1'));
      await expect(store.createStrategy(strategy('acme', 's-1'))).rejects.toBeInstanceOf(ConflictError);
      await expect(store.getStrategy('other', 's-1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.createStrategy({ ...strategy('acme', 's-2'), version: 2 })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });

    it('updates conditionally on the version: of two writers from one version exactly one wins', async () => {
      const store = await make();
      await store.createStrategy(strategy('acme', 's-1'));
      const patch = { stateJson: '{"x":1}', lastHourMs: H0 };
      const results = await Promise.allSettled([
        store.updateStrategy('acme', 's-1', 1, patch, 1_700_000_001_000),
        store.updateStrategy('acme', 's-1', 1, { ...patch, stateJson: '{"x":2}' }, 1_700_000_001_000),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const now = await store.getStrategy('acme', 's-1');
      expect(now).toMatchObject({ version: 2, lastHourMs: H0, updatedAtMs: 1_700_000_001_000 });
      // a note set and removed
      const noted = await store.updateStrategy(
        'acme',
        's-1',
        2,
        { dataNotReady: { hourMs: H0, attempts: 1, lastAtMs: 5 } },
        1_700_000_002_000,
      );
      expect(noted.dataNotReady).toEqual({ hourMs: H0, attempts: 1, lastAtMs: 5 });
      const cleared = await store.updateStrategy('acme', 's-1', 3, { dataNotReady: null }, 1_700_000_003_000);
      expect(cleared.dataNotReady).toBeUndefined();
      expect(cleared.version).toBe(4);
      await expect(store.updateStrategy('acme', 'nope', 1, {}, 1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.updateStrategy('other', 's-1', 4, {}, 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists the active strategies of every tenant, page by page; a stopped one leaves the list', async () => {
      const store = await make();
      for (const [t, id] of [
        ['acme', 's-2'],
        ['beta', 's-1'],
        ['acme', 's-1'],
      ] as const) {
        await store.createStrategy(strategy(t, id));
      }
      const p1 = await store.listActiveStrategies({ limit: 2 });
      expect(p1.items).toEqual([
        { tenantId: 'acme', strategyId: 's-1' },
        { tenantId: 'acme', strategyId: 's-2' },
      ]);
      const p2 = await store.listActiveStrategies({ limit: 2, cursor: p1.nextCursor! });
      expect(p2).toEqual({ items: [{ tenantId: 'beta', strategyId: 's-1' }] });
      await store.updateStrategy('acme', 's-2', 1, { status: 'STOPPED', stoppedAtMs: 1 }, 2);
      expect((await store.listActiveStrategies()).items.map((i) => `${i.tenantId}/${i.strategyId}`)).toEqual([
        'acme/s-1',
        'beta/s-1',
      ]);
    });

    it('a STOPPED strategy never becomes ACTIVE again', async () => {
      const store = await make();
      await store.createStrategy(strategy('acme', 's-1'));
      await store.updateStrategy('acme', 's-1', 1, { status: 'STOPPED', stoppedAtMs: 9 }, 10);
      await expect(store.updateStrategy('acme', 's-1', 2, { status: 'ACTIVE' }, 11)).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('records exactly one decision per hour: the first write wins, exact doubles', async () => {
      const store = await make();
      await store.createStrategy(strategy('acme', 's-1'));
      const first = decision('acme', 's-1', H0);
      const [a, b] = await Promise.all([
        store.putDecision(first),
        store.putDecision(
          decision('acme', 's-1', H0, { status: 'MISSED', orders: undefined, nav: undefined }),
        ),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.decision).toEqual(b.decision);
      const stored = await store.getDecision('acme', 's-1', H0);
      expect(stored).toEqual(a.decision);
      expect(await store.getDecision('acme', 's-1', H0 + 1)).toBeUndefined();
      expect(await store.getDecision('other', 's-1', H0)).toBeUndefined();
    });

    it('lists decisions oldest first within [from, to], page by page', async () => {
      const store = await make();
      await store.createStrategy(strategy('acme', 's-1'));
      await store.createStrategy(strategy('acme', 's-10'));
      for (let i = 0; i < 5; i++) await store.putDecision(decision('acme', 's-1', H0 + i * 3_600_000));
      await store.putDecision(decision('acme', 's-10', H0)); // a strategy whose id extends the other's
      const p1 = await store.listDecisions('acme', 's-1', {
        fromMs: H0 + 1,
        toMs: H0 + 10 * 3_600_000,
        limit: 2,
      });
      expect(p1.items.map((d) => d.hourMs)).toEqual([H0 + 3_600_000, H0 + 7_200_000]);
      expect(p1.nextCursor).toBeDefined();
      const p2 = await store.listDecisions('acme', 's-1', {
        fromMs: H0 + 1,
        toMs: H0 + 10 * 3_600_000,
        limit: 2,
        cursor: p1.nextCursor!,
      });
      expect(p2.items.map((d) => d.hourMs)).toEqual([H0 + 3 * 3_600_000, H0 + 4 * 3_600_000]);
      expect(p2.nextCursor).toBeUndefined();
      await expect(
        store.listDecisions('acme', 's-10', { fromMs: 0, toMs: H0 * 2, cursor: p1.nextCursor! }),
      ).rejects.toBeInstanceOf(InvalidInputError);
      expect((await store.listDecisions('acme', 's-10', { fromMs: 0, toMs: H0 * 2 })).items).toHaveLength(1);
      expect((await store.listDecisions('other', 's-1', { fromMs: 0, toMs: H0 * 2 })).items).toHaveLength(0);
    });
  });
}

let server: DynaliteHandle;
let client: DynamoDBDocumentClient;
let nextTable = 0;

beforeAll(async () => {
  server = await startDynalite();
  client = makeDynamoDocumentClient({
    region: DYNALITE_REGION,
    endpoint: server.endpoint,
    credentials: DYNALITE_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const freshTable = async (): Promise<string> => {
  const tableName = `paper-${nextTable++}`;
  await createRunsTable(server.endpoint, tableName);
  return tableName;
};

paperStoreContract('MemoryPaperStore', async () => new MemoryPaperStore());
paperStoreContract(
  'DynamoPaperStore on dynalite',
  async () => new DynamoPaperStore({ client, tableName: await freshTable() }),
);

describe('DynamoPaperStore on dynalite: item layout', () => {
  it('keeps paper items beside runs in the runs table without appearing in the runs listing', async () => {
    const tableName = await freshTable();
    const paper = new DynamoPaperStore({ client, tableName });
    const runs = new DynamoRunStore({ client, tableName });
    await runs.create(
      newRunRecord({
        tenantId: 'acme',
        runId: 'run-1',
        specHash: 'h',
        datasetId: 'd',
        codeVersion: 'c',
        nowMs: 1,
      }),
    );
    await paper.createStrategy(strategy('acme', 's-1'));
    await paper.putDecision(decision('acme', 's-1', H0));
    const raw = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'TENANT#acme', sk: 'PAPER#s-1#H#001688394600000' } }),
    );
    expect(raw.Item).toMatchObject({ hourMs: H0, decisionJson: expect.any(String) });
    const s = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'TENANT#acme', sk: 'PAPER#s-1' } }),
    );
    expect(s.Item).toMatchObject({ status: 'ACTIVE', version: 1, stateJson: expect.any(String) });
    expect(s.Item).toMatchObject({ gsi1pk: 'PAPER#ACTIVE', gsi1sk: 'acme#s-1' });
    expect((await runs.list('acme')).items.map((r) => r.runId)).toEqual(['run-1']);
  });

  it('rejects unknown options', () => {
    expect(() => new DynamoPaperStore({ client, tableName: 't', extra: 1 } as never)).toThrow(
      InvalidInputError,
    );
  });
});
