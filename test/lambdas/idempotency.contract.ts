/** The `IdempotencyGuard` contract, run against every implementation. */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/core/errors.ts';
import {
  type IdempotencyGuard,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  payloadHashOf,
  scopedIdempotencyKey,
} from '../../lib/runs/idempotency.ts';

let unique = 0;
const request = (tenant: string, key: string, body: unknown) => ({
  scopedKey: scopedIdempotencyKey(tenant, key),
  payloadHash: payloadHashOf(body),
  remainingTimeMs: 20_000,
});

export const idempotencyGuardContract = (
  name: string,
  makeGuard: () => Promise<IdempotencyGuard> | IdempotencyGuard,
) => {
  describe(`${name}: IdempotencyGuard contract`, () => {
    const key = () => `key-${name}-${++unique}`;

    it('runs work once; a replay with the same payload returns the stored runId', async () => {
      const guard = await makeGuard();
      const k = key();
      let calls = 0;
      const work = async () => ({ runId: `RUN${++calls}` });
      const first = await guard.once(request('acme', k, { a: 1, b: [1, 2] }), work);
      const second = await guard.once(request('acme', k, { b: [1, 2], a: 1 }), work);
      expect(first).toEqual({ runId: 'RUN1', replayed: false });
      expect(second).toEqual({ runId: 'RUN1', replayed: true });
      expect(calls).toBe(1);
    });

    it('the same key with another payload → IdempotencyPayloadMismatchError', async () => {
      const guard = await makeGuard();
      const k = key();
      await guard.once(request('acme', k, { a: 1 }), async () => ({ runId: 'RUN1' }));
      await expect(
        guard.once(request('acme', k, { a: 2 }), async () => ({ runId: 'RUN2' })),
      ).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError);
    });

    it('the same key in two tenants → two independent results', async () => {
      const guard = await makeGuard();
      const k = key();
      const a = await guard.once(request('acme', k, { a: 1 }), async () => ({ runId: 'RUNA' }));
      const b = await guard.once(request('globex', k, { a: 1 }), async () => ({ runId: 'RUNB' }));
      expect([a.runId, b.runId, a.replayed, b.replayed]).toEqual(['RUNA', 'RUNB', false, false]);
    });

    it('concurrent first attempts: work runs once, the others are in progress or replays', async () => {
      const guard = await makeGuard();
      const k = key();
      let calls = 0;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const work = async () => {
        calls++;
        await gate;
        return { runId: 'RUN1' };
      };
      const pending = Array.from({ length: 4 }, () => guard.once(request('acme', k, { a: 1 }), work));
      let done = 0;
      for (const p of pending)
        p.then(
          () => done++,
          () => done++,
        );
      const attempts = Promise.allSettled(pending);
      // release the work once the three other attempts have been answered (in progress), however slow the store
      for (let i = 0; i < 400 && done < 3; i++) await new Promise((r) => setTimeout(r, 25));
      release();
      const settled = await attempts;
      expect(calls).toBe(1);
      const ok = settled.filter((s) => s.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(IdempotencyInProgressError);
      }
      // Once finished, a duplicate gets the stored result.
      expect(await guard.once(request('acme', k, { a: 1 }), work)).toEqual({ runId: 'RUN1', replayed: true });
    });

    it('a concurrent attempt with another payload while the first runs → mismatch, not in-progress', async () => {
      const guard = await makeGuard();
      const k = key();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const first = guard.once(request('acme', k, { a: 1 }), async () => {
        await gate;
        return { runId: 'RUN1' };
      });
      await new Promise((r) => setTimeout(r, 100));
      await expect(
        guard.once(request('acme', k, { a: 2 }), async () => ({ runId: 'RUN2' })),
      ).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError);
      release();
      await first;
    });

    it('a failing work releases the key; its error passes through unchanged', async () => {
      const guard = await makeGuard();
      const k = key();
      const boom = new ConflictError('boom');
      await expect(guard.once(request('acme', k, { a: 1 }), async () => Promise.reject(boom))).rejects.toBe(
        boom,
      );
      expect(await guard.once(request('acme', k, { a: 1 }), async () => ({ runId: 'RUN2' }))).toEqual({
        runId: 'RUN2',
        replayed: false,
      });
    });
  });
};
