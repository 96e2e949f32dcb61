/** Powertools parser schemas of the paper routes' API Gateway v2 events (path parameters strict). */
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { z } from 'zod';
import { ULID_PATTERN } from '../../lib/core/ulid.ts';
import type { ApiMiddleware } from '../shared/http.ts';

export const StrategyPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z
    .object({ strategyId: z.string().regex(ULID_PATTERN, 'a strategy id is a ULID') })
    .strict(),
}).loose();

export const parseStrategyPath = (): ApiMiddleware =>
  parser({ schema: StrategyPathEvent }) as unknown as ApiMiddleware;
