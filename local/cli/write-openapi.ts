/**
 * Regenerates the committed `openapi.json` from the zod schemas: `npx tsx local/cli/write-openapi.ts`. The file is
 * then formatted with Biome (the repository's formatter, which `npm run lint` checks), so the committed bytes
 * are Biome's; `test/lambdas/run-routes.test.ts` compares the parsed document with the generated one.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../../lib/api/openapi.ts';

const target = fileURLToPath(new URL('../../openapi.json', import.meta.url));
const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));
writeFileSync(target, openApiJson());
execFileSync(biome, ['format', '--write', target], { stdio: 'inherit' });
process.stdout.write(`wrote ${target}\n`);
