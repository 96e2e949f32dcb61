/**
 * The command line, parsed with Node's own `util.parseArgs` in strict mode. Why it and not commander or yargs: it
 * ships with Node (no new dependency, nothing to audit or update), it refuses unknown flags and missing values
 * itself, and our commands are a flat table (`command-table.ts`) from which we render the help ourselves; what it
 * lacks — subcommands, help, "did you mean" — is a few lines here.
 */
import { join as joinPath, resolve as resolvePath } from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { nearestNames } from '../../lib/core/index.ts';
import { parseIsoDate } from '../../lib/core/ny-time.ts';
import {
  COMMANDS,
  type CommandDef,
  commandHelp,
  commandName,
  type FlagDef,
  flagsOf,
  GLOBAL_FLAGS,
  GROUPS,
  globalHelp,
  groupHelp,
} from './command-table.ts';

/** Parsed command line: positional words and `--flag value` / `--flag` options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

/** What the command line asks for: a help text to print (exit 0), or a command to run with its arguments. */
export type CommandLine =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'command'; readonly command: CommandDef; readonly args: ParsedArgs };

type NodeOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

const optionsOf = (flags: readonly FlagDef[]): NodeOptions =>
  Object.fromEntries(
    flags.map((f) => [f.name, { type: f.type, ...(f.short !== undefined && { short: f.short }) }]),
  );

/** Every flag of every command: a lenient first pass that finds the command words. */
const ALL_FLAGS: readonly FlagDef[] = [
  ...new Map([...COMMANDS.flatMap((c) => c.flags), ...GLOBAL_FLAGS].map((f) => [f.name, f])).values(),
];

const commandNames = (): string[] => [...COMMANDS.map(commandName), 'help'];

const unknownCommand = (words: string): InvalidInputError =>
  new InvalidInputError(
    `unknown command '${words}'; nearest: ${nearestNames(words, commandNames()).join(', ')} (hts --help lists them)`,
    { field: 'command', received: words },
  );

/** The command named by the leading words, or what to answer instead. */
function findCommand(words: readonly string[]): CommandDef | { group: string } | undefined {
  const [first, second] = words;
  if (first === undefined) return undefined;
  if (GROUPS.includes(first)) {
    if (second === undefined) return { group: first };
    const c = COMMANDS.find((x) => x.words[0] === first && x.words[1] === second);
    if (c === undefined) throw unknownCommand(`${first} ${second}`);
    return c;
  }
  const c = COMMANDS.find((x) => x.words.length === 1 && x.words[0] === first);
  if (c === undefined) throw unknownCommand(first);
  return c;
}

/** The help text `hts help WORDS…` answers. */
function helpFor(words: readonly string[]): string {
  const found = findCommand(words);
  if (found === undefined) return globalHelp();
  return 'group' in found ? groupHelp(found.group) : commandHelp(found);
}

/** Node's parse errors, told in our words: the flag named, the nearest valid one suggested. */
function flagError(e: unknown, command: CommandDef): InvalidInputError {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const flag = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '');
  const where = `hts ${commandName(command)}`;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const valid = flagsOf(command).map((f) => f.name);
    const nearest = nearestNames(name, valid, 1)[0];
    return new InvalidInputError(
      `unknown flag ${flag} for '${where}'${nearest !== undefined ? `; did you mean --${nearest}?` : ''} (${where} --help lists its flags)`,
      { field: name, received: flag, ...(nearest !== undefined && { nearest: `--${nearest}` }) },
    );
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const def = flagsOf(command).find((f) => f.name === name);
    if (def?.type === 'boolean') {
      return new InvalidInputError(`--${name} is a switch and takes no value`, { field: name });
    }
    return new InvalidInputError(`--${name} expects a value (${where} --help)`, { field: name });
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = /'([^']+)'/.exec(message)?.[1] ?? '';
    return new InvalidInputError(`unexpected argument '${extra}' for '${where}' (${where} --help)`, {
      field: 'command',
      received: extra,
    });
  }
  return new InvalidInputError(message, { field: 'command' });
}

/**
 * Parses `argv` (without node and the script). A first, lenient pass finds the command words; the second pass
 * is strict with exactly that command's flags. `--help`/`-h` anywhere, `hts help …` and a group alone with
 * `--help` answer help. Bad usage throws `InvalidInputError` naming the flag (exit 2).
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const lenient = nodeParseArgs({
    args: [...argv],
    options: optionsOf(ALL_FLAGS),
    strict: false,
    allowPositionals: true,
  });
  const words = lenient.positionals;
  const helpFlag = lenient.values.help === true;
  if (words[0] === 'help') return { kind: 'help', text: helpFor(words.slice(1)) };
  const found = findCommand(words);
  if (found === undefined) {
    if (helpFlag) return { kind: 'help', text: globalHelp() };
    throw new InvalidInputError(`a command is required\n${globalHelp()}`, { field: 'command' });
  }
  if ('group' in found) {
    if (helpFlag) return { kind: 'help', text: groupHelp(found.group) };
    throw new InvalidInputError(`'hts ${found.group}' needs a subcommand\n${groupHelp(found.group)}`, {
      field: 'command',
    });
  }
  if (helpFlag) return { kind: 'help', text: commandHelp(found) };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({
      args: [...argv],
      options: optionsOf(flagsOf(found)),
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw flagError(e, found);
  }
  const positionals = parsed.positionals;
  const allowed = found.words.length + (found.positionals?.length ?? 0);
  if (positionals.length > allowed) {
    const extra = positionals[allowed]!;
    throw new InvalidInputError(
      `unexpected argument '${extra}' for 'hts ${commandName(found)}' (hts ${commandName(found)} --help)`,
      { field: 'command', received: extra },
    );
  }
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') flags.set(k, v);
    else if (v === true) flags.set(k, true);
  }
  return { kind: 'command', command: found, args: { positionals, flags } };
}

/** The arguments of a command line that names a command (help requests are bad usage here). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const line = parseCommandLine(argv);
  if (line.kind === 'help')
    throw new InvalidInputError('expected a command, not a help request', { field: 'help' });
  return line.args;
}

/** The dataset folder `--data` names: an existing folder, else `ROOT/datasets/NAME` when it holds a dataset. */
export function resolveDataFlag(value: string, root: string, exists: (p: string) => boolean): string {
  const asPath = resolvePath(value);
  if (exists(asPath)) return asPath;
  const named = joinPath(root, 'datasets', value);
  if (exists(joinPath(named, 'manifest.json'))) return named;
  throw new InvalidInputError(
    `--data ${value}: no such folder, and no dataset named '${value}' under ${joinPath(root, 'datasets')} (hts data list shows them)`,
    { field: 'data', received: value },
  );
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
