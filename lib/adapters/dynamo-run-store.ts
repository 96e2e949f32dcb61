/**
 * `RunStore` on DynamoDB (or the local dynalite): one item per run in the single runs table.
 *
 * Item layout (the table and index are `RUNS_TABLE_SCHEMA`, which `cdk/stateful-stack.ts` must match; a CDK test
 * checks it):
 * - `pk` = `TENANT#{tenantId}`, `sk` = `RUN#{runId}`;
 * - `gsi1pk` = `TENANT#{tenantId}#RUNS`, `gsi1sk` = `{createdAtMs, 15 digits zero-padded}#{runId}`: the index
 *   `byCreatedAt` lists a tenant's runs by creation time (queried newest first);
 * - the `RunRecord` fields as top-level attributes (`stages`, `timings`, `error` as maps), except the metrics
 *   summary, stored as the JSON string `metricsSummaryJson`: DynamoDB numbers cannot hold every double (its
 *   range stops at 1E-130 and the SDK turns integers beyond 2^53 into BigInt), JSON round-trips them exactly.
 *
 * Every write is a single conditional item write (no transactions; dynalite has none):
 * - create: `attribute_not_exists(pk)`;
 * - transition: `status = :from AND version = :expectedVersion`, setting status, version + 1 and timings;
 * - progress: status non-terminal, `stages.{stage}.done <= :done`, `stages.{stage}.total` 0 or unchanged
 *   (and `version = :expectedVersion` if given); `startedAtMs`/`finishedAtMs` via `if_not_exists`;
 * - metrics summary and cancel request: status non-terminal.
 * These are the storage primitives of `BaseRunStore`, which validates every request first (`InvalidInputError`
 * before any call) and, when a condition fails, reads the item back (consistent read) and lets the pure rules of
 * `lib/runs/run-record.ts` name the conflict, so the ConflictError is the same as `MemoryRunStore`'s. (dynalite
 * silently ignores `ReturnValuesOnConditionCheckFailure`, so the adapter does not rely on it; the read-back shows
 * the state just after the failed write, which is what a caller re-reading would see anyway.)
 *
 * `list` queries the index newest first. A page's cursor is base64url JSON of the index key of its last item
 * (the `LastEvaluatedKey` DynamoDB would give as `ExclusiveStartKey`), checked on the way back in: it must be
 * exactly that shape, canonical, and name the caller's tenant (`InvalidInputError` otherwise). The query asks
 * for one item more than the page so that `nextCursor` is present only when more runs follow.
 */
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataIntegrityError, InvalidInputError } from '../core/index.ts';
import {
  BaseRunStore,
  isTerminalStatus,
  RUN_ID_PATTERN,
  type RunPage,
  RunRecord,
  type RunUpdate,
} from '../runs/index.ts';
import { getItemConsistent } from './dynamo-client.ts';
import {
  type ConditionalUpdate,
  checkDynamoStoreOptions,
  type DynamoStoreOptions,
  putItemIfAbsent,
  queryUpTo,
  updateItemIf,
} from './dynamo-items.ts';

/**
 * The runs table's keys and index: the single source for the local table (tests, `local/`) and the one the CDK
 * stack is checked against (`test/cdk/runs-table-schema.test.ts`).
 */
export const RUNS_TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  byCreatedAt: {
    indexName: 'byCreatedAt',
    partitionKey: { name: 'gsi1pk', type: 'S' },
    sortKey: { name: 'gsi1sk', type: 'S' },
    projection: 'ALL',
  },
} as const;

/** `CreateTable` input for the runs table (on-demand), built from `RUNS_TABLE_SCHEMA`. */
export const runsTableDefinition = (tableName: string): CreateTableCommandInput => {
  const s = RUNS_TABLE_SCHEMA;
  const keys = (hash: string, range: string): KeySchemaElement[] => [
    { AttributeName: hash, KeyType: 'HASH' },
    { AttributeName: range, KeyType: 'RANGE' },
  ];
  const attributes: AttributeDefinition[] = [
    s.partitionKey,
    s.sortKey,
    s.byCreatedAt.partitionKey,
    s.byCreatedAt.sortKey,
  ].map((a) => ({ AttributeName: a.name, AttributeType: a.type }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes,
    KeySchema: keys(s.partitionKey.name, s.sortKey.name),
    GlobalSecondaryIndexes: [
      {
        IndexName: s.byCreatedAt.indexName,
        KeySchema: keys(s.byCreatedAt.partitionKey.name, s.byCreatedAt.sortKey.name),
        Projection: { ProjectionType: s.byCreatedAt.projection },
      },
    ],
  };
};

const CREATED_AT_DIGITS = 15;

export const runPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const runSk = (runId: string): string => `RUN#${runId}`;
export const runsGsiPk = (tenantId: string): string => `TENANT#${tenantId}#RUNS`;
export const runsGsiSk = (createdAtMs: number, runId: string): string =>
  `${String(createdAtMs).padStart(CREATED_AT_DIGITS, '0')}#${runId}`;

export interface RunItemKeys {
  readonly pk: string;
  readonly sk: string;
  readonly gsi1pk: string;
  readonly gsi1sk: string;
}

export const runItemKeys = (record: Pick<RunRecord, 'tenantId' | 'runId' | 'createdAtMs'>): RunItemKeys => ({
  pk: runPk(record.tenantId),
  sk: runSk(record.runId),
  gsi1pk: runsGsiPk(record.tenantId),
  gsi1sk: runsGsiSk(record.createdAtMs, record.runId),
});

/** The item stored for a record. */
export const runToItem = (record: RunRecord): Record<string, unknown> => {
  const { metricsSummary, ...rest } = record;
  return {
    ...runItemKeys(record),
    ...rest,
    ...(metricsSummary !== undefined && { metricsSummaryJson: JSON.stringify(metricsSummary) }),
  };
};

export type DynamoRunStoreOptions = DynamoStoreOptions;

const NON_TERMINAL_CONDITION = '#status IN (:queued, :running)';
const NON_TERMINAL_VALUES = { ':queued': 'QUEUED', ':running': 'RUNNING' } as const;

export class DynamoRunStore extends BaseRunStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRunStoreOptions) {
    super();
    checkDynamoStoreOptions('DynamoRunStore', options);
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  protected async insertIfAbsent(record: RunRecord): Promise<boolean> {
    return putItemIfAbsent(this.#client, this.#tableName, runToItem(record), { runId: record.runId });
  }

  protected async read(tenantId: string, runId: string): Promise<RunRecord | undefined> {
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: runPk(tenantId), sk: runSk(runId) },
      { runId },
    );
    return item === undefined ? undefined : this.#fromItem(item);
  }

  protected async updateIf(
    tenantId: string,
    runId: string,
    update: RunUpdate,
  ): Promise<RunRecord | undefined> {
    const item = await updateItemIf(
      this.#client,
      this.#tableName,
      { pk: runPk(tenantId), sk: runSk(runId) },
      conditionalUpdateOf(update),
      { runId },
    );
    return item === undefined ? undefined : this.#fromItem(item);
  }

  protected async page(tenantId: string, limit: number, cursor: string | undefined): Promise<RunPage> {
    const startKey = cursor === undefined ? undefined : decodeRunCursor(tenantId, cursor);
    const index = RUNS_TABLE_SCHEMA.byCreatedAt;
    // One more than the page, so that a cursor is handed out only when more runs follow.
    const found = await queryUpTo(
      this.#client,
      {
        TableName: this.#tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#gsi1pk = :gsi1pk',
        ExpressionAttributeNames: { '#gsi1pk': index.partitionKey.name },
        ExpressionAttributeValues: { ':gsi1pk': runsGsiPk(tenantId) },
        ScanIndexForward: false,
      },
      limit + 1,
      startKey === undefined ? undefined : { ...startKey },
      { index: index.indexName },
      (item) => {
        const record = this.#fromItem(item);
        if (record.tenantId !== tenantId) {
          throw this.#corrupt(`listed under tenant ${tenantId} but belongs to another tenant`, record.runId);
        }
        return record;
      },
    );
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeRunCursor(runItemKeys(last)) }
      : { items };
  }

  #corrupt(rule: string, runId?: string): DataIntegrityError {
    return new DataIntegrityError(`run item in table ${this.#tableName} is corrupt: ${rule}`, {
      dataset: `dynamodb:${this.#tableName}`,
      rule,
      ...(runId !== undefined && { runId }),
    });
  }

  #fromItem(item: Record<string, unknown>): RunRecord {
    const { pk, sk, gsi1pk, gsi1sk, metricsSummaryJson, ...rest } = item;
    let metricsSummary: unknown;
    if (metricsSummaryJson !== undefined) {
      try {
        metricsSummary = JSON.parse(String(metricsSummaryJson));
      } catch {
        throw this.#corrupt(
          'metricsSummaryJson is not JSON',
          typeof rest.runId === 'string' ? rest.runId : undefined,
        );
      }
    }
    const parsed = RunRecord.safeParse(metricsSummary === undefined ? rest : { ...rest, metricsSummary });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.#corrupt(
        `RunRecord schema: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        typeof rest.runId === 'string' ? rest.runId : undefined,
      );
    }
    const keys = runItemKeys(parsed.data);
    if (pk !== keys.pk || sk !== keys.sk || gsi1pk !== keys.gsi1pk || gsi1sk !== keys.gsi1sk) {
      throw this.#corrupt('key attributes do not match tenantId, runId and createdAtMs', parsed.data.runId);
    }
    return parsed.data;
  }
}

/** The update expression and condition that encode the rules of `update` (see the module comment). */
function conditionalUpdateOf(update: RunUpdate): ConditionalUpdate {
  switch (update.kind) {
    case 'transition':
      return transitionUpdate(update);
    case 'progress':
      return progressUpdate(update);
    case 'metrics':
      return {
        UpdateExpression: 'SET #metricsSummaryJson = :metricsSummaryJson, #updatedAtMs = :now',
        ConditionExpression: NON_TERMINAL_CONDITION,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#metricsSummaryJson': 'metricsSummaryJson',
          '#updatedAtMs': 'updatedAtMs',
        },
        ExpressionAttributeValues: {
          ...NON_TERMINAL_VALUES,
          ':metricsSummaryJson': JSON.stringify(update.summary),
          ':now': update.nowMs,
        },
      };
    case 'cancel':
      return {
        UpdateExpression: 'SET #cancelRequested = :true, #updatedAtMs = :now',
        ConditionExpression: NON_TERMINAL_CONDITION,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#cancelRequested': 'cancelRequested',
          '#updatedAtMs': 'updatedAtMs',
        },
        ExpressionAttributeValues: { ...NON_TERMINAL_VALUES, ':true': true, ':now': update.nowMs },
      };
  }
}

function transitionUpdate({ request, patch }: Extract<RunUpdate, { kind: 'transition' }>): ConditionalUpdate {
  const set = ['#status = :to', '#version = :nextVersion', '#updatedAtMs = :now'];
  const names: Record<string, string> = {
    '#status': 'status',
    '#version': 'version',
    '#updatedAtMs': 'updatedAtMs',
  };
  const values: Record<string, unknown> = {
    ':from': request.from,
    ':to': request.to,
    ':expectedVersion': request.expectedVersion,
    ':nextVersion': request.expectedVersion + 1,
    ':now': request.nowMs,
  };
  if (request.to === 'RUNNING' || isTerminalStatus(request.to)) {
    const field = request.to === 'RUNNING' ? 'startedAtMs' : 'finishedAtMs';
    set.push(`#timings.#${field} = :now`);
    names['#timings'] = 'timings';
    names[`#${field}`] = field;
  }
  if (patch.executionArn !== undefined) {
    set.push('#executionArn = :executionArn');
    names['#executionArn'] = 'executionArn';
    values[':executionArn'] = patch.executionArn;
  }
  if (patch.error !== undefined) {
    set.push('#error = :error');
    names['#error'] = 'error';
    values[':error'] = patch.error;
  }
  if (patch.metricsSummary !== undefined) {
    set.push('#metricsSummaryJson = :metricsSummaryJson');
    names['#metricsSummaryJson'] = 'metricsSummaryJson';
    values[':metricsSummaryJson'] = JSON.stringify(patch.metricsSummary);
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: '#status = :from AND #version = :expectedVersion',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function progressUpdate({
  stage,
  progress,
  expectedVersion,
}: Extract<RunUpdate, { kind: 'progress' }>): ConditionalUpdate {
  const finished = progress.total > 0 && progress.done === progress.total;
  const at = (field: string) => `#stages.#stage.#${field}`;
  const set = [
    `${at('done')} = :done`,
    `${at('total')} = :total`,
    `${at('startedAtMs')} = if_not_exists(${at('startedAtMs')}, :now)`,
    '#updatedAtMs = :now',
  ];
  if (finished) set.push(`${at('finishedAtMs')} = if_not_exists(${at('finishedAtMs')}, :now)`);
  const conditions = [
    NON_TERMINAL_CONDITION,
    `${at('done')} <= :done`,
    `(${at('total')} = :zero OR ${at('total')} = :total)`,
  ];
  const names: Record<string, string> = {
    '#status': 'status',
    '#stages': 'stages',
    '#stage': stage,
    '#done': 'done',
    '#total': 'total',
    '#startedAtMs': 'startedAtMs',
    '#updatedAtMs': 'updatedAtMs',
    ...(finished && { '#finishedAtMs': 'finishedAtMs' }),
  };
  const values: Record<string, unknown> = {
    ...NON_TERMINAL_VALUES,
    ':done': progress.done,
    ':total': progress.total,
    ':zero': 0,
    ':now': progress.nowMs,
  };
  if (expectedVersion !== undefined) {
    conditions.push('#version = :expectedVersion');
    names['#version'] = 'version';
    values[':expectedVersion'] = expectedVersion;
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** base64url JSON of an index key (pk, sk, gsi1pk, gsi1sk in that order). */
export const encodeRunCursor = (keys: RunItemKeys): string =>
  Buffer.from(
    JSON.stringify({ pk: keys.pk, sk: keys.sk, gsi1pk: keys.gsi1pk, gsi1sk: keys.gsi1sk }),
  ).toString('base64url');

const GSI_SK_PATTERN = new RegExp(`^(\\d{${CREATED_AT_DIGITS}})#(.+)$`);

/**
 * The index key in a cursor of `tenantId`'s listing. `InvalidInputError` (field `cursor`) unless it is exactly
 * what `encodeRunCursor` makes for one of this tenant's runs.
 */
export const decodeRunCursor = (tenantId: string, cursor: string): RunItemKeys => {
  const invalid = (why: string): never => {
    throw new InvalidInputError(`cursor is invalid: ${why}`, { field: 'cursor' });
  };
  if (typeof cursor !== 'string' || cursor === '' || cursor.length > 2048)
    return invalid('expected a short string');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('expected base64url JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid('expected an object');
  const { pk, sk, gsi1pk, gsi1sk, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return invalid('unexpected fields');
  if (
    typeof pk !== 'string' ||
    typeof sk !== 'string' ||
    typeof gsi1pk !== 'string' ||
    typeof gsi1sk !== 'string'
  ) {
    return invalid('expected pk, sk, gsi1pk and gsi1sk strings');
  }
  if (pk !== runPk(tenantId) || gsi1pk !== runsGsiPk(tenantId))
    return invalid('it belongs to another listing');
  const match = GSI_SK_PATTERN.exec(gsi1sk);
  const runId = match?.[2];
  if (runId === undefined || !RUN_ID_PATTERN.test(runId) || sk !== runSk(runId))
    return invalid('bad position');
  const keys: RunItemKeys = { pk, sk, gsi1pk, gsi1sk };
  if (encodeRunCursor(keys) !== cursor) return invalid('not in canonical form');
  return keys;
};
