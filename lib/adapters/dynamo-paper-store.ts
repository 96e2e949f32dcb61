/**
 * `PaperStore` on DynamoDB (or the local dynalite), in the runs table (`RUNS_TABLE_SCHEMA`: single-table design,
 * no new table, no new index). Items, under the tenant's partition:
 * - the strategy: `pk` = `TENANT#{tenantId}`, `sk` = `PAPER#{strategyId}`, the `PaperStrategyRecord` fields as
 *   top-level attributes (`stateJson` is the engine state as a JSON string: exact doubles, ~30 KB for a
 *   500-name book, far below the 400 KB item limit);
 * - one item per decision: `sk` = `PAPER#{strategyId}#H#{hourMs, 15 digits zero-padded}`, the decision as the JSON
 *   string `decisionJson` (exact doubles) beside `hourMs`.
 * Run items (`RUN#…`) never match a `PAPER#` key range. An ACTIVE strategy also carries the `byCreatedAt` index
 * keys `gsi1pk` = `PAPER#ACTIVE`, `gsi1sk` = `{tenantId}#{strategyId}` (removed when it stops): the scheduled
 * tick lists the active strategies of every tenant from that index partition, which the runs listing (partitions
 * `TENANT#{t}#RUNS`) never reads.
 *
 * The storage primitives of `BasePaperStore`, each a single item operation: create strategy
 * `attribute_not_exists(pk)`; update `version = :expected` (plus `status <> STOPPED` when re-activating, which is
 * refused); create decision `attribute_not_exists(pk)` (on a failed condition the base store reads the stored
 * decision back and returns it with `created: false`). Decisions are listed with a key-range query, oldest first.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataIntegrityError } from '../core/index.ts';
import {
  BasePaperStore,
  PaperDecisionRecord,
  PaperStrategyRecord,
  type StrategyPatch,
  type StrategyRef,
} from '../paper/index.ts';
import { getItemConsistent } from './dynamo-client.ts';
import {
  type ConditionalUpdate,
  checkDynamoStoreOptions,
  type DynamoStoreOptions,
  putItemIfAbsent,
  queryUpTo,
  updateItemIf,
} from './dynamo-items.ts';
import { RUNS_TABLE_SCHEMA } from './dynamo-run-store.ts';

const HOUR_DIGITS = 15;
const ACTIVE_PK = 'PAPER#ACTIVE';
const activeSk = (tenantId: string, strategyId: string): string => `${tenantId}#${strategyId}`;

export const paperPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const paperStrategySk = (strategyId: string): string => `PAPER#${strategyId}`;
export const paperDecisionSk = (strategyId: string, hourMs: number): string =>
  `PAPER#${strategyId}#H#${String(hourMs).padStart(HOUR_DIGITS, '0')}`;

/** The runs table (`RUNS_TABLE_SCHEMA`). */
export type DynamoPaperStoreOptions = DynamoStoreOptions;

export class DynamoPaperStore extends BasePaperStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoPaperStoreOptions) {
    super();
    checkDynamoStoreOptions('DynamoPaperStore', options);
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  protected async insertStrategyIfAbsent(record: PaperStrategyRecord): Promise<boolean> {
    return putItemIfAbsent(
      this.#client,
      this.#tableName,
      {
        pk: paperPk(record.tenantId),
        sk: paperStrategySk(record.strategyId),
        gsi1pk: ACTIVE_PK,
        gsi1sk: activeSk(record.tenantId, record.strategyId),
        ...record,
      },
      { strategyId: record.strategyId },
    );
  }

  protected async readStrategy(
    tenantId: string,
    strategyId: string,
  ): Promise<PaperStrategyRecord | undefined> {
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: paperPk(tenantId), sk: paperStrategySk(strategyId) },
      { strategyId },
    );
    return item === undefined ? undefined : this.#strategyFromItem(item);
  }

  protected async updateStrategyIf(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord | undefined> {
    const item = await updateItemIf(
      this.#client,
      this.#tableName,
      { pk: paperPk(tenantId), sk: paperStrategySk(strategyId) },
      strategyUpdate(expectedVersion, patch, nowMs),
      { strategyId },
    );
    return item === undefined ? undefined : this.#strategyFromItem(item);
  }

  protected async insertDecisionIfAbsent(decision: PaperDecisionRecord): Promise<boolean> {
    return putItemIfAbsent(
      this.#client,
      this.#tableName,
      {
        pk: paperPk(decision.tenantId),
        sk: paperDecisionSk(decision.strategyId, decision.hourMs),
        hourMs: decision.hourMs,
        decisionJson: JSON.stringify(decision),
      },
      { strategyId: decision.strategyId, hourMs: decision.hourMs },
    );
  }

  protected async readDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined> {
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: paperPk(tenantId), sk: paperDecisionSk(strategyId, hourMs) },
      { strategyId, hourMs },
    );
    return item === undefined ? undefined : this.#decisionFromItem(item, tenantId, strategyId);
  }

  protected async decisionsBetween(
    tenantId: string,
    strategyId: string,
    fromMs: number,
    toMs: number,
    max: number,
  ): Promise<PaperDecisionRecord[]> {
    return queryUpTo(
      this.#client,
      {
        TableName: this.#tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: {
          ':pk': paperPk(tenantId),
          ':lo': paperDecisionSk(strategyId, fromMs),
          ':hi': paperDecisionSk(strategyId, toMs),
        },
        ConsistentRead: true,
        ScanIndexForward: true,
      },
      max,
      undefined,
      { strategyId },
      (item) => this.#decisionFromItem(item, tenantId, strategyId),
    );
  }

  protected async activeStrategiesAfter(after: StrategyRef | undefined, max: number): Promise<StrategyRef[]> {
    const index = RUNS_TABLE_SCHEMA.byCreatedAt;
    return queryUpTo(
      this.#client,
      {
        TableName: this.#tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#g = :g',
        ExpressionAttributeNames: { '#g': index.partitionKey.name },
        ExpressionAttributeValues: { ':g': ACTIVE_PK },
      },
      max,
      after === undefined
        ? undefined
        : {
            pk: paperPk(after.tenantId),
            sk: paperStrategySk(after.strategyId),
            gsi1pk: ACTIVE_PK,
            gsi1sk: activeSk(after.tenantId, after.strategyId),
          },
      { index: index.indexName },
      (item) => {
        const r = this.#strategyFromItem(item);
        return r.status === 'ACTIVE' ? { tenantId: r.tenantId, strategyId: r.strategyId } : undefined;
      },
    );
  }

  #corrupt(rule: string, strategyId: string): DataIntegrityError {
    return new DataIntegrityError(`paper item in table ${this.#tableName} is corrupt: ${rule}`, {
      dataset: `dynamodb:${this.#tableName}`,
      rule,
      strategyId,
    });
  }

  #strategyFromItem(item: Record<string, unknown>): PaperStrategyRecord {
    const { pk, sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
    const parsed = PaperStrategyRecord.safeParse(rest);
    const id = typeof rest.strategyId === 'string' ? rest.strategyId : '?';
    if (!parsed.success)
      throw this.#corrupt(`PaperStrategyRecord schema: ${parsed.error.issues[0]?.message}`, id);
    if (pk !== paperPk(parsed.data.tenantId) || sk !== paperStrategySk(parsed.data.strategyId)) {
      throw this.#corrupt('key attributes do not match tenantId and strategyId', id);
    }
    return parsed.data;
  }

  #decisionFromItem(
    item: Record<string, unknown>,
    tenantId: string,
    strategyId: string,
  ): PaperDecisionRecord {
    let value: unknown;
    try {
      value = JSON.parse(String(item.decisionJson));
    } catch {
      throw this.#corrupt('decisionJson is not JSON', strategyId);
    }
    const parsed = PaperDecisionRecord.safeParse(value);
    if (!parsed.success)
      throw this.#corrupt(`PaperDecisionRecord schema: ${parsed.error.issues[0]?.message}`, strategyId);
    const d = parsed.data;
    if (
      d.tenantId !== tenantId ||
      d.strategyId !== strategyId ||
      item.sk !== paperDecisionSk(strategyId, d.hourMs) ||
      item.hourMs !== d.hourMs
    ) {
      throw this.#corrupt('decision item keys do not match its content', strategyId);
    }
    return d;
  }
}

/** `SET` the patch's fields (`REMOVE` the nulls), conditional on the version (and on not re-activating a stop). */
function strategyUpdate(expectedVersion: number, patch: StrategyPatch, nowMs: number): ConditionalUpdate {
  const set = ['#version = :next', '#updatedAtMs = :now'];
  const remove: string[] = [];
  const names: Record<string, string> = { '#version': 'version', '#updatedAtMs': 'updatedAtMs' };
  const values: Record<string, unknown> = {
    ':expected': expectedVersion,
    ':next': expectedVersion + 1,
    ':now': nowMs,
  };
  let condition = '#version = :expected';
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  if (patch.status === 'STOPPED') {
    remove.push('#gsi1pk', '#gsi1sk');
    names['#gsi1pk'] = 'gsi1pk';
    names['#gsi1sk'] = 'gsi1sk';
  }
  if (patch.status === 'ACTIVE') {
    condition += ' AND #status <> :stopped';
    names['#status'] = 'status';
    values[':stopped'] = 'STOPPED';
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
