/** GET /v1/openapi.json: the OpenAPI 3.1 document of this API (generated from the zod schemas) → 200. */
import { buildOpenApiDocument } from '../../lib/api/index.ts';
import { publicRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import type { ApiEvent, ApiResult } from '../shared/middleware/api-event.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetOpenApiHandler = (deps: HandlerDeps) => {
  const document = buildOpenApiDocument();
  return publicRoute(deps).handler<ApiEvent, ApiResult>(async () =>
    json(200, document, { 'cache-control': 'public, max-age=300' }),
  );
};

export const handler = createGetOpenApiHandler(lambdaDeps());
