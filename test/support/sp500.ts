import { readFileSync } from 'node:fs';
import { loadMembershipSource, type MembershipSource } from '../../lib/data/universe.ts';

const dir = new URL('../../data/sp500/', import.meta.url);

export const readSp500 = (file: string): string => readFileSync(new URL(file, dir), 'utf8');

let cached: MembershipSource | undefined;
/** The real membership bundled in data/sp500 (read once per test file). */
export function sp500Source(): MembershipSource {
  cached ??= loadMembershipSource(readSp500('membership_spells.csv'), readSp500('constituents_sectors.csv'));
  return cached;
}
