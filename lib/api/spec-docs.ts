/**
 * `docs/spec.md`: the reference of the run spec (`BacktestSpec`) and of the paper-trading body (`CreatePaper`),
 * rendered from the same JSON Schemas the OpenAPI document holds (`z.toJSONSchema` of the zod schemas, whose
 * `.describe()` / `.meta({ description, unit })` are the one source of the documentation). One table row per
 * property, nested properties by dotted path: type, unit, default, bounds and description.
 *
 * `npx tsx local/cli/write-docs.ts` writes the file; `test/api/spec-docs.test.ts` keeps the committed file equal to
 * `specMarkdown()` and walks the zod schema to check every property has a description (numbers: a unit) and a row.
 */
import { z } from 'zod';
import { BacktestSpec, SPEC_VERSION } from '../backtest/index.ts';
import { CreatePaperBody } from './paper.ts';

type Json = Record<string, unknown>;

export interface SpecDocRow {
  readonly path: string;
  readonly type: string;
  readonly unit: string;
  readonly default: string;
  readonly bounds: string;
  readonly description: string;
}

const SAFE = Number.MAX_SAFE_INTEGER;

const code = (s: string): string => `\`${s}\``;
const json = (v: unknown): string => code(JSON.stringify(v));
/** A table cell: no line breaks, `|` escaped. */
const cell = (s: string): string => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

const isObjectSchema = (s: Json): boolean => s.type === 'object';
const variants = (s: Json): Json[] | undefined => (s.oneOf ?? s.anyOf) as Json[] | undefined;

/** The type of a schema in a few words: `number`, `integer`, `"sqrt"`, `"A" | "B"`, `date (YYYY-MM-DD)`, … */
function typeOf(s: Json): string {
  if (s.const !== undefined) return json(s.const);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => json(v)).join(' | ');
  const vs = variants(s);
  if (vs !== undefined) {
    if (vs.every(isObjectSchema)) {
      const tags = vs.map((v) => {
        const props = (v.properties ?? {}) as Record<string, Json>;
        const tag = props.kind?.const;
        return tag !== undefined ? `{kind: ${JSON.stringify(tag)}, …}` : `{${Object.keys(props).join(', ')}}`;
      });
      return `one of ${tags.map(code).join(', ')}`;
    }
    return vs.map(typeOf).join(' or ');
  }
  if (s.type === 'array') return `array of ${typeOf((s.items ?? {}) as Json)}`;
  if (s.type === 'string') {
    if (s.format === 'date') return 'date (YYYY-MM-DD)';
    return 'string';
  }
  if (s.type === 'object') {
    return s.properties === undefined && s.additionalProperties !== false ? 'object (free-form)' : 'object';
  }
  if (typeof s.type === 'string') return s.type;
  return 'any JSON value';
}

/** The bounds of a schema: `0 ≤ x ≤ 1`, `> 0`, `integer ≥ 1`, `length ≥ 1`, `pattern …`, or `—`. */
function boundsOf(s: Json): string {
  const lo =
    typeof s.exclusiveMinimum === 'number'
      ? `${s.exclusiveMinimum} <`
      : typeof s.minimum === 'number' && s.minimum > -SAFE
        ? `${s.minimum} ≤`
        : '';
  const hi =
    typeof s.exclusiveMaximum === 'number'
      ? `< ${s.exclusiveMaximum}`
      : typeof s.maximum === 'number' && s.maximum < SAFE
        ? `≤ ${s.maximum}`
        : '';
  const parts: string[] = [];
  if (lo !== '' || hi !== '') {
    parts.push([lo, 'x', hi].filter((p) => p !== '').join(' '));
    if (hi === '') parts.push('no upper bound');
  }
  if (typeof s.minLength === 'number') parts.push(`length ≥ ${s.minLength}`);
  if (typeof s.minItems === 'number') parts.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (typeof s.maxLength === 'number') parts.push(`length ≤ ${s.maxLength}`);
  if (typeof s.pattern === 'string' && s.format !== 'date') parts.push(`pattern ${code(s.pattern)}`);
  const vs = variants(s);
  if (vs !== undefined && !vs.every(isObjectSchema)) {
    const inner = vs.map(boundsOf).filter((b) => b !== '—');
    if (inner.length > 0) parts.push(inner.join('; '));
  }
  if (s.type === 'array' && s.items !== undefined) {
    const inner = boundsOf(s.items as Json);
    if (inner !== '—') parts.push(`each item: ${inner}`);
  }
  return parts.length === 0 ? '—' : parts.join(', ');
}

function defaultOf(s: Json, required: boolean): string {
  if (s.default !== undefined) {
    const d = s.default;
    if (typeof d === 'object' && d !== null && Object.keys(d).length === 0 && s.properties !== undefined) {
      return 'each field’s default';
    }
    return json(d);
  }
  return required ? '**required**' : 'absent';
}

/** Rows for `schema` at `path` and, depth first, for every property under it. */
function rowsOf(schema: Json, path: string, required: boolean, context: string, out: SpecDocRow[]): void {
  const description = typeof schema.description === 'string' ? schema.description : '';
  out.push({
    path,
    type: typeOf(schema),
    unit: typeof schema.unit === 'string' ? schema.unit : '—',
    default: defaultOf(schema, required),
    bounds: boundsOf(schema),
    description: context === '' ? description : `(${context}) ${description}`,
  });
  const vs = variants(schema);
  if (vs?.every(isObjectSchema)) {
    for (const v of vs) {
      const props = (v.properties ?? {}) as Record<string, Json>;
      const tag = props.kind?.const;
      const which =
        tag !== undefined
          ? `kind ${JSON.stringify(tag)}`
          : `the ${code(`{${Object.keys(props).join(', ')}}`)} form`;
      propertyRows(v, path, which, out);
    }
    return;
  }
  if (isObjectSchema(schema)) propertyRows(schema, path, '', out);
}

function propertyRows(schema: Json, path: string, context: string, out: SpecDocRow[]): void {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const [key, child] of Object.entries(props)) {
    rowsOf(child, path === '' ? key : `${path}.${key}`, required.has(key), context, out);
  }
}

function table(rows: readonly SpecDocRow[]): string {
  const head = '| field | type | unit | default | bounds | description |\n|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${code(r.path)} | ${cell(r.type)} | ${cell(r.unit)} | ${cell(r.default)} | ${cell(r.bounds)} | ${cell(r.description)} |`,
      )
      .join('\n')
  );
}

const inputSchema = (schema: z.ZodType): Json =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;

/** The rows of a schema's properties (its own description goes in the section's text). */
export function specDocRows(schema: z.ZodType): SpecDocRow[] {
  const out: SpecDocRow[] = [];
  propertyRows(inputSchema(schema), '', '', out);
  return out;
}

/** The whole of `docs/spec.md`. */
export function specMarkdown(): string {
  const spec = inputSchema(BacktestSpec);
  const paper = inputSchema(CreatePaperBody);
  return [
    '# Run spec reference',
    '',
    '<!-- Generated by `npx tsx local/cli/write-docs.ts` from the zod schemas (lib/backtest/spec.ts,',
    '     lib/execution/cost-model.ts, lib/risk/drawdown-governor.ts, lib/api/paper.ts). Do not edit by hand:',
    '     change the schema’s `.describe()` / `.meta()` and regenerate; a test keeps this file equal to the generator. -->',
    '',
    `## \`BacktestSpec\` (spec version ${SPEC_VERSION})`,
    '',
    String(spec.description ?? ''),
    '',
    'The body of `POST /v1/backtests` and the file of `hts backtest --spec FILE`; ' +
      'the same schema is `components.schemas.BacktestSpec` in `openapi.json`. Fields are nested objects written with',
    'dotted paths (`portfolio.targetVol.low` is `{"portfolio": {"targetVol": {"low": …}}}`); a field that is absent',
    'takes its default, and defaults are filled before the spec is hashed (`{}` and the explicit defaults hash alike).',
    'Bounds are inclusive unless written with `<`; errors name the offending path (`spec.portfolio.maxWeight: …`).',
    'Feature names: [docs/features.md](features.md) or `hts features list`.',
    '',
    'Units: *bars* are hourly bars of the NYSE grid (7 a full session); *fraction of NAV* is a weight (0.1 = 10%);',
    '*bps* are basis points (1 bp = 0.01%) of a fill’s notional; *currency units* are the dataset’s prices’ currency.',
    '',
    table(specDocRows(BacktestSpec)),
    '',
    '## `CreatePaper` (body of `POST /v1/paper`)',
    '',
    String(paper.description ?? ''),
    '',
    table(specDocRows(CreatePaperBody)),
    '',
  ].join('\n');
}
