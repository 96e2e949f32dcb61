/**
 * `.hts/stack.lock` as an OS-level lock: a listening Unix-domain socket (Linux: abstract, no file; elsewhere a
 * socket file). The kernel releases it when the holder dies however it dies, so a SIGKILLed stack never keeps its
 * root, and a PID reused by an unrelated process never refuses it (the old lock was the PID file alone).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireStackLock, type LockSocketKind, probeLock } from '../../local/stack/stack-lock.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hts-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
const newRoot = () => {
  const root = join(tmp, `root-${++n}`);
  mkdirSync(root, { recursive: true });
  return root;
};

/** A child process holding the lock of `root`; resolves once it holds it. */
async function holder(root: string, kind: LockSocketKind): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./support/hold-lock.ts', import.meta.url).pathname, root, kind],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code}): ${err}`)));
  });
  return child;
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe.each(['abstract', 'file'] as const)('stack lock (%s socket)', (kind) => {
  it('refuses a second holder, naming the first, and is free again once released', async () => {
    const root = newRoot();
    const lock = await acquireStackLock(root, { socket: kind });
    lock.describe({ apiUrl: 'http://127.0.0.1:8787' });
    expect(readFileSync(join(root, 'stack.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await expect(acquireStackLock(root, { socket: kind })).rejects.toThrow(
      `another hts process (pid ${process.pid}, API on http://127.0.0.1:8787) is using ${root}`,
    );
    await lock.release();
    expect(existsSync(join(root, 'stack.lock'))).toBe(false);
    expect((await probeLock(lock.address)).alive).toBe(false);
    const again = await acquireStackLock(root, { socket: kind });
    await again.release();
  });

  it('is released by the kernel when its holder is SIGKILLed (a stale socket file is reclaimed)', async () => {
    const root = newRoot();
    const child = await holder(root, kind);
    await expect(acquireStackLock(root, { socket: kind })).rejects.toThrow(
      `another hts process (pid ${child.pid}, API on http://127.0.0.1:1)`,
    );
    await killed(child);
    // what the dead holder left: its PID file, and (file kind) its socket file
    expect(readFileSync(join(root, 'stack.lock'), 'utf8')).toBe(`${child.pid}\n`);
    if (kind === 'file') expect(existsSync(join(root, 'stack.sock'))).toBe(true);
    const lock = await acquireStackLock(root, { socket: kind });
    expect(readFileSync(join(root, 'stack.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  }, 60_000);

  it('takes a root whose stack.lock names a live, unrelated process (a reused PID)', async () => {
    const root = newRoot();
    writeFileSync(join(root, 'stack.lock'), `${process.ppid}\n`);
    const lock = await acquireStackLock(root, { socket: kind });
    await lock.release();
  });
});
