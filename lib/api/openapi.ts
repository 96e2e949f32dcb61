/**
 * The OpenAPI 3.1 document of the HTTP API: its operations are the route table's (`routes.ts`: path, method,
 * operation id, summary, public or not), their schemas the same zod schemas the handlers validate and answer
 * with (`backtests.ts`, `paper.ts`, `views.ts`, `BacktestSpec`) via `z.toJSONSchema` (JSON Schema 2020-12, the
 * dialect OpenAPI 3.1 uses).
 * Served at `GET /v1/openapi.json`; the committed `openapi.json` at the repository root must equal
 * `openApiJson()` (a test checks it; `npx tsx local/cli/write-openapi.ts` regenerates it).
 */
import { z } from 'zod';
import { BacktestSpec } from '../backtest/index.ts';
import { CHART_IDS, ChartPayloadSchemas } from '../report/index.ts';
import { MAX_LIST_LIMIT } from '../runs/index.ts';
import { IdempotencyKeyHeader } from './backtests.ts';
import { CreatePaperBody } from './paper.ts';
import { ROUTES, type RouteId } from './routes.ts';
import {
  ApiRunId,
  ArtifactsView,
  ErrorBody,
  RunPageView,
  RunSummaryView,
  RunView,
  SubmitResponse,
} from './views.ts';

type JsonObject = Record<string, unknown>;

const ref = (id: string): JsonObject => ({ $ref: `#/components/schemas/${id}` });

/** `rolling-sharpe` → `ChartRollingSharpe`: the component name of a chart's payload schema. */
const chartComponent = (chartId: string): string =>
  `Chart${chartId.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;

const strip = (schema: unknown): JsonObject => {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
  return rest;
};

const componentSchemas = (): Record<string, JsonObject> => {
  const outputs = z.registry<{ id: string }>();
  outputs.add(RunSummaryView, { id: 'RunSummary' });
  outputs.add(RunView, { id: 'Run' });
  outputs.add(RunPageView, { id: 'RunPage' });
  outputs.add(SubmitResponse, { id: 'SubmitResponse' });
  outputs.add(ArtifactsView, { id: 'Artifacts' });
  outputs.add(ErrorBody, { id: 'Error' });
  for (const id of CHART_IDS) outputs.add(ChartPayloadSchemas[id], { id: chartComponent(id) });
  const generated = z.toJSONSchema(outputs, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas;
  const spec = z.toJSONSchema(BacktestSpec, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const paper = z.toJSONSchema(CreatePaperBody, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  const out: Record<string, JsonObject> = { BacktestSpec: strip(spec), CreatePaper: strip(paper) };
  for (const id of Object.keys(generated).sort()) out[id] = strip(generated[id]);
  return out;
};

const jsonContent = (schema: JsonObject) => ({ 'application/json': { schema } });

const errorResponse = (description: string) => ({ description, content: jsonContent(ref('Error')) });

const commonErrors = {
  '400': errorResponse(
    'Malformed request: bad id, query, header or body (code INVALID_INPUT or MALFORMED_JSON)',
  ),
  '401': errorResponse('No valid tenant claim in the token (UNAUTHORIZED)'),
  '500': errorResponse('Internal error (INTERNAL); no details are disclosed'),
  '503': errorResponse('A dependency is temporarily unavailable (UNAVAILABLE); retry'),
};

const runIdParameter = {
  name: 'runId',
  in: 'path',
  required: true,
  schema: strip(z.toJSONSchema(ApiRunId, { target: 'draft-2020-12' })),
};

const strategyIdParameter = {
  name: 'strategyId',
  in: 'path',
  required: true,
  schema: strip(z.toJSONSchema(ApiRunId, { target: 'draft-2020-12' })),
};

const notFound = errorResponse('No such run for this tenant (NOT_FOUND)');
const strategyNotFound = errorResponse('No such strategy for this tenant (NOT_FOUND)');
const notFinished = errorResponse('The run has not SUCCEEDED (RUN_NOT_FINISHED)');

/**
 * What the route table does not say about each operation: its description, parameters, request body and
 * responses, in the document's key order.
 */
const OPERATIONS: Readonly<Record<RouteId, JsonObject>> = {
  PostBacktests: {
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description:
          'Same key and same body within 24 h answer with the same run; the same key with another body is ' +
          'refused with 422 IDEMPOTENCY_PAYLOAD_MISMATCH. Keys are scoped to the tenant.',
        schema: strip(z.toJSONSchema(IdempotencyKeyHeader, { target: 'draft-2020-12' })),
      },
    ],
    requestBody: {
      required: true,
      description: 'At most 64 KiB of JSON; unknown fields and non-finite numbers are refused.',
      content: jsonContent(ref('BacktestSpec')),
    },
    responses: {
      '202': {
        description:
          'Accepted: the run is QUEUED and its workflow started (or the replay of an earlier submit)',
        content: jsonContent(ref('SubmitResponse')),
      },
      ...commonErrors,
      '409': errorResponse(
        'A request with this Idempotency-Key is still in progress (IDEMPOTENCY_IN_PROGRESS)',
      ),
      '413': errorResponse('Body larger than 64 KiB (PAYLOAD_TOO_LARGE)'),
      '415': errorResponse('Content-Type is not application/json (UNSUPPORTED_MEDIA_TYPE)'),
      '422': errorResponse('UNKNOWN_DATASET, or IDEMPOTENCY_PAYLOAD_MISMATCH'),
    },
  },
  ListBacktests: {
    parameters: [
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: 25 },
      },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string', maxLength: 2048 } },
    ],
    responses: {
      '200': { description: 'One page', content: jsonContent(ref('RunPage')) },
      ...commonErrors,
    },
  },
  GetBacktest: {
    parameters: [runIdParameter],
    responses: {
      '200': { description: 'The run', content: jsonContent(ref('Run')) },
      ...commonErrors,
      '404': notFound,
    },
  },
  CancelBacktest: {
    parameters: [runIdParameter],
    responses: {
      '200': { description: 'The cancelled run', content: jsonContent(ref('Run')) },
      ...commonErrors,
      '404': notFound,
      '409': errorResponse('The run already SUCCEEDED or FAILED (RUN_ALREADY_FINISHED)'),
    },
  },
  GetArtifacts: {
    parameters: [runIdParameter],
    responses: {
      '200': { description: 'Manifest and URLs', content: jsonContent(ref('Artifacts')) },
      ...commonErrors,
      '404': notFound,
      '409': notFinished,
    },
  },
  GetChart: {
    description:
      'Every payload has chartId, title, description and status: "ok" with its data, or "unavailable" with ' +
      'the reason (e.g. no signal diagnostics for a run without a model). Values are finite numbers rounded ' +
      'to 6 significant digits, or null; time axes are epoch ms UTC of session closes.',
    parameters: [
      runIdParameter,
      { name: 'chartId', in: 'path', required: true, schema: { type: 'string', enum: [...CHART_IDS] } },
    ],
    responses: {
      '200': {
        description: 'The payload of that chart',
        content: jsonContent({ oneOf: CHART_IDS.map((id) => ref(chartComponent(id))) }),
      },
      ...commonErrors,
      '404': notFound,
      '409': notFinished,
    },
  },
  PostPaper: {
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: strip(z.toJSONSchema(IdempotencyKeyHeader, { target: 'draft-2020-12' })),
      },
    ],
    requestBody: { required: true, content: jsonContent(ref('CreatePaper')) },
    responses: {
      '201': { description: 'The strategy and its portfolio', content: { 'application/json': {} } },
      ...commonErrors,
      '404': errorResponse('No such source run for this tenant (NOT_FOUND)'),
      '409': errorResponse('The source run has not SUCCEEDED, or the key is in use'),
      '422': errorResponse('Same Idempotency-Key with a different body (IDEMPOTENCY_PAYLOAD_MISMATCH)'),
    },
  },
  GetPaper: {
    parameters: [strategyIdParameter],
    responses: {
      '200': { description: 'The portfolio', content: { 'application/json': {} } },
      ...commonErrors,
      '404': strategyNotFound,
    },
  },
  GetPaperDecisions: {
    parameters: [
      strategyIdParameter,
      {
        name: 'from',
        in: 'query',
        schema: { type: 'string' },
        description: 'New York date or ISO date-time',
      },
      { name: 'to', in: 'query', schema: { type: 'string' }, description: 'New York date or ISO date-time' },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      { name: 'cursor', in: 'query', schema: { type: 'string' } },
    ],
    responses: {
      '200': { description: 'A page of decisions', content: { 'application/json': {} } },
      ...commonErrors,
      '404': strategyNotFound,
    },
  },
  StopPaper: {
    parameters: [strategyIdParameter],
    responses: {
      '200': { description: 'The stopped strategy', content: { 'application/json': {} } },
      ...commonErrors,
      '404': strategyNotFound,
    },
  },
  GetOpenApi: {
    responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
  },
};

/** The `paths` object: the routes in table order, grouped by path; a public route has no security. */
const paths = (): Record<string, Record<string, JsonObject>> => {
  const out: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTES) {
    const { description, ...rest } = OPERATIONS[route.id];
    out[route.path] ??= {};
    out[route.path]![route.method.toLowerCase()] = {
      ...route.operation,
      ...(description !== undefined && { description }),
      ...(route.public === true && { security: [] }),
      ...rest,
    };
  }
  return out;
};

/** The document as a plain object (keys in a fixed order: the JSON is stable). */
export const buildOpenApiDocument = (): JsonObject => ({
  openapi: '3.1.0',
  info: {
    title: 'hts backtest API',
    version: '1.0.0',
    description:
      'Submit and follow backtests of an hourly long-only S&P 500 strategy. Every run belongs to the tenant of ' +
      'the caller (JWT claim custom:tenant); another tenant’s run answers 404 like a missing one.',
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  security: [{ jwt: [] }],
  paths: paths(),
  components: {
    securitySchemes: {
      jwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Claim custom:tenant required',
      },
    },
    schemas: componentSchemas(),
  },
});

/** The committed form: 2-space JSON with a trailing newline. */
export const openApiJson = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
