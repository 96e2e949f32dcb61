/**
 * Powertools parser schemas of the API Gateway v2 events each route accepts. They are loose (keys the handler
 * chain adds, `tenantId` and `jsonBody`, survive parsing); path parameters are strict.
 */

import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { z } from 'zod';
import { ApiRunId } from '../../lib/api/backtests.ts';
import type { ApiMiddleware } from './http.ts';

export const ApiGatewayEvent = APIGatewayProxyEventV2Schema.loose();

export const RunPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z.object({ runId: ApiRunId }).strict(),
}).loose();

/** Validates the event against `schema` (ParseError → 400 `INVALID_INPUT` naming the field). */
export const parseEvent = (schema: typeof ApiGatewayEvent | typeof RunPathEvent): ApiMiddleware =>
  parser({ schema }) as unknown as ApiMiddleware;
