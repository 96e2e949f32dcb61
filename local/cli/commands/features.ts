/**
 * `hts features list [--family F] [--json]`: the feature catalogue from the registry (the same rows as
 * `docs/features.md`): name, family, formula, inputs, look-back, warm-up, known-time rule and proxy notes.
 */
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { type FeatureCatalogueEntry, featureCatalogue } from '../../../lib/features/catalogue.ts';
import { flagString, type ParsedArgs } from '../args.ts';

function formatCatalogue(entries: readonly FeatureCatalogueEntry[]): string {
  const nameWidth = Math.max(...entries.map((e) => e.name.length));
  const familyWidth = Math.max(...entries.map((e) => e.family.length));
  const lines = entries.map((e) => {
    const extra = [
      `look-back ${e.lookbackBars} bars`,
      e.knownTime.startsWith('rows of') ? 'point in time' : 'bar close',
      ...(e.membersOnly ? ['index members'] : []),
      ...(e.proxy !== undefined ? ['proxy: see --json'] : []),
    ].join(', ');
    return `${e.name.padEnd(nameWidth)}  ${e.family.padEnd(familyWidth)}  ${e.formula}  (${extra})`;
  });
  return `${lines.join('\n')}\n${entries.length} features (details: docs/features.md or --json)\n`;
}

export async function featuresCommand(args: ParsedArgs, json: boolean): Promise<number> {
  const sub = args.positionals[1];
  if (sub !== 'list') {
    throw new InvalidInputError(`unknown command 'features ${sub ?? ''}', expected 'features list'`, {
      field: 'command',
    });
  }
  let entries: FeatureCatalogueEntry[];
  let family: string | undefined;
  try {
    family = flagString(args, 'family');
    entries = featureCatalogue(family);
  } catch (e) {
    // on the command line the field is the flag: blame it
    if (e instanceof InvalidInputError)
      throw new InvalidInputError(`--family ${family}: ${e.message}`, e.details);
    throw e;
  }
  process.stdout.write(json ? `${JSON.stringify({ features: entries })}\n` : formatCatalogue(entries));
  return 0;
}
