/**
 * `hts serve` as a child process, for the tests that kill it: the real CLI (`local/cli/main.ts`), started either
 * directly by Node (with `--openssl-legacy-provider` and tsx's loader: one process) or through the `tsx` wrapper
 * (tsx → node → node relaunched with the legacy provider: the chain `npx hts serve` makes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const CLI = new URL('../../../local/cli/main.ts', import.meta.url).pathname;
const TSX = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
/** Where `--import tsx` resolves (the project), whatever the root. */
const PROJECT = new URL('../../../', import.meta.url).pathname;

export interface ServeInfo {
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly datasets: readonly { name: string; datasetId: string }[];
}

export interface ServeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The JSON line `serve --json` prints once its datasets are published. */
  readonly ready: Promise<ServeInfo>;
  readonly exited: Promise<ServeExit>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<ServeExit>;
}

export interface ServeOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** 'tsx': through the tsx wrapper, in a process group of its own (a shell job). @default 'node' */
  readonly via?: 'node' | 'tsx';
}

export function startServe(root: string, options: ServeOptions = {}): ServeProcess {
  const args = [
    CLI,
    'serve',
    '--root',
    root,
    '--port',
    String(options.port ?? 0),
    '--workers',
    '1',
    '--json',
  ];
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const child =
    options.via === 'tsx'
      ? spawn(TSX, args, { cwd: PROJECT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', ...args], {
          cwd: PROJECT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<ServeExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<ServeInfo>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as ServeInfo);
    });
    void exited.then((e) =>
      reject(new Error(`hts serve exited (${e.code ?? e.signal}) before it was ready:\n${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    stderr: () => stderr,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000) => {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * Objects of the local S3 folder `s3Dir` that are not whole: an object file without its `metadata.json`, or whose
 * `.md5` (written only once the bytes are all there) disagrees with its bytes. Temp files are not objects.
 */
export function tornObjects(s3Dir: string): string[] {
  const torn: string[] = [];
  const files = readdirSync(s3Dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const names = new Set(files.map((e) => join(e.parentPath, e.name)));
  for (const path of names) {
    if (!path.endsWith('._S3rver_object')) continue;
    const base = path.slice(0, -'._S3rver_object'.length);
    const sum = names.has(`${path}.md5`) ? readFileSync(`${path}.md5`, 'utf8') : undefined;
    if (
      !names.has(`${base}._S3rver_metadata.json`) ||
      (sum !== undefined && sum !== md5(readFileSync(path)))
    ) {
      torn.push(path.slice(s3Dir.length + 1));
    }
  }
  return torn;
}
