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
 * Writes are single conditional item writes: create strategy `attribute_not_exists(pk)`; update
 * `version = :expected` (plus `status <> STOPPED` when re-activating, which is refused); create decision
 * `attribute_not_exists(pk)` — on a failed condition the stored decision is read back (consistent read) and
 * returned with `created: false`. Decisions are listed with a key-range query, oldest first.
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AppError, DataIntegrityError, InvalidInputError } from '../core/errors.ts';
import {
  type ActiveStrategyPage,
  assertHourMs,
  assertStrategyKey,
  type DecisionPage,
  decisionPageLimit,
  decodeActiveCursor,
  decodeDecisionCursor,
  duplicateStrategy,
  encodeActiveCursor,
  encodeDecisionCursor,
  type ListDecisionsOptions,
  PaperDecisionRecord,
  type PaperStore,
  PaperStrategyRecord,
  parseNewStrategy,
  parseOrInvalid,
  type StrategyPatch,
  strategyNotFound,
  validatePatch,
  versionConflict,
} from '../paper/paper-store.ts';
import { getItemConsistent, isConditionalCheckFailed, translateDynamoError } from './dynamo-client.ts';
import { RUNS_TABLE_SCHEMA } from './dynamo-run-store.ts';

const HOUR_DIGITS = 15;
const ACTIVE_PK = 'PAPER#ACTIVE';
const activeSk = (tenantId: string, strategyId: string): string => `${tenantId}#${strategyId}`;

export const paperPk = (tenantId: string): string => `TENANT#${tenantId}`;
export const paperStrategySk = (strategyId: string): string => `PAPER#${strategyId}`;
export const paperDecisionSk = (strategyId: string, hourMs: number): string =>
  `PAPER#${strategyId}#H#${String(hourMs).padStart(HOUR_DIGITS, '0')}`;

export interface DynamoPaperStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** The runs table (`RUNS_TABLE_SCHEMA`). */
  readonly tableName: string;
}

const KNOWN_OPTIONS = new Set(['client', 'tableName']);

export class DynamoPaperStore implements PaperStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoPaperStoreOptions) {
    for (const name of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(name)) {
        throw new InvalidInputError(`unknown DynamoPaperStore option ${JSON.stringify(name)}`, {
          field: name,
        });
      }
    }
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new InvalidInputError('DynamoPaperStore tableName must be a non-empty string', {
        field: 'tableName',
      });
    }
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async createStrategy(record: PaperStrategyRecord): Promise<void> {
    const parsed = parseNewStrategy(record);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: paperPk(parsed.tenantId),
            sk: paperStrategySk(parsed.strategyId),
            gsi1pk: ACTIVE_PK,
            gsi1sk: activeSk(parsed.tenantId, parsed.strategyId),
            ...parsed,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) throw duplicateStrategy(parsed.strategyId);
      throw translateDynamoError(e, 'PutItem', { strategyId: parsed.strategyId });
    }
  }

  async getStrategy(tenantId: string, strategyId: string): Promise<PaperStrategyRecord> {
    assertStrategyKey(tenantId, strategyId);
    const found = await this.#readStrategy(tenantId, strategyId);
    if (found === undefined) throw strategyNotFound(strategyId);
    return found;
  }

  async updateStrategy(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord> {
    assertStrategyKey(tenantId, strategyId);
    validatePatch(expectedVersion, patch, nowMs);
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
    let attributes: Record<string, unknown> | undefined;
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: paperPk(tenantId), sk: paperStrategySk(strategyId) },
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = out.Attributes;
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw translateDynamoError(e, 'UpdateItem', { strategyId });
      const actual = await this.#readStrategy(tenantId, strategyId);
      if (actual === undefined) throw strategyNotFound(strategyId);
      throw versionConflict(actual, expectedVersion);
    }
    if (attributes === undefined) {
      throw new AppError('INTERNAL', 'DynamoDB UpdateItem with ReturnValues ALL_NEW returned no attributes', {
        strategyId,
      });
    }
    return this.#strategyFromItem(attributes);
  }

  async putDecision(
    decision: PaperDecisionRecord,
  ): Promise<{ created: boolean; decision: PaperDecisionRecord }> {
    const parsed = parseOrInvalid(PaperDecisionRecord, decision, 'paper decision');
    const key = { pk: paperPk(parsed.tenantId), sk: paperDecisionSk(parsed.strategyId, parsed.hourMs) };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...key, hourMs: parsed.hourMs, decisionJson: JSON.stringify(parsed) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, decision: parsed };
    } catch (e) {
      if (!isConditionalCheckFailed(e)) {
        throw translateDynamoError(e, 'PutItem', { strategyId: parsed.strategyId, hourMs: parsed.hourMs });
      }
    }
    const existing = await this.getDecision(parsed.tenantId, parsed.strategyId, parsed.hourMs);
    if (existing === undefined) {
      throw new AppError(
        'INTERNAL',
        'a decision item failed its not-exists condition but cannot be read back',
        {
          strategyId: parsed.strategyId,
          hourMs: parsed.hourMs,
        },
      );
    }
    return { created: false, decision: existing };
  }

  async getDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined> {
    assertStrategyKey(tenantId, strategyId);
    assertHourMs(hourMs);
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: paperPk(tenantId), sk: paperDecisionSk(strategyId, hourMs) },
      { strategyId, hourMs },
    );
    return item === undefined ? undefined : this.#decisionFromItem(item, tenantId, strategyId);
  }

  async listDecisions(
    tenantId: string,
    strategyId: string,
    options: ListDecisionsOptions,
  ): Promise<DecisionPage> {
    assertStrategyKey(tenantId, strategyId);
    const limit = decisionPageLimit(options);
    const after = options.cursor === undefined ? undefined : decodeDecisionCursor(strategyId, options.cursor);
    const fromMs = after === undefined ? options.fromMs : Math.max(options.fromMs, after + 1);
    const found: PaperDecisionRecord[] = [];
    if (fromMs > options.toMs) return { items: [] };
    let startKey: Record<string, unknown> | undefined;
    do {
      let out: QueryCommandOutput;
      try {
        out = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: {
              ':pk': paperPk(tenantId),
              ':lo': paperDecisionSk(strategyId, fromMs),
              ':hi': paperDecisionSk(strategyId, options.toMs),
            },
            ConsistentRead: true,
            ScanIndexForward: true,
            Limit: limit + 1 - found.length,
            ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (e) {
        throw translateDynamoError(e, 'Query', { strategyId });
      }
      for (const item of out.Items ?? []) found.push(this.#decisionFromItem(item, tenantId, strategyId));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && found.length <= limit);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeDecisionCursor(strategyId, last.hourMs) }
      : { items };
  }

  async listActiveStrategies(options: { limit?: number; cursor?: string } = {}): Promise<ActiveStrategyPage> {
    const limit = options.limit ?? 100;
    const after = options.cursor === undefined ? undefined : decodeActiveCursor(options.cursor);
    const found: { tenantId: string; strategyId: string }[] = [];
    let startKey: Record<string, unknown> | undefined =
      after === undefined
        ? undefined
        : {
            pk: paperPk(after.tenantId),
            sk: paperStrategySk(after.strategyId),
            gsi1pk: ACTIVE_PK,
            gsi1sk: activeSk(after.tenantId, after.strategyId),
          };
    do {
      let out: QueryCommandOutput;
      try {
        out = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: RUNS_TABLE_SCHEMA.byCreatedAt.indexName,
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': RUNS_TABLE_SCHEMA.byCreatedAt.partitionKey.name },
            ExpressionAttributeValues: { ':g': ACTIVE_PK },
            Limit: limit + 1 - found.length,
            ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (e) {
        throw translateDynamoError(e, 'Query', { index: RUNS_TABLE_SCHEMA.byCreatedAt.indexName });
      }
      for (const item of out.Items ?? []) {
        const r = this.#strategyFromItem(item);
        if (r.status === 'ACTIVE') found.push({ tenantId: r.tenantId, strategyId: r.strategyId });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && found.length <= limit);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeActiveCursor(last.tenantId, last.strategyId) }
      : { items };
  }

  async #readStrategy(tenantId: string, strategyId: string): Promise<PaperStrategyRecord | undefined> {
    const item = await getItemConsistent(
      this.#client,
      this.#tableName,
      { pk: paperPk(tenantId), sk: paperStrategySk(strategyId) },
      { strategyId },
    );
    return item === undefined ? undefined : this.#strategyFromItem(item);
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
