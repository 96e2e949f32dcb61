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
 * Illegal requests fail with `InvalidInputError` before any call. When a condition fails the item is read back
 * (consistent read) and the pure rules of `lib/runs/run-store.ts` name the conflict, so the ConflictError is
 * the same as `MemoryRunStore`'s. (dynalite silently ignores `ReturnValuesOnConditionCheckFailure`, so the
 * adapter does not rely on it; the read-back shows the state just after the failed write, which is what a caller
 * re-reading would see anyway.)
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
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AppError, ConflictError, DataIntegrityError, InvalidInputError } from '../core/errors.ts';
import {
  applyCancelRequest,
  applyMetricsSummary,
  applyTransition,
  assertRunKey,
  assertTenantId,
  duplicateRunConflict,
  isTerminalStatus,
  type ListRunsOptions,
  listLimit,
  type MetricsSummary,
  type ProgressUpdate,
  parseNewRunRecord,
  progressConflict,
  RUN_ID_PATTERN,
  type RunPage,
  RunRecord,
  type RunStage,
  type RunStore,
  runNotFound,
  type TransitionRequest,
  transitionConflict,
  validateMetricsSummary,
  validateNowMs,
  validateProgressUpdate,
  validateTransitionRequest,
} from '../runs/run-store.ts';
import { getItemConsistent, isConditionalCheckFailed, translateDynamoError } from './dynamo-client.ts';

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

export interface DynamoRunStoreOptions {
  /** A document client, e.g. from `makeDynamoDocumentClient`. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const KNOWN_OPTIONS = new Set(['client', 'tableName']);

const NON_TERMINAL_CONDITION = '#status IN (:queued, :running)';
const NON_TERMINAL_VALUES = { ':queued': 'QUEUED', ':running': 'RUNNING' } as const;

export class DynamoRunStore implements RunStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRunStoreOptions) {
    for (const name of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(name)) {
        throw new InvalidInputError(
          `unknown DynamoRunStore option ${JSON.stringify(name)}; expected one of ${[...KNOWN_OPTIONS].join(', ')}`,
          { field: name },
        );
      }
    }
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new InvalidInputError(
        'DynamoRunStore tableName must be a non-empty string, received an empty value',
        {
          field: 'tableName',
        },
      );
    }
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async create(record: RunRecord): Promise<void> {
    const parsed = parseNewRunRecord(record);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: runToItem(parsed),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) throw duplicateRunConflict(parsed.runId);
      throw translateDynamoError(e, 'PutItem', { runId: parsed.runId });
    }
  }

  async get(tenantId: string, runId: string): Promise<RunRecord> {
    assertRunKey(tenantId, runId);
    const found = await this.#read(tenantId, runId);
    if (found === undefined) throw runNotFound(runId);
    return found;
  }

  async transition(tenantId: string, runId: string, request: TransitionRequest): Promise<RunRecord> {
    const patch = validateTransitionRequest(request);
    assertRunKey(tenantId, runId);
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
    return this.#conditionalUpdate(
      tenantId,
      runId,
      {
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: '#status = :from AND #version = :expectedVersion',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (actual) => {
        applyTransition(actual, request); // throws the ConflictError naming what differs
        return transitionConflict(actual, request);
      },
    );
  }

  async updateProgress(
    tenantId: string,
    runId: string,
    stage: RunStage,
    progress: ProgressUpdate,
    expectedVersion?: number,
  ): Promise<RunRecord> {
    validateProgressUpdate(stage, progress, expectedVersion);
    assertRunKey(tenantId, runId);
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
    return this.#conditionalUpdate(
      tenantId,
      runId,
      {
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (actual) =>
        progressConflict(actual, stage, progress, expectedVersion) ??
        new ConflictError(
          `run ${runId}: progress of ${stage} conflicted with a concurrent update; read and retry`,
          {
            runId,
            stage,
            actualStatus: actual.status,
            actualVersion: actual.version,
          },
        ),
    );
  }

  async setMetricsSummary(
    tenantId: string,
    runId: string,
    summary: MetricsSummary,
    nowMs: number,
  ): Promise<RunRecord> {
    const parsed = validateMetricsSummary(summary);
    validateNowMs(nowMs);
    assertRunKey(tenantId, runId);
    return this.#conditionalUpdate(
      tenantId,
      runId,
      {
        UpdateExpression: 'SET #metricsSummaryJson = :metricsSummaryJson, #updatedAtMs = :now',
        ConditionExpression: NON_TERMINAL_CONDITION,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#metricsSummaryJson': 'metricsSummaryJson',
          '#updatedAtMs': 'updatedAtMs',
        },
        ExpressionAttributeValues: {
          ...NON_TERMINAL_VALUES,
          ':metricsSummaryJson': JSON.stringify(parsed),
          ':now': nowMs,
        },
      },
      (actual) => {
        applyMetricsSummary(actual, parsed, nowMs);
        return this.#unexplainedConflict(actual, 'set the metrics summary');
      },
    );
  }

  async requestCancel(tenantId: string, runId: string, nowMs: number): Promise<RunRecord> {
    validateNowMs(nowMs);
    assertRunKey(tenantId, runId);
    return this.#conditionalUpdate(
      tenantId,
      runId,
      {
        UpdateExpression: 'SET #cancelRequested = :true, #updatedAtMs = :now',
        ConditionExpression: NON_TERMINAL_CONDITION,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#cancelRequested': 'cancelRequested',
          '#updatedAtMs': 'updatedAtMs',
        },
        ExpressionAttributeValues: { ...NON_TERMINAL_VALUES, ':true': true, ':now': nowMs },
      },
      (actual) => {
        applyCancelRequest(actual, nowMs);
        return this.#unexplainedConflict(actual, 'request cancellation');
      },
    );
  }

  async list(tenantId: string, options: ListRunsOptions = {}): Promise<RunPage> {
    assertTenantId(tenantId);
    const limit = listLimit(options);
    let startKey: RunItemKeys | undefined =
      options.cursor === undefined ? undefined : decodeRunCursor(tenantId, options.cursor);
    const found: RunRecord[] = [];
    // One more than the page, so that a cursor is handed out only when more runs follow. DynamoDB may stop
    // early (1 MB pages); keep going from its LastEvaluatedKey.
    do {
      let out: QueryCommandOutput;
      try {
        out = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: RUNS_TABLE_SCHEMA.byCreatedAt.indexName,
            KeyConditionExpression: '#gsi1pk = :gsi1pk',
            ExpressionAttributeNames: { '#gsi1pk': RUNS_TABLE_SCHEMA.byCreatedAt.partitionKey.name },
            ExpressionAttributeValues: { ':gsi1pk': runsGsiPk(tenantId) },
            ScanIndexForward: false,
            Limit: limit + 1 - found.length,
            ...(startKey !== undefined && { ExclusiveStartKey: { ...startKey } }),
          }),
        );
      } catch (e) {
        throw translateDynamoError(e, 'Query', { index: RUNS_TABLE_SCHEMA.byCreatedAt.indexName });
      }
      for (const item of out.Items ?? []) {
        const record = this.#fromItem(item);
        if (record.tenantId !== tenantId) {
          throw this.#corrupt(`listed under tenant ${tenantId} but belongs to another tenant`, record.runId);
        }
        found.push(record);
      }
      startKey =
        out.LastEvaluatedKey === undefined ? undefined : (out.LastEvaluatedKey as unknown as RunItemKeys);
    } while (startKey !== undefined && found.length <= limit);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeRunCursor(runItemKeys(last)) }
      : { items };
  }

  async #read(tenantId: string, runId: string): Promise<RunRecord | undefined> {
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: runPk(tenantId), sk: runSk(runId) },
      { runId },
    );
    return item === undefined ? undefined : this.#fromItem(item);
  }

  /**
   * One conditional UpdateItem returning the new record. On a failed condition the item is read back:
   * missing → `NotFoundError`; else `explain(actual)` gives (or throws) the `ConflictError`.
   */
  async #conditionalUpdate(
    tenantId: string,
    runId: string,
    input: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
    explain: (actual: RunRecord) => ConflictError,
  ): Promise<RunRecord> {
    let attributes: Record<string, unknown> | undefined;
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(tenantId), sk: runSk(runId) },
          ...input,
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = out.Attributes;
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw translateDynamoError(e, 'UpdateItem', { runId });
      const actual = await this.#read(tenantId, runId);
      if (actual === undefined) throw runNotFound(runId);
      throw explain(actual);
    }
    if (attributes === undefined) {
      throw new AppError('INTERNAL', 'DynamoDB UpdateItem with ReturnValues ALL_NEW returned no attributes', {
        operation: 'UpdateItem',
        runId,
      });
    }
    return this.#fromItem(attributes);
  }

  #unexplainedConflict(actual: RunRecord, action: string): ConflictError {
    return new ConflictError(
      `run ${actual.runId}: cannot ${action}; it changed concurrently, read and retry`,
      {
        runId: actual.runId,
        actualStatus: actual.status,
        actualVersion: actual.version,
      },
    );
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
