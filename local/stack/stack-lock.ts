/**
 * One local stack per root, held by the kernel: the lock is a listening Unix-domain socket, which the kernel closes
 * when its holder dies however it dies (SIGKILL included), so a crashed stack never keeps the root locked and a
 * reused PID never refuses it. `{root}/stack.lock` keeps the holder's PID for messages only; nothing trusts it.
 *
 * - Linux: a socket in the abstract namespace (`\0hts-stack-lock:{sha256 of the root's real path}`), which has no
 *   file at all: it exists exactly as long as a process listens on it (Windows: a named pipe, likewise).
 * - Elsewhere (and with `socket: 'file'`): the socket file `{root}/stack.sock` (or one in the temp folder when that
 *   path is too long for a socket address). A socket file with no listener behind it (its holder died) is stale: it
 *   is removed and the lock taken. Two processes reclaiming the same stale file at the same instant can both
 *   believe they won; LevelDB's own lock on `{root}/dynamo` then refuses the second.
 *
 * A connection to the lock answers one JSON line, `{pid, apiUrl?}`, which is how a refused process names the
 * holder.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../lib/core/errors.ts';

/** Where the lock lives: Linux's abstract socket namespace (Windows: a named pipe), or a socket file. */
export type LockSocketKind = 'abstract' | 'file';

export interface StackLockOptions {
  /** @default 'abstract' on Linux and Windows, else 'file' */
  readonly socket?: LockSocketKind;
}

/** What the holder answers on its lock socket. */
export interface LockHolder {
  readonly pid: number;
  readonly apiUrl?: string;
}

export interface StackLock {
  /** The socket address (abstract names start with NUL). */
  readonly address: string;
  readonly kind: LockSocketKind;
  /** The PID file (messages only). */
  readonly pidFile: string;
  /** Adds what the holder reports to a process that is refused (the API's URL once it listens). */
  describe(info: { apiUrl?: string }): void;
  release(): Promise<void>;
}

/** The kind of lock socket this platform releases with its holder and leaves no file for, where it has one. */
export const defaultLockSocket = (): LockSocketKind =>
  process.platform === 'linux' || process.platform === 'win32' ? 'abstract' : 'file';

/** Unix socket addresses are at most 104 (macOS) or 108 (Linux) bytes, NUL included. */
const MAX_SOCKET_PATH = 100;

const rootHash = (root: string): string => createHash('sha256').update(root).digest('hex').slice(0, 40);

/** The lock's socket address for `root` (a resolved, existing folder). */
export function lockAddress(root: string, kind: LockSocketKind): string {
  const real = realpathSync(root);
  if (kind === 'abstract') {
    return process.platform === 'win32'
      ? `\\\\.\\pipe\\hts-stack-lock-${rootHash(real)}`
      : `\0hts-stack-lock:${rootHash(real)}`;
  }
  const inRoot = join(real, 'stack.sock');
  return Buffer.byteLength(inRoot) <= MAX_SOCKET_PATH
    ? inRoot
    : join(tmpdir(), `hts-stack-${rootHash(real)}.sock`);
}

const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(e);
    server.once('error', fail);
    server.listen(address, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/**
 * Connects to a lock socket: `{ alive: true, holder }` when something listens (holder undefined when it did not
 * answer in time), `{ alive: false }` when nothing does.
 */
export function probeLock(
  address: string,
  timeoutMs = 1000,
): Promise<{ alive: boolean; holder?: LockHolder }> {
  return new Promise((resolve) => {
    const socket = createConnection(address);
    let text = '';
    let connected = false;
    const done = (result: { alive: boolean; holder?: LockHolder }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ alive: connected }), timeoutMs);
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('end', () => {
      try {
        const holder = JSON.parse(text) as LockHolder;
        done({ alive: true, ...(typeof holder.pid === 'number' && { holder }) });
      } catch {
        done({ alive: true });
      }
    });
    socket.on('error', () => done({ alive: connected }));
  });
}

const pidOfFile = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** Takes the lock of `root` (an existing folder) or throws `InvalidInputError` naming the holder. */
export async function acquireStackLock(root: string, options: StackLockOptions = {}): Promise<StackLock> {
  const kind = options.socket ?? defaultLockSocket();
  const address = lockAddress(root, kind);
  const pidFile = join(root, 'stack.lock');
  let info: { apiUrl?: string } = {};
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(`${JSON.stringify({ pid: process.pid, ...info })}\n`);
  });
  // the lock must not keep a process alive on its own (the servers of the stack do that while it runs)
  server.unref();
  for (let attempt = 1; ; attempt++) {
    try {
      await listen(server, address);
      break;
    } catch (e) {
      if (errorCode(e) !== 'EADDRINUSE' || attempt >= 5) throw e;
    }
    const probe = await probeLock(address);
    if (probe.alive) {
      const pid = probe.holder?.pid ?? pidOfFile(pidFile);
      throw new InvalidInputError(
        `another hts process (${pid === undefined ? 'pid unknown' : `pid ${pid}`}${probe.holder?.apiUrl ? `, API on ${probe.holder.apiUrl}` : ''}) is using ${root}; stop it first (e.g. hts serve), or pass --root DIR`,
        { field: 'root' },
      );
    }
    // nobody listens: a socket file its holder left behind when it died (an abstract name cannot outlive its
    // holder; it was being released: try again)
    if (kind === 'file') rmSync(address, { force: true });
    else await new Promise((r) => setTimeout(r, 50 * attempt));
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  return {
    address,
    kind,
    pidFile,
    describe: (next) => {
      info = { ...info, ...next };
    },
    release: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (kind === 'file') rmSync(address, { force: true });
      if (pidOfFile(pidFile) === process.pid) rmSync(pidFile, { force: true });
    },
  };
}
