/**
 * The item operations the DynamoDB stores (`DynamoRunStore`, `DynamoPaperStore`) share: their options check, a
 * create-if-absent put, a conditional update returning the new item, and a query that follows DynamoDB's pages
 * up to a number of items. SDK errors are translated at this boundary (`context` names the record).
 */
import type {
  DynamoDBDocumentClient,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, InvalidInputError } from '../core/index.ts';
import { isConditionalCheckFailed, translateDynamoError } from './dynamo-client.ts';

type Context = Readonly<Record<string, unknown>>;
type Item = Record<string, unknown>;

export interface DynamoStoreOptions {
  /** A document client, e.g. from `makeDynamoDocumentClient`. */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const KNOWN_OPTIONS = ['client', 'tableName'] as const;

/** `InvalidInputError` for an unknown option or an empty table name of the store named `store`. */
export function checkDynamoStoreOptions(store: string, options: DynamoStoreOptions): void {
  for (const name of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(name)) {
      throw new InvalidInputError(
        `unknown ${store} option ${JSON.stringify(name)}; expected one of ${KNOWN_OPTIONS.join(', ')}`,
        { field: name },
      );
    }
  }
  if (typeof options.tableName !== 'string' || options.tableName === '') {
    throw new InvalidInputError(`${store} tableName must be a non-empty string, received an empty value`, {
      field: 'tableName',
    });
  }
}

/** PutItem with `attribute_not_exists(pk)`: false when an item with that key exists. */
export async function putItemIfAbsent(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Item,
  context: Context,
): Promise<boolean> {
  try {
    await client.send(
      new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (e) {
    if (isConditionalCheckFailed(e)) return false;
    throw translateDynamoError(e, 'PutItem', context);
  }
}

/** The parts of a conditional UpdateItem a store builds. */
export type ConditionalUpdate = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** One conditional UpdateItem: the new item (`ALL_NEW`), or `undefined` when the condition failed. */
export async function updateItemIf(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: { readonly pk: string; readonly sk: string },
  update: ConditionalUpdate,
  context: Context,
): Promise<Item | undefined> {
  let attributes: Item | undefined;
  try {
    const out = await client.send(
      new UpdateCommand({ TableName: tableName, Key: key, ...update, ReturnValues: 'ALL_NEW' }),
    );
    attributes = out.Attributes;
  } catch (e) {
    if (isConditionalCheckFailed(e)) return undefined;
    throw translateDynamoError(e, 'UpdateItem', context);
  }
  if (attributes === undefined) {
    throw new AppError('INTERNAL', 'DynamoDB UpdateItem with ReturnValues ALL_NEW returned no attributes', {
      operation: 'UpdateItem',
      ...context,
    });
  }
  return attributes;
}

/**
 * Up to `max` items of a query (each mapped by `keep`, `undefined` = skipped), following `LastEvaluatedKey`
 * (DynamoDB stops a page at 1 MB) from `startKey`, asking each time only for the items still wanted.
 */
export async function queryUpTo<T>(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  max: number,
  startKey: Item | undefined,
  context: Context,
  keep: (item: Item) => T | undefined,
): Promise<T[]> {
  const found: T[] = [];
  let next = startKey;
  do {
    let out: QueryCommandOutput;
    try {
      out = await client.send(
        new QueryCommand({
          ...input,
          Limit: max - found.length,
          ...(next !== undefined && { ExclusiveStartKey: next }),
        }),
      );
    } catch (e) {
      throw translateDynamoError(e, 'Query', context);
    }
    for (const item of out.Items ?? []) {
      const kept = keep(item);
      if (kept !== undefined) found.push(kept);
    }
    next = out.LastEvaluatedKey;
  } while (next !== undefined && found.length < max);
  return found;
}
