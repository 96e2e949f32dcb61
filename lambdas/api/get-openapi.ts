/** GET /v1/openapi.json: the OpenAPI 3.1 document of this API (generated from the zod schemas) → 200. */
import middy from '@middy/core';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createGetOpenApiHandler = (deps: HandlerDeps) => {
  const document = buildOpenApiDocument();
  return middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps, { tenant: false }))
    .handler(async () => json(200, document, { 'cache-control': 'public, max-age=300' }));
};

export const handler = createGetOpenApiHandler(lambdaDeps());
