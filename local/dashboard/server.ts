/**
 * The local dashboard's server side: one HTML shell for every page (`/`, `/runs/{runId}`, `/compare`), the
 * static ES modules and stylesheet of this folder under `/dashboard/`, and the example specs
 * (`/dashboard/examples.json`). Everything else the pages show comes from the API itself, called by the page
 * with `Authorization: Bearer local:<tenant>`; the tenant is the one the server gives the page (the request's
 * own, i.e. the server's default tenant for a browser).
 *
 * No framework, no build step: the browser code is plain ES modules (`*.js`), served as they are. Every page is
 * sent with a strict Content-Security-Policy (`default-src 'none'`, scripts, styles and fetches from this
 * origin only, no inline script or style), so the dashboard cannot load or send anything elsewhere; links to
 * the presigned artifact URLs are navigations, which the policy does not restrict.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBacktestSpec } from '../../lib/backtest/spec.ts';
import { PROJECT_ROOT } from '../paths.ts';

const DASHBOARD_DIR = fileURLToPath(new URL('.', import.meta.url));
const STATIC_NAME = /^[a-z][a-z0-9-]*\.(js|css)$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
/** Run ids in page paths: one path segment of the run-id alphabet (the API validates the id itself). */
const RUN_PAGE = /^\/runs\/([A-Za-z0-9][A-Za-z0-9_-]{0,79})$/;

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
} as const;

/** The files `/dashboard/` serves: this folder's `*.js` and `*.css`, read once. */
const STATIC_FILES: ReadonlyMap<string, Buffer> = new Map(
  readdirSync(DASHBOARD_DIR)
    .filter((name) => STATIC_NAME.test(name))
    .map((name) => [name, readFileSync(join(DASHBOARD_DIR, name))]),
);
const SHELL = readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8');

const escapeAttribute = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page shell with the tenant the page acts as. */
export function dashboardShell(tenant: string): string {
  return SHELL.replace('__TENANT__', escapeAttribute(tenant));
}

/** The fields of an example spec the submit form lets one edit, as the spec schema resolves them. */
export interface ExampleFields {
  readonly dataset: string;
  readonly start: string;
  readonly end: string;
  readonly route: string;
  readonly slippageBps: number;
  readonly halfSpreadBps: number;
  readonly conservative: number;
  readonly riskOff: number;
}

export interface DashboardExample {
  /** The file name without `.json`. */
  readonly name: string;
  /** The spec as written in the file (what the form edits and submits). */
  readonly spec: unknown;
  /** The editable fields with the schema's defaults applied (defaults live in the schema, once). */
  readonly fields: ExampleFields;
}

/** Every valid `*.json` spec of `dir`, by name; a file that is not a valid spec is left out. */
export function loadExamples(dir = join(PROJECT_ROOT, 'examples')): DashboardExample[] {
  const out: DashboardExample[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch {
    return out;
  }
  for (const file of names) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const spec = parseBacktestSpec(raw);
      out.push({
        name: file.slice(0, -'.json'.length),
        spec: raw,
        fields: {
          dataset: 'name' in spec.dataset ? spec.dataset.name : spec.dataset.id,
          start: spec.period.start,
          end: spec.period.end,
          route: spec.model.route,
          slippageBps: spec.execution.slippageBps,
          halfSpreadBps: spec.execution.halfSpreadBps,
          conservative: spec.risk.thresholds.conservative,
          riskOff: spec.risk.thresholds.riskOff,
        },
      });
    } catch {
      // not a spec this code version accepts: the form does not offer it
    }
  }
  return out;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': bytes.length,
  });
  res.end(bytes);
}

export interface DashboardServerOptions {
  /** Where the example specs are. @default `{project}/examples` */
  readonly examplesDir?: string;
}

/**
 * Answers a dashboard request (a page, a static file, the examples); false when the request is not one, so the
 * caller goes on with the API routes.
 */
export function serveDashboard(
  method: string,
  url: URL,
  tenant: string,
  res: ServerResponse,
  options: DashboardServerOptions = {},
): boolean {
  if (method !== 'GET') return false;
  const path = url.pathname;
  if (path === '/' || path === '/compare' || RUN_PAGE.test(path)) {
    send(res, 200, 'text/html; charset=utf-8', dashboardShell(tenant));
    return true;
  }
  if (path === '/dashboard/examples.json') {
    const examples = loadExamples(options.examplesDir);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ examples }));
    return true;
  }
  if (path.startsWith('/dashboard/')) {
    const name = path.slice('/dashboard/'.length);
    const file = STATIC_NAME.test(name) ? STATIC_FILES.get(name) : undefined;
    if (file === undefined) {
      send(
        res,
        404,
        'application/json; charset=utf-8',
        JSON.stringify({ code: 'NOT_FOUND', message: 'no such dashboard file' }),
      );
      return true;
    }
    send(res, 200, CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)]!, file);
    return true;
  }
  return false;
}
