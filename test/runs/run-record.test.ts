import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError } from '../../lib/core/errors.ts';
import {
  ALLOWED_TRANSITIONS,
  applyCancelRequest,
  applyMetricsSummary,
  applyProgress,
  applyTransition,
  assertLegalTransition,
  canTransition,
  compareRunsNewestFirst,
  isTerminalStatus,
  newRunRecord,
  RUN_STAGES,
  RUN_STATUSES,
  RunRecord,
  type RunStatus,
  type TransitionRequest,
  validateTransitionRequest,
} from '../../lib/runs/run-record.ts';

const queued = (nowMs = 1_000): RunRecord =>
  newRunRecord({ tenantId: 'acme', runId: 'run-1', specHash: 'h', datasetId: 'd', codeVersion: 'c', nowMs });

const request = (
  from: RunStatus,
  to: RunStatus,
  expectedVersion: number,
  nowMs: number,
): TransitionRequest => ({
  from,
  to,
  expectedVersion,
  nowMs,
  ...(to === 'FAILED' && { patch: { error: { code: 'UPSTREAM', message: 'S3 503 after retries' } } }),
});

/** The edges the issue allows, written out independently of ALLOWED_TRANSITIONS. */
const EXPECTED_EDGES = new Set([
  'QUEUED>RUNNING',
  'QUEUED>CANCELLED',
  'QUEUED>FAILED',
  'RUNNING>SUCCEEDED',
  'RUNNING>FAILED',
  'RUNNING>CANCELLED',
]);
const ALL_PAIRS = RUN_STATUSES.flatMap((from) => RUN_STATUSES.map((to) => [from, to] as const));

describe('workflow/run-store: transition table', () => {
  it.each(ALL_PAIRS)('%s → %s is legal exactly when the issue allows it', (from, to) => {
    const legal = EXPECTED_EDGES.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(legal);
    if (legal) expect(() => assertLegalTransition(from, to)).not.toThrow();
    else expect(() => assertLegalTransition(from, to)).toThrow(InvalidInputError);
  });

  it('has no edge out of a terminal state and no self-loop', () => {
    for (const s of RUN_STATUSES) {
      expect(ALLOWED_TRANSITIONS[s].includes(s)).toBe(false);
      expect(isTerminalStatus(s)).toBe(ALLOWED_TRANSITIONS[s].length === 0);
    }
    expect(RUN_STATUSES.filter(isTerminalStatus)).toEqual(['SUCCEEDED', 'FAILED', 'CANCELLED']);
  });

  it('names the allowed targets, or terminality, in the error', () => {
    expect(() => assertLegalTransition('QUEUED', 'SUCCEEDED')).toThrow(
      'illegal run transition QUEUED → SUCCEEDED: from QUEUED expected one of RUNNING, CANCELLED, FAILED',
    );
    expect(() => assertLegalTransition('CANCELLED', 'RUNNING')).toThrow(
      'CANCELLED is terminal and immutable',
    );
  });
});

describe('workflow/run-store: applyTransition', () => {
  it.each([...EXPECTED_EDGES].map((e) => e.split('>') as [RunStatus, RunStatus]))(
    'applies %s → %s: status, version + 1, timings, updatedAtMs',
    (from, to) => {
      const start =
        from === 'QUEUED' ? queued() : applyTransition(queued(), request('QUEUED', 'RUNNING', 1, 2_000));

      const next = applyTransition(start, request(from, to, start.version, 3_000));

      expect(next.status).toBe(to);
      expect(next.version).toBe(start.version + 1);
      expect(next.updatedAtMs).toBe(3_000);
      expect(next.createdAtMs).toBe(1_000);
      expect(next.timings.startedAtMs).toBe(
        to === 'RUNNING' ? 3_000 : from === 'RUNNING' ? 2_000 : undefined,
      );
      expect(next.timings.finishedAtMs).toBe(isTerminalStatus(to) ? 3_000 : undefined);
      expect(next.error !== undefined).toBe(to === 'FAILED');
      expect(RunRecord.safeParse(next).success).toBe(true);
      expect(start.status).toBe(from); // not mutated
    },
  );

  it('answers ConflictError with expected and actual status and version', () => {
    const running = applyTransition(queued(), request('QUEUED', 'RUNNING', 1, 2_000));
    let error: unknown;
    try {
      applyTransition(running, request('QUEUED', 'CANCELLED', 1, 3_000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toEqual({
      runId: 'run-1',
      expectedStatus: 'QUEUED',
      expectedVersion: 1,
      actualStatus: 'RUNNING',
      actualVersion: 2,
    });
  });

  it('rejects bad requests with InvalidInputError', () => {
    const q = queued();
    expect(() => applyTransition(q, { from: 'QUEUED', to: 'RUNNING', expectedVersion: 0, nowMs: 5 })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      applyTransition(q, { from: 'QUEUED', to: 'RUNNING', expectedVersion: 1, nowMs: -1 }),
    ).toThrow(InvalidInputError);
    expect(() =>
      validateTransitionRequest({
        from: 'QUEUED',
        to: 'RUNNING',
        expectedVersion: 1,
        nowMs: 5,
        patch: { x: 1 } as never,
      }),
    ).toThrow(InvalidInputError);
    expect(() =>
      validateTransitionRequest({ from: 'DONE' as never, to: 'RUNNING', expectedVersion: 1, nowMs: 5 }),
    ).toThrow(InvalidInputError);
  });

  it('property: any sequence of requests follows the graph, counts versions and never leaves a terminal state', () => {
    const status = fc.constantFrom(...RUN_STATUSES);
    const step = fc.record({ from: status, to: status, versionDelta: fc.integer({ min: -1, max: 1 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        let record = queued();
        let applied = 0;
        let terminalAt: RunRecord | undefined;
        for (const [i, s] of steps.entries()) {
          const req = request(s.from, s.to, Math.max(1, record.version + s.versionDelta), 2_000 + i);
          try {
            const next = applyTransition(record, req);
            expect(canTransition(record.status, next.status)).toBe(true);
            record = next;
            applied++;
          } catch (e) {
            const legal = canTransition(s.from, s.to);
            expect(e).toBeInstanceOf(legal ? ConflictError : InvalidInputError);
          }
          if (isTerminalStatus(record.status)) {
            if (terminalAt === undefined) terminalAt = record;
            expect(record).toEqual(terminalAt);
          }
        }
        expect(record.version).toBe(applied + 1);
        expect(RunRecord.safeParse(record).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('workflow/run-store: applyProgress', () => {
  const running = (): RunRecord => applyTransition(queued(), request('QUEUED', 'RUNNING', 1, 2_000));

  it('property: done never decreases, total never changes once known, version never moves', () => {
    const report = fc.record({
      stage: fc.constantFrom(...RUN_STAGES),
      done: fc.integer({ min: 0, max: 6 }),
      total: fc.constantFrom(0, 5, 6),
    });
    fc.assert(
      fc.property(fc.array(report, { maxLength: 20 }), (reports) => {
        let record = running();
        for (const [i, r] of reports.entries()) {
          const before = record.stages[r.stage];
          try {
            record = applyProgress(record, r.stage, { done: r.done, total: r.total, nowMs: 3_000 + i });
            const after = record.stages[r.stage];
            expect(after.done).toBeGreaterThanOrEqual(before.done);
            if (before.total !== 0) expect(after.total).toBe(before.total);
            expect(after.startedAtMs).toBe(before.startedAtMs ?? 3_000 + i);
            if (before.finishedAtMs !== undefined) expect(after.finishedAtMs).toBe(before.finishedAtMs);
          } catch (e) {
            const invalid = r.done > r.total;
            expect(e).toBeInstanceOf(invalid ? InvalidInputError : ConflictError);
          }
        }
        expect(record.version).toBe(2);
        expect(RunRecord.safeParse(record).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects progress, metrics and cancel requests on every terminal state', () => {
    const finished = [
      applyTransition(running(), request('RUNNING', 'SUCCEEDED', 2, 3_000)),
      applyTransition(running(), request('RUNNING', 'FAILED', 2, 3_000)),
      applyTransition(queued(), request('QUEUED', 'CANCELLED', 1, 3_000)),
    ];
    for (const r of finished) {
      expect(() => applyProgress(r, 'finalize', { done: 1, total: 1, nowMs: 4_000 })).toThrow(ConflictError);
      expect(() => applyMetricsSummary(r, { sharpe: 1 }, 4_000)).toThrow(ConflictError);
      expect(() => applyCancelRequest(r, 4_000)).toThrow(ConflictError);
    }
  });
});

describe('workflow/run-store: RunRecord', () => {
  it('makes a QUEUED version-1 record with every stage at 0 of 0', () => {
    const r = queued(42);
    expect(r).toMatchObject({ status: 'QUEUED', version: 1, createdAtMs: 42, updatedAtMs: 42, timings: {} });
    expect(Object.keys(r.stages)).toEqual([...RUN_STAGES]);
    for (const s of RUN_STAGES) expect(r.stages[s]).toEqual({ done: 0, total: 0 });
  });

  it.each([
    ['FAILED without an error', { status: 'FAILED' }],
    ['an error on a RUNNING run', { status: 'RUNNING', error: { code: 'X', message: 'y' } }],
    ['an unknown key', { extra: 1 }],
    ['a missing stage', { stages: { prepare: { done: 0, total: 0 } } }],
    ['Infinity in the metrics summary', { metricsSummary: { x: Number.POSITIVE_INFINITY } }],
    ['version 0', { version: 0 }],
  ])('rejects %s', (_label, extra) => {
    expect(RunRecord.safeParse({ ...queued(), ...extra }).success).toBe(false);
  });

  it('orders runs newest first, ties by run id descending', () => {
    const mk = (runId: string, createdAtMs: number) => ({ ...queued(createdAtMs), runId });
    const sorted = [mk('a', 1), mk('b', 2), mk('c', 2), mk('A', 3)].sort(compareRunsNewestFirst);
    expect(sorted.map((r) => r.runId)).toEqual(['A', 'c', 'b', 'a']);
  });
});
