/**
 * The one contract every `RunStore` implementation passes. Each test gets a fresh, empty store from `makeStore`
 * (a new Map, a new dynalite table).
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/core/errors.ts';
import {
  ALLOWED_TRANSITIONS,
  newRunRecord,
  RUN_STATUSES,
  type RunRecord,
  type RunStatus,
  type TransitionRequest,
} from '../../lib/runs/run-record.ts';
import type { RunStore } from '../../lib/runs/run-store.ts';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

export const makeRun = (
  tenantId: string,
  runId: string,
  nowMs = T0,
  extra: Partial<RunRecord> = {},
): RunRecord => ({
  ...newRunRecord({
    tenantId,
    runId,
    specHash: `spec-${runId}`,
    datasetId: 'ds-0123abcd',
    codeVersion: 'v0.1.0+abc123',
    nowMs,
  }),
  ...extra,
});

const rejection = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );

const ILLEGAL_EDGES: [RunStatus, RunStatus][] = RUN_STATUSES.flatMap((from) =>
  RUN_STATUSES.filter((to) => !ALLOWED_TRANSITIONS[from].includes(to)).map((to): [RunStatus, RunStatus] => [
    from,
    to,
  ]),
);

const TERMINAL_PATHS: [RunStatus, TransitionRequest[]][] = [
  [
    'SUCCEEDED',
    [
      { from: 'QUEUED', to: 'RUNNING', expectedVersion: 1, nowMs: T0 + 10 },
      {
        from: 'RUNNING',
        to: 'SUCCEEDED',
        expectedVersion: 2,
        nowMs: T0 + 20,
        patch: { metricsSummary: { sharpe: 1.25 } },
      },
    ],
  ],
  [
    'FAILED',
    [
      { from: 'QUEUED', to: 'RUNNING', expectedVersion: 1, nowMs: T0 + 10 },
      {
        from: 'RUNNING',
        to: 'FAILED',
        expectedVersion: 2,
        nowMs: T0 + 20,
        patch: { error: { code: 'DATA_INTEGRITY', message: 'bars: NaN close at row 7' } },
      },
    ],
  ],
  ['CANCELLED', [{ from: 'QUEUED', to: 'CANCELLED', expectedVersion: 1, nowMs: T0 + 10 }]],
];

export const runStoreContract = (name: string, makeStore: () => Promise<RunStore>): void => {
  describe(`RunStore contract: ${name}`, () => {
    describe('create and get', () => {
      it('round-trips a record with every optional field', async () => {
        const store = await makeStore();
        const record = makeRun('acme', 'run-1', T0, {
          idempotencyKeyHash: 'f'.repeat(64),
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:hts:run-1',
        });

        await store.create(record);

        expect(await store.get('acme', 'run-1')).toEqual(record);
      });

      it('returns copies: mutating a returned or created record changes nothing stored', async () => {
        const store = await makeStore();
        const record = makeRun('acme', 'run-1');
        await store.create(record);
        record.stages.prepare.done = 99;
        const got = await store.get('acme', 'run-1');
        got.stages.simulate.total = 42;

        const again = await store.get('acme', 'run-1');
        expect(again.stages.prepare.done).toBe(0);
        expect(again.stages.simulate.total).toBe(0);
      });

      it('rejects a duplicate run id with ConflictError and keeps the first record', async () => {
        const store = await makeStore();
        const first = makeRun('acme', 'run-1');
        await store.create(first);

        const error = await rejection(
          store.create({ ...makeRun('acme', 'run-1', T0 + 5), specHash: 'other' }),
        );

        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).details).toMatchObject({ runId: 'run-1' });
        expect(await store.get('acme', 'run-1')).toEqual(first);
      });

      it.each([
        ['a RUNNING record', { status: 'RUNNING' as const, version: 2 }],
        ['version 2', { version: 2 }],
        ['an unknown field', { colour: 'blue' } as Partial<RunRecord>],
        ['done above total', { stages: { ...makeRun('x', 'y').stages, optimize: { done: 2, total: 1 } } }],
        ['an empty spec hash', { specHash: '' }],
        ['a tenant id with #', { tenantId: 'acme#RUNS' }],
        ['a run id with /', { runId: 'a/b' }],
        ['a fractional createdAtMs', { createdAtMs: 1.5 }],
      ])('rejects %s with InvalidInputError and stores nothing', async (_label, extra) => {
        const store = await makeStore();
        const record = makeRun('acme', 'run-1', T0, extra);

        await expect(store.create(record)).rejects.toBeInstanceOf(InvalidInputError);
        await expect(store.get('acme', 'run-1')).rejects.toBeInstanceOf(NotFoundError);
        expect((await store.list('acme')).items).toEqual([]);
      });

      it('answers NotFoundError naming the run for a missing run', async () => {
        const store = await makeStore();
        const error = await rejection(store.get('acme', 'nope'));
        expect(error).toBeInstanceOf(NotFoundError);
        expect((error as NotFoundError).message).toContain('nope');
      });

      it.each([
        ['', 'run-1'],
        ['acme#x', 'run-1'],
        ['acme', ''],
        ['acme', 'RUN#1'],
        ['acme', 'x'.repeat(81)],
      ])('rejects malformed ids (%j, %j) with InvalidInputError', async (tenantId, runId) => {
        const store = await makeStore();
        await expect(store.get(tenantId, runId)).rejects.toBeInstanceOf(InvalidInputError);
        await expect(store.requestCancel(tenantId, runId, T0)).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('transitions', () => {
      it('walks QUEUED → RUNNING → SUCCEEDED, bumping the version and stamping timings', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        const arn = 'arn:aws:states:us-east-1:123456789012:execution:hts:run-1';

        const running = await store.transition('acme', 'run-1', {
          from: 'QUEUED',
          to: 'RUNNING',
          expectedVersion: 1,
          nowMs: T0 + 1_000,
          patch: { executionArn: arn },
        });
        const done = await store.transition('acme', 'run-1', {
          from: 'RUNNING',
          to: 'SUCCEEDED',
          expectedVersion: 2,
          nowMs: T0 + 5_000,
          patch: { metricsSummary: { sharpe: 1.5, maxDrawdown: -0.12, calmar: null } },
        });

        expect(running).toMatchObject({
          status: 'RUNNING',
          version: 2,
          updatedAtMs: T0 + 1_000,
          executionArn: arn,
        });
        expect(running.timings).toEqual({ startedAtMs: T0 + 1_000 });
        expect(done).toMatchObject({
          status: 'SUCCEEDED',
          version: 3,
          createdAtMs: T0,
          updatedAtMs: T0 + 5_000,
          timings: { startedAtMs: T0 + 1_000, finishedAtMs: T0 + 5_000 },
          metricsSummary: { sharpe: 1.5, maxDrawdown: -0.12, calmar: null },
          executionArn: arn,
        });
        expect(await store.get('acme', 'run-1')).toEqual(done);
      });

      it('records the error of a FAILED run and the finish time of a run cancelled while queued', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-f'));
        await store.create(makeRun('acme', 'run-c'));

        const failed = await store.transition('acme', 'run-f', {
          from: 'QUEUED',
          to: 'FAILED',
          expectedVersion: 1,
          nowMs: T0 + 7,
          patch: { error: { code: 'INVALID_INPUT', message: 'period.start is after the dataset end' } },
        });
        const cancelled = await store.transition('acme', 'run-c', {
          from: 'QUEUED',
          to: 'CANCELLED',
          expectedVersion: 1,
          nowMs: T0 + 8,
        });

        expect(failed).toMatchObject({
          status: 'FAILED',
          version: 2,
          error: { code: 'INVALID_INPUT', message: 'period.start is after the dataset end' },
          timings: { finishedAtMs: T0 + 7 },
        });
        expect(failed.timings.startedAtMs).toBeUndefined();
        expect(cancelled).toMatchObject({
          status: 'CANCELLED',
          version: 2,
          timings: { finishedAtMs: T0 + 8 },
        });
        expect(cancelled.error).toBeUndefined();
        expect(await store.get('acme', 'run-f')).toEqual(failed);
      });

      it.each(ILLEGAL_EDGES)(
        'rejects the illegal edge %s → %s with InvalidInputError before touching the store',
        async (from, to) => {
          const store = await makeStore();
          const record = makeRun('acme', 'run-1');
          await store.create(record);
          const request = { from, to, expectedVersion: 1, nowMs: T0 + 1 };

          await expect(store.transition('acme', 'run-1', request)).rejects.toBeInstanceOf(InvalidInputError);
          // Not even a missing run is looked up: the request is wrong whatever is stored.
          await expect(store.transition('acme', 'absent', request)).rejects.toBeInstanceOf(InvalidInputError);
          expect(await store.get('acme', 'run-1')).toEqual(record);
        },
      );

      it('rejects FAILED without an error and an error on any other target with InvalidInputError', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));

        await expect(
          store.transition('acme', 'run-1', { from: 'QUEUED', to: 'FAILED', expectedVersion: 1, nowMs: T0 }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        await expect(
          store.transition('acme', 'run-1', {
            from: 'QUEUED',
            to: 'CANCELLED',
            expectedVersion: 1,
            nowMs: T0,
            patch: { error: { code: 'X', message: 'y' } },
          }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        expect((await store.get('acme', 'run-1')).status).toBe('QUEUED');
      });

      it.each([
        ['a stale version', 'QUEUED' as const, 2],
        ['the wrong from status', 'RUNNING' as const, 1],
      ])('answers ConflictError naming expected and actual for %s', async (_label, from, expectedVersion) => {
        const store = await makeStore();
        const record = makeRun('acme', 'run-1');
        await store.create(record);

        const error = await rejection(
          store.transition('acme', 'run-1', {
            from,
            to: 'CANCELLED',
            expectedVersion,
            nowMs: T0 + 1,
          }),
        );

        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).details).toEqual({
          runId: 'run-1',
          expectedStatus: from,
          expectedVersion,
          actualStatus: 'QUEUED',
          actualVersion: 1,
        });
        expect(await store.get('acme', 'run-1')).toEqual(record);
      });

      it('answers NotFoundError for a legal transition of a missing run', async () => {
        const store = await makeStore();
        await expect(
          store.transition('acme', 'absent', {
            from: 'QUEUED',
            to: 'RUNNING',
            expectedVersion: 1,
            nowMs: T0,
          }),
        ).rejects.toBeInstanceOf(NotFoundError);
      });

      it('lets exactly one of many concurrent transitions from the same version win', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        const targets: RunStatus[] = ['RUNNING', 'CANCELLED', 'RUNNING', 'FAILED', 'CANCELLED', 'RUNNING'];

        const results = await Promise.allSettled(
          targets.map((to, i) =>
            store.transition('acme', 'run-1', {
              from: 'QUEUED',
              to,
              expectedVersion: 1,
              nowMs: T0 + 100 + i,
              ...(to === 'FAILED' && { patch: { error: { code: 'X', message: `racer ${i}` } } }),
            }),
          ),
        );

        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(targets.length - 1);
        for (const e of lost) expect(e).toBeInstanceOf(ConflictError);
        const stored = await store.get('acme', 'run-1');
        expect(stored).toEqual(won[0]);
        expect(stored.version).toBe(2);
      });

      it('two racers from RUNNING at the same version: one terminal state wins, the loser sees it', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        await store.transition('acme', 'run-1', {
          from: 'QUEUED',
          to: 'RUNNING',
          expectedVersion: 1,
          nowMs: T0 + 1,
        });

        const [a, b] = await Promise.allSettled([
          store.transition('acme', 'run-1', {
            from: 'RUNNING',
            to: 'SUCCEEDED',
            expectedVersion: 2,
            nowMs: T0 + 2,
          }),
          store.transition('acme', 'run-1', {
            from: 'RUNNING',
            to: 'CANCELLED',
            expectedVersion: 2,
            nowMs: T0 + 3,
          }),
        ]);

        expect([a?.status, b?.status].sort()).toEqual(['fulfilled', 'rejected']);
        const stored = await store.get('acme', 'run-1');
        const loser = (
          a?.status === 'rejected' ? a.reason : b?.status === 'rejected' ? b.reason : null
        ) as unknown;
        expect(loser).toBeInstanceOf(ConflictError);
        expect((loser as ConflictError).details).toMatchObject({
          expectedStatus: 'RUNNING',
          expectedVersion: 2,
          actualStatus: stored.status,
          actualVersion: 3,
        });
        expect((loser as ConflictError).message).toContain('terminal');
      });
    });

    describe('terminal states are immutable', () => {
      it.each(TERMINAL_PATHS)('nothing changes a %s run', async (status, path) => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        for (const step of path) await store.transition('acme', 'run-1', step);
        const terminal = await store.get('acme', 'run-1');
        expect(terminal.status).toBe(status);
        const v = terminal.version;

        for (const from of ['QUEUED', 'RUNNING'] as const) {
          for (const to of ALLOWED_TRANSITIONS[from]) {
            const error = await rejection(
              store.transition('acme', 'run-1', {
                from,
                to,
                expectedVersion: v,
                nowMs: T0 + 99,
                ...(to === 'FAILED' && { patch: { error: { code: 'X', message: 'late' } } }),
              }),
            );
            expect(error).toBeInstanceOf(ConflictError);
            expect((error as ConflictError).details).toMatchObject({
              actualStatus: status,
              actualVersion: v,
            });
          }
        }
        await expect(
          store.updateProgress('acme', 'run-1', 'simulate', { done: 1, total: 2, nowMs: T0 + 99 }),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(store.setMetricsSummary('acme', 'run-1', { sharpe: 9 }, T0 + 99)).rejects.toBeInstanceOf(
          ConflictError,
        );
        const cancel = await rejection(store.requestCancel('acme', 'run-1', T0 + 99));
        expect(cancel).toBeInstanceOf(ConflictError);
        expect((cancel as ConflictError).details).toMatchObject({ runId: 'run-1', actualStatus: status });

        expect(await store.get('acme', 'run-1')).toEqual(terminal);
      });
    });

    describe('progress', () => {
      const running = async (store: RunStore): Promise<RunRecord> => {
        await store.create(makeRun('acme', 'run-1'));
        return store.transition('acme', 'run-1', {
          from: 'QUEUED',
          to: 'RUNNING',
          expectedVersion: 1,
          nowMs: T0,
        });
      };

      it('records done/total per stage, stamps start and finish once, and never bumps the version', async () => {
        const store = await makeStore();
        await running(store);

        const a = await store.updateProgress('acme', 'run-1', 'buildFeatures', {
          done: 0,
          total: 12,
          nowMs: T0 + 10,
        });
        const b = await store.updateProgress('acme', 'run-1', 'buildFeatures', {
          done: 7,
          total: 12,
          nowMs: T0 + 20,
        });
        const c = await store.updateProgress('acme', 'run-1', 'buildFeatures', {
          done: 12,
          total: 12,
          nowMs: T0 + 30,
        });
        const d = await store.updateProgress('acme', 'run-1', 'buildFeatures', {
          done: 12,
          total: 12,
          nowMs: T0 + 40,
        });

        expect(a.stages.buildFeatures).toEqual({ done: 0, total: 12, startedAtMs: T0 + 10 });
        expect(b.stages.buildFeatures).toEqual({ done: 7, total: 12, startedAtMs: T0 + 10 });
        expect(c.stages.buildFeatures).toEqual({
          done: 12,
          total: 12,
          startedAtMs: T0 + 10,
          finishedAtMs: T0 + 30,
        });
        expect(d.stages.buildFeatures).toEqual(c.stages.buildFeatures);
        expect(d.updatedAtMs).toBe(T0 + 40);
        expect(d.version).toBe(2);
        expect(d.stages.prepare).toEqual({ done: 0, total: 0 });
        expect(await store.get('acme', 'run-1')).toEqual(d);
      });

      it('rejects done going backwards and a changed total with ConflictError, keeping the record', async () => {
        const store = await makeStore();
        await running(store);
        const at5 = await store.updateProgress('acme', 'run-1', 'optimize', {
          done: 5,
          total: 10,
          nowMs: T0 + 1,
        });

        const back = await rejection(
          store.updateProgress('acme', 'run-1', 'optimize', { done: 4, total: 10, nowMs: T0 + 2 }),
        );
        const retotal = await rejection(
          store.updateProgress('acme', 'run-1', 'optimize', { done: 6, total: 11, nowMs: T0 + 3 }),
        );

        expect(back).toBeInstanceOf(ConflictError);
        expect((back as ConflictError).details).toMatchObject({
          runId: 'run-1',
          stage: 'optimize',
          expectedDoneAtMost: 4,
          actualDone: 5,
        });
        expect(retotal).toBeInstanceOf(ConflictError);
        expect((retotal as ConflictError).details).toMatchObject({ expectedTotal: 11, actualTotal: 10 });
        expect(await store.get('acme', 'run-1')).toEqual(at5);
      });

      it('keeps the maximum under concurrent reports in any order', async () => {
        const store = await makeStore();
        await running(store);
        const order = [4, 9, 1, 10, 3, 7, 2, 8, 6, 5];

        const results = await Promise.allSettled(
          order.map((done, i) =>
            store.updateProgress('acme', 'run-1', 'trainScore', { done, total: 10, nowMs: T0 + i }),
          ),
        );

        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        expect((await store.get('acme', 'run-1')).stages.trainScore.done).toBe(10);
      });

      it('checks expectedVersion when given', async () => {
        const store = await makeStore();
        await running(store);

        await expect(
          store.updateProgress('acme', 'run-1', 'simulate', { done: 1, total: 3, nowMs: T0 + 1 }, 1),
        ).rejects.toBeInstanceOf(ConflictError);
        const ok = await store.updateProgress(
          'acme',
          'run-1',
          'simulate',
          { done: 1, total: 3, nowMs: T0 + 2 },
          2,
        );
        expect(ok.stages.simulate.done).toBe(1);
      });

      it.each([
        ['done above total', 'prepare', { done: 3, total: 2 }],
        ['negative done', 'prepare', { done: -1, total: 2 }],
        ['fractional total', 'prepare', { done: 0, total: 2.5 }],
        ['an unknown stage', 'report', { done: 0, total: 1 }],
      ])('rejects %s with InvalidInputError', async (_label, stage, numbers) => {
        const store = await makeStore();
        await running(store);
        await expect(
          store.updateProgress('acme', 'run-1', stage as 'prepare', { ...numbers, nowMs: T0 + 1 }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });

      it('answers NotFoundError for progress of a missing run', async () => {
        const store = await makeStore();
        await expect(
          store.updateProgress('acme', 'absent', 'prepare', { done: 0, total: 1, nowMs: T0 }),
        ).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('metrics summary and cancel requests', () => {
      it('round-trips awkward numbers exactly, and null', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        const summary = {
          tiny: 1e-300,
          negTiny: -5e-324,
          sum: 0.1 + 0.2,
          huge: -1.7976931348623157e308,
          maxSafe: Number.MAX_SAFE_INTEGER,
          aboveSafe: 2 ** 60,
          zero: 0,
          undefinedMetric: null,
        };

        const set = await store.setMetricsSummary('acme', 'run-1', summary, T0 + 3);

        expect(set.metricsSummary).toEqual(summary);
        expect(set.updatedAtMs).toBe(T0 + 3);
        expect(set.version).toBe(1);
        expect((await store.get('acme', 'run-1')).metricsSummary).toEqual(summary);
      });

      it.each([
        ['NaN', { x: Number.NaN }],
        ['Infinity', { x: Number.POSITIVE_INFINITY }],
        ['a nested object', { x: { y: 1 } }],
        ['a bad key', { 'a.b': 1 }],
        ['too many keys', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]))],
      ])('rejects a summary with %s with InvalidInputError', async (_label, summary) => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        await expect(
          store.setMetricsSummary('acme', 'run-1', summary as Record<string, number>, T0),
        ).rejects.toBeInstanceOf(InvalidInputError);
        expect((await store.get('acme', 'run-1')).metricsSummary).toBeUndefined();
      });

      it('flags a cancel request idempotently without bumping the version; the run can then be cancelled', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        await store.transition('acme', 'run-1', {
          from: 'QUEUED',
          to: 'RUNNING',
          expectedVersion: 1,
          nowMs: T0 + 1,
        });

        const first = await store.requestCancel('acme', 'run-1', T0 + 2);
        const second = await store.requestCancel('acme', 'run-1', T0 + 3);
        const cancelled = await store.transition('acme', 'run-1', {
          from: 'RUNNING',
          to: 'CANCELLED',
          expectedVersion: 2,
          nowMs: T0 + 4,
        });

        expect(first).toMatchObject({
          cancelRequested: true,
          status: 'RUNNING',
          version: 2,
          updatedAtMs: T0 + 2,
        });
        expect(second).toMatchObject({ cancelRequested: true, version: 2, updatedAtMs: T0 + 3 });
        expect(cancelled).toMatchObject({ status: 'CANCELLED', version: 3, cancelRequested: true });
      });

      it('answers NotFoundError for a missing run', async () => {
        const store = await makeStore();
        await expect(store.requestCancel('acme', 'absent', T0)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.setMetricsSummary('acme', 'absent', { a: 1 }, T0)).rejects.toBeInstanceOf(
          NotFoundError,
        );
      });
    });

    describe('list', () => {
      /** 31 runs of `acme` (ties on createdAtMs included), created in a scrambled order, plus decoys. */
      const seed = async (store: RunStore): Promise<RunRecord[]> => {
        const runs: RunRecord[] = [];
        for (let i = 0; i < 31; i++) {
          // Every third run shares its createdAtMs with the previous one: ties sort by runId, descending.
          const createdAtMs = T0 + Math.floor(i / 3) * 2 * 3_600_000 + (i % 3 === 2 ? 0 : i % 3) * 60_000;
          runs.push(makeRun('acme', `run-${String((i * 17) % 31).padStart(2, '0')}`, createdAtMs));
        }
        const scrambled = runs.map((r, i) => ({ r, k: (i * 13) % 31 })).sort((a, b) => a.k - b.k);
        for (const { r } of scrambled) await store.create(r);
        // Decoys: other tenants whose keys share a prefix with acme's, with newer runs.
        await store.create(makeRun('acme2', 'run-00', T0 + 10 ** 9));
        await store.create(makeRun('acm', 'run-01', T0 + 10 ** 9));
        await store.create(makeRun('other', 'run-02', T0 + 10 ** 9));
        return [...runs].sort(
          (a, b) => b.createdAtMs - a.createdAtMs || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0),
        );
      };

      it('pages through more than 25 runs newest first, each exactly once, with full records', async () => {
        const store = await makeStore();
        const expected = await seed(store);

        const pages: RunRecord[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.list('acme', { limit: 7, ...(cursor !== undefined && { cursor }) });
          pages.push(page.items);
          cursor = page.nextCursor;
        } while (cursor !== undefined);

        expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 3]);
        expect(pages.flat()).toEqual(expected);
      });

      it('uses 25 as the default page size and hands out no cursor when nothing follows', async () => {
        const store = await makeStore();
        const expected = await seed(store);

        const first = await store.list('acme');
        const second = await store.list('acme', { cursor: first.nextCursor as string });
        const exact = await store.list('acme', { limit: 31 });

        expect(first.items).toEqual(expected.slice(0, 25));
        expect(first.nextCursor).toEqual(expect.any(String));
        expect(second.items).toEqual(expected.slice(25));
        expect(second.nextCursor).toBeUndefined();
        expect(exact.items).toEqual(expected);
        expect(exact.nextCursor).toBeUndefined();
      });

      it('shows a run with its latest state', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        const running = await store.transition('acme', 'run-1', {
          from: 'QUEUED',
          to: 'RUNNING',
          expectedVersion: 1,
          nowMs: T0 + 5,
        });
        expect((await store.list('acme')).items).toEqual([running]);
      });

      it('answers an empty page for a tenant without runs', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1'));
        expect(await store.list('nobody')).toEqual({ items: [] });
      });

      it('rejects another tenant’s cursor and malformed cursors with InvalidInputError', async () => {
        const store = await makeStore();
        await seed(store);
        for (let i = 0; i < 3; i++) await store.create(makeRun('other', `run-x${i}`, T0 + i));
        const acmeCursor = (await store.list('acme', { limit: 2 })).nextCursor as string;
        const otherCursor = (await store.list('other', { limit: 1 })).nextCursor as string;
        expect(acmeCursor).toEqual(expect.any(String));
        expect(otherCursor).toEqual(expect.any(String));

        for (const [tenant, cursor] of [
          ['other', acmeCursor],
          ['acme', otherCursor],
          ['acme', 'not-a-cursor'],
          ['acme', Buffer.from('[1,2]').toString('base64url')],
          ['acme', `${acmeCursor}x`],
        ] as const) {
          const error = await rejection(store.list(tenant, { cursor }));
          expect(error).toBeInstanceOf(InvalidInputError);
          expect((error as InvalidInputError).details).toMatchObject({ field: 'cursor' });
        }
      });

      it.each([[0], [101], [2.5], [-1]])('rejects limit %d with InvalidInputError', async (limit) => {
        const store = await makeStore();
        await expect(store.list('acme', { limit })).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('tenant isolation', () => {
      it('answers NotFoundError for another tenant’s run id on every operation and changes nothing', async () => {
        const store = await makeStore();
        const mine = makeRun('acme', 'run-1');
        await store.create(mine);

        await expect(store.get('globex', 'run-1')).rejects.toBeInstanceOf(NotFoundError);
        await expect(
          store.transition('globex', 'run-1', {
            from: 'QUEUED',
            to: 'CANCELLED',
            expectedVersion: 1,
            nowMs: T0,
          }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(
          store.updateProgress('globex', 'run-1', 'prepare', { done: 1, total: 1, nowMs: T0 }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.setMetricsSummary('globex', 'run-1', { a: 1 }, T0)).rejects.toBeInstanceOf(
          NotFoundError,
        );
        await expect(store.requestCancel('globex', 'run-1', T0)).rejects.toBeInstanceOf(NotFoundError);

        expect(await store.get('acme', 'run-1')).toEqual(mine);
        expect((await store.list('globex')).items).toEqual([]);
      });

      it('keeps the same run id under two tenants apart', async () => {
        const store = await makeStore();
        await store.create(makeRun('acme', 'run-1', T0));
        await store.create(makeRun('globex', 'run-1', T0 + 1));

        await store.transition('globex', 'run-1', {
          from: 'QUEUED',
          to: 'CANCELLED',
          expectedVersion: 1,
          nowMs: T0 + 2,
        });

        expect((await store.get('acme', 'run-1')).status).toBe('QUEUED');
        expect((await store.get('globex', 'run-1')).status).toBe('CANCELLED');
        expect((await store.list('acme')).items.map((r) => [r.tenantId, r.status])).toEqual([
          ['acme', 'QUEUED'],
        ]);
        expect((await store.list('globex')).items.map((r) => [r.tenantId, r.status])).toEqual([
          ['globex', 'CANCELLED'],
        ]);
      });
    });
  });
};
