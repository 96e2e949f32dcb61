/**
 * The dependency rules between the folders of lib/ (ARCHITECTURE.md, "Code layout and the rules between folders"),
 * as data, and a checker over an import graph. The graph is read from the sources by `readImportGraph`; the rules
 * test runs the checker on the real tree and on trees with an upward import planted, so it can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The numeric and domain modules below the orchestration layers, in dependency order. */
const DOMAIN = [
  'core',
  'data',
  'labels',
  'features',
  'models',
  'execution',
  'risk',
  'portfolio',
  'analytics',
  'backtest',
  'artifacts',
] as const;

/** For each module of lib/, the modules it may import (besides itself). Nothing may import `api`. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  data: ['core'],
  labels: ['core', 'data'],
  features: ['core', 'data', 'labels'],
  lookahead: ['core', 'data', 'features', 'labels'],
  models: ['core', 'data', 'features', 'labels'],
  execution: ['core', 'data'],
  risk: ['core'],
  portfolio: ['core', 'data', 'execution', 'risk'],
  analytics: ['core'],
  backtest: ['core', 'data', 'execution', 'risk', 'portfolio', 'analytics'],
  artifacts: ['core', 'data', 'analytics', 'backtest', 'execution', 'risk'],
  report: ['core', 'data', 'analytics', 'backtest', 'artifacts', 'models', 'risk'],
  runs: ['core', 'data'],
  pipeline: [...DOMAIN, 'report', 'runs'],
  paper: [...DOMAIN, 'runs', 'pipeline'],
  api: [...DOMAIN, 'report', 'runs', 'pipeline', 'paper'],
  // adapters implement the ports declared by the modules that use them; composition roots choose them
  adapters: [...DOMAIN, 'report', 'runs', 'pipeline', 'paper'],
};

/** Modules whose named files cdk/ and local/ may read as plain data, bypassing index.ts. */
export const PLAIN_DATA_FILES: readonly string[] = ['lib/api/routes.ts', 'lib/pipeline/step-names.ts'];

/** Packages lib/ (outside lib/adapters) must not import. */
export const FORBIDDEN_IN_LIB: readonly RegExp[] = [/^@aws-sdk\//, /^@middy\//, /^node:fs/, /^fs$/];

/** file (repo-relative, posix) → the specifiers it imports (static, dynamic and type-only). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

const IMPORT_RE = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
}

export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const folder of folders) {
    const files: string[] = [];
    walk(join(root, folder), files);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      graph.set(
        relative(root, f).split('\\').join('/'),
        [...src.matchAll(IMPORT_RE)].map((m) => m[1]!),
      );
    }
  }
  return graph;
}

const libModuleOf = (path: string): string | undefined =>
  path.startsWith('lib/') ? path.split('/')[1] : undefined;

/** Every import in `graph` that breaks a rule. */
export function checkDependencies(graph: ImportGraph): Violation[] {
  const out: Violation[] = [];
  for (const [file, specs] of graph) {
    const from = libModuleOf(file);
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        if (from !== undefined && from !== 'adapters' && FORBIDDEN_IN_LIB.some((re) => re.test(spec))) {
          out.push({
            file,
            specifier: spec,
            rule: `lib/${from} may not import ${spec} (only lib/adapters may)`,
          });
        }
        continue;
      }
      const target = normalize(join(dirname(file), spec))
        .split('\\')
        .join('/');
      const to = libModuleOf(target);
      if (to === undefined) {
        if (from !== undefined) out.push({ file, specifier: spec, rule: 'lib/ may not import outside lib/' });
        continue;
      }
      if (from === undefined) {
        // cdk/ reads only plain-data files of lib
        if (file.startsWith('cdk/') && !PLAIN_DATA_FILES.includes(target)) {
          out.push({
            file,
            specifier: spec,
            rule: 'cdk/ may read only lib/api/routes.ts and lib/pipeline/step-names.ts',
          });
        }
        continue;
      }
      if (to === from) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        out.push({ file, specifier: spec, rule: `lib/${from} has no dependency rule` });
      } else if (!allowed.includes(to)) {
        out.push({ file, specifier: spec, rule: `lib/${from} may not import lib/${to}` });
      } else if (!target.endsWith(`lib/${to}/index.ts`)) {
        out.push({ file, specifier: spec, rule: `lib/${from} imports lib/${to} through its index.ts` });
      }
    }
  }
  return out;
}
