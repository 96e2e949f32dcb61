import { InvalidInputError } from '../../lib/core/errors.ts';
import { parseIsoDate } from '../../lib/core/ny-time.ts';

/** Parsed command line: positional words and `--flag value` / `--flag` options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(
  argv: readonly string[],
  booleanFlags: readonly string[] = ['json', 'help', 'force'],
): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags.set(name, a.slice(eq + 1));
      else if (booleanFlags.includes(name)) flags.set(name, true);
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) {
          throw new InvalidInputError(`--${name} expects a value`, { field: name });
        }
        flags.set(name, v);
        i++;
      }
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new InvalidInputError(`--${name} expects a value`, { field: name });
  return v;
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const v = flagString(args, name);
  if (v === undefined) throw new InvalidInputError(`--${name} is required`, { field: name });
  return v;
}

export function flagInt(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new InvalidInputError(`--${name} must be a whole number, received '${v}'`, { field: name });
  return n;
}

export function flagDate(args: ParsedArgs, name: string): string | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  try {
    parseIsoDate(v, name);
  } catch {
    throw new InvalidInputError(`--${name} must be a date YYYY-MM-DD, received '${v}'`, { field: name });
  }
  return v;
}
