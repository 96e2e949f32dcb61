/**
 * Helpers of the end-to-end workloads (no workload here): run the `hts` CLI in a child Node (with the
 * `--openssl-legacy-provider` flag the local stack needs, so the CLI does not relaunch itself) and read its
 * `--json` result; make a dataset folder once and keep it under `.hts/datasets/`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { loadMembershipSource } from '../../lib/data/universe.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(PROJECT_ROOT, 'local', 'cli', 'main.ts');
/** `--import` value that loads tsx from this project whatever the child's working directory. */
export const TSX_IMPORT = pathToFileURL(join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  readonly code: number | null;
  readonly json: Record<string, unknown>;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `hts <args> --json` from `cwd`; rejects unless it exits 0. Progress lines go to our stderr as they come. */
export function runCli(args: readonly string[], cwd = PROJECT_ROOT, echo = false): Promise<CliResult> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', TSX_IMPORT, CLI, ...args, '--json'],
    { cwd, env: { ...process.env, HTS_RELAUNCHED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (echo) process.stderr.write(c);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      } catch {
        // reported below
      }
      if (code !== 0) {
        reject(
          new Error(`hts ${args.join(' ')} exited ${code}: ${stdout.slice(0, 2000)} ${stderr.slice(-2000)}`),
        );
      } else resolve({ code, json, stderr, ms });
    });
  });
}

/** A synthetic dataset in `dir`, generated once (kept between benchmark runs like the demo's). */
export async function ensureDataset(dir: string, start: string, end: string, seed: number): Promise<void> {
  if (existsSync(join(dir, 'manifest.json'))) return;
  const src = join(PROJECT_ROOT, 'data', 'sp500');
  const source = loadMembershipSource(
    readFileSync(join(src, 'membership_spells.csv'), 'utf8'),
    readFileSync(join(src, 'constituents_sectors.csv'), 'utf8'),
  );
  await generateSyntheticMarket({ start, end, seed }, source, new DiskObjectStore(dir));
}
