import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMembershipSource, type MembershipSource } from '../lib/data/universe.ts';

/** The project's root folder (where package.json is). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The local working folder of the embedded mode: `.hts/` in the current directory. */
export function workDir(cwd = process.cwd()): string {
  return resolve(cwd, '.hts');
}

export function defaultDemoDatasetDir(cwd = process.cwd()): string {
  return join(workDir(cwd), 'datasets', 'demo');
}

/** The real S&P 500 membership and sectors shipped in `data/sp500/`. */
export function loadBundledMembership(): MembershipSource {
  const dir = join(PROJECT_ROOT, 'data', 'sp500');
  return loadMembershipSource(
    readFileSync(join(dir, 'membership_spells.csv'), 'utf8'),
    readFileSync(join(dir, 'constituents_sectors.csv'), 'utf8'),
  );
}
