/**
 * Regenerates the committed references under `docs/`: `npx tsx local/cli/write-docs.ts`.
 * - `docs/spec.md`: every field of the run spec (and of the paper-trading body) with type, unit, default, bounds
 *   and description, from the zod schemas' `.describe()` / `.meta()` (`lib/api/spec-docs.ts`);
 * - `docs/features.md`: the feature catalogue from the registry (`lib/features/catalogue.ts`).
 * Tests (`test/api/spec-docs.test.ts`, `test/features/catalogue.test.ts`) keep the files equal to these generators.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { specMarkdown } from '../../lib/api/spec-docs.ts';
import { featuresMarkdown } from '../../lib/features/catalogue.ts';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
mkdirSync(docs, { recursive: true });
for (const [name, text] of [
  ['spec.md', specMarkdown()],
  ['features.md', featuresMarkdown()],
] as const) {
  writeFileSync(`${docs}${name}`, text);
  process.stdout.write(`wrote docs/${name}\n`);
}
