/** The API routes' Lambda types: the API Gateway v2 event (HTTP API, JWT authorizer) and the answer. */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;
/** A route's deployed handler: what Lambda (or the local stack) calls. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** The part of an event the headers are read from. */
export interface HeadersEvent {
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/** A header by case-insensitive name (API Gateway v2 lower-cases them; local callers may not). */
export const headerOf = (event: HeadersEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
};
