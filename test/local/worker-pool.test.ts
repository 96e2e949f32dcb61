/**
 * The local Lambda pool bounds work as Lambda does: an invocation that outlives its timeout, or whose signal is
 * aborted (its execution was stopped), has its worker terminated — a synchronous loop included — so it burns no
 * more CPU and the invocations after it get a fresh worker instead of queueing behind a wedged one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerError, WorkerPool } from '../../local/stack/worker-pool.ts';

const MODULE = new URL('./support/pool-handlers.ts', import.meta.url).href;
const call = (event: unknown, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) => ({
  moduleUrl: MODULE,
  functionName: 'Test',
  event,
  ...extra,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** CPU seconds this process (all its threads) spends per wall second over `ms`. */
async function cpuRate(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - t0);
}

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerPool: wedged invocations', () => {
  it('times a spinning handler out (Sandbox.Timedout) and runs the next invocation on a new worker', async () => {
    pool = new WorkerPool({ size: 1, env: {} });
    expect(await pool.invoke(call({ value: 'warm' }))).toBe('warm');
    const spinning = pool.invoke(call({ spin: true }, { timeoutMs: 1500 }));
    const next = pool.invoke(call({ value: 42 }, { timeoutMs: 60_000 })); // queued behind the spinning one
    const error = await spinning.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HandlerError);
    expect((error as HandlerError).name).toBe('Sandbox.Timedout');
    expect(await next).toBe(42);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, recycled: 1 });
  }, 60_000);

  it('stops a spinning invocation when its signal is aborted: CPU back to idle, queued ones dropped', async () => {
    pool = new WorkerPool({ size: 1, env: {} });
    expect(await pool.invoke(call({ value: 'warm' }))).toBe('warm');
    const execution = new AbortController();
    const spinning = pool.invoke(call({ spin: true }, { signal: execution.signal }));
    const queued = pool.invoke(call({ value: 'never' }, { signal: execution.signal }));
    await sleep(300);
    const spinRate = await cpuRate(1000);
    execution.abort(new Error('the execution was stopped'));
    await expect(spinning).rejects.toMatchObject({ name: 'InvocationStopped' });
    await expect(queued).rejects.toMatchObject({ name: 'InvocationStopped' });
    const idleRate = await cpuRate(1000);
    // a spinning thread uses about a core; a terminated one nothing (what is left is the test's own timers)
    expect(spinRate).toBeGreaterThan(0.2);
    expect(idleRate).toBeLessThan(Math.min(0.2, spinRate / 3));
    expect(await pool.invoke(call({ value: 'after' }))).toBe('after');
    expect(pool.stats().recycled).toBe(1);
  }, 60_000);

  it('never starts an invocation whose signal is already aborted', async () => {
    pool = new WorkerPool({ size: 1, env: {} });
    const controller = new AbortController();
    controller.abort();
    await expect(pool.invoke(call({ value: 1 }, { signal: controller.signal }))).rejects.toMatchObject({
      name: 'InvocationStopped',
    });
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, recycled: 0 });
  });

  it('runs up to `size` invocations at once', async () => {
    const two = new WorkerPool({ size: 2, env: {} });
    pool = two;
    const results = await Promise.all([1, 2, 3, 4].map((value) => two.invoke(call({ value }))));
    expect(results).toEqual([1, 2, 3, 4]);
    expect(two.stats().peakBusy).toBe(2);
  }, 60_000);
});
