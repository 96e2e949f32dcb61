/**
 * The hts API as the dashboard calls it: same-origin requests with the local token of the tenant the server
 * gave the page (`<meta name="hts-tenant">`), JSON in and out, errors as `ApiError` with the API's body
 * (`{ code, message, details: { field, issues } }`).
 */

export const tenant = document.querySelector('meta[name="hts-tenant"]')?.getAttribute('content') ?? '';

export class ApiError extends Error {
  constructor(status, body) {
    super(`${body.message ?? 'request failed'} (HTTP ${status}${body.code ? ` ${body.code}` : ''})`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** Calls the API; resolves to the parsed JSON body, rejects with `ApiError` for a non-2xx answer. */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(path, {
    method,
    cache: 'no-store',
    headers: {
      accept: 'application/json',
      authorization: `Bearer local:${tenant}`,
      // the server refuses a state-changing request without a JSON content type (CSRF), body or not
      ...(body === undefined && method.toUpperCase() === 'GET' ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok)
    throw new ApiError(res.status, json ?? { code: `HTTP_${res.status}`, message: res.statusText });
  return json;
}

/** A fresh Idempotency-Key (a UUID; 127.0.0.1 is a secure context, so `randomUUID` exists). */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const isActive = (status) => status === 'QUEUED' || status === 'RUNNING';

/** The workflow's stages in order (the run view's `progress` keys), with their labels. */
export const STAGES = [
  ['prepare', 'Prepare'],
  ['buildFeatures', 'Build features'],
  ['trainScore', 'Train and score'],
  ['optimize', 'Optimize'],
  ['simulate', 'Simulate'],
  ['finalize', 'Finalize'],
];

/** Overall progress of a run in [0, 1] (each stage weighs the same) and the stage it is at. */
export function progressOf(run) {
  if (run.status === 'SUCCEEDED') return { fraction: 1, stage: 'done', label: 'done' };
  let sum = 0;
  let current;
  for (const [key, label] of STAGES) {
    const p = run.progress?.[key] ?? { done: 0, total: 0 };
    const finished = p.total > 0 && p.done >= p.total;
    if (p.total > 0) sum += Math.min(1, p.done / p.total);
    if (!finished && current === undefined) current = { key, label, done: p.done, total: p.total };
  }
  const fraction = sum / STAGES.length;
  if (run.status === 'QUEUED') return { fraction, stage: 'queued', label: 'queued' };
  if (current === undefined) return { fraction, stage: 'finalize', label: 'finishing' };
  const count = current.total > 0 ? ` ${current.done}/${current.total}` : '';
  return { fraction, stage: current.key, label: `${current.label}${count}` };
}
