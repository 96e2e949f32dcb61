/**
 * Every `hts` command as data: its words, positional arguments, flags (name, value, meaning) and one-line summary.
 * The parser (`args.ts`) accepts exactly these flags per command (strict: an unknown flag is an error naming the
 * nearest valid one), and the help texts (`hts --help`, `hts help CMD`, `hts CMD --help`) are rendered from the
 * same table, so the help cannot drift from what the parser accepts.
 */

export interface FlagDef {
  readonly name: string;
  /** `boolean`: a switch; `string`: takes a value (`--name VALUE` or `--name=VALUE`). */
  readonly type: 'boolean' | 'string';
  /** The value's placeholder in help (`FILE`, `D`, `N`). */
  readonly value?: string;
  readonly description: string;
  readonly required?: boolean;
  readonly short?: string;
}

export interface PositionalDef {
  readonly name: string;
  readonly description: string;
}

export interface CommandDef {
  /** The command's words: `['backtest']`, `['data', 'generate']`. */
  readonly words: readonly string[];
  readonly summary: string;
  readonly flags: readonly FlagDef[];
  readonly positionals?: readonly PositionalDef[];
  /** Starts the local stack (needs the legacy OpenSSL provider). */
  readonly stack?: boolean;
  /** More lines of help after the flags. */
  readonly notes?: readonly string[];
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: readonly FlagDef[] = [
  {
    name: 'root',
    type: 'string',
    value: 'DIR',
    description: "the local stack's folder: S3 objects, tables, datasets, logs (default .hts)",
  },
  {
    name: 'json',
    type: 'boolean',
    description: 'machine-readable output on stdout (progress stays on stderr)',
  },
  { name: 'help', type: 'boolean', short: 'h', description: 'this help' },
];

const DATA_FLAG: FlagDef = {
  name: 'data',
  type: 'string',
  value: 'DIR|NAME',
  description:
    'the dataset: a folder, or the name of a dataset under ROOT/datasets (hts data list); default: the one the spec names',
};
const TENANT_FLAG: FlagDef = {
  name: 'tenant',
  type: 'string',
  value: 'T',
  description: 'act as this tenant of the local API (default local)',
};
const SPEC_FLAG: FlagDef = {
  name: 'spec',
  type: 'string',
  value: 'FILE',
  required: true,
  description: 'the run spec (JSON, docs/spec.md)',
};

export const COMMANDS: readonly CommandDef[] = [
  {
    words: ['demo'],
    summary:
      'make the demo dataset if missing, run examples/demo.json through the local stack, print a summary',
    stack: true,
    flags: [
      { name: 'out', type: 'string', value: 'DIR', description: 'where the artifacts go (default outputs/)' },
    ],
  },
  {
    words: ['backtest'],
    summary: 'one run through the local stack; artifacts (sha256-checked) into --out',
    stack: true,
    flags: [
      SPEC_FLAG,
      DATA_FLAG,
      { name: 'out', type: 'string', value: 'DIR', description: 'where the artifacts go (default outputs/)' },
      {
        name: 'start',
        type: 'string',
        value: 'D',
        description: "first date (YYYY-MM-DD), overrides the spec's period.start",
      },
      {
        name: 'end',
        type: 'string',
        value: 'D',
        description: "last date (YYYY-MM-DD), overrides the spec's period.end",
      },
      TENANT_FLAG,
    ],
  },
  {
    words: ['serve'],
    summary: 'the local API and the dashboard on 127.0.0.1 until Ctrl-C',
    stack: true,
    flags: [
      { name: 'port', type: 'string', value: 'N', description: 'the port (default 8787)' },
      {
        name: 'workers',
        type: 'string',
        value: 'N',
        description: 'step worker threads (default: the cores)',
      },
      TENANT_FLAG,
    ],
  },
  {
    words: ['paper', 'replay'],
    summary:
      'paper trading over past hours: trains the spec’s model before --from, then drives the hourly paper tick',
    stack: true,
    flags: [
      SPEC_FLAG,
      {
        name: 'from',
        type: 'string',
        value: 'D',
        required: true,
        description: 'first date of the replay (YYYY-MM-DD)',
      },
      {
        name: 'to',
        type: 'string',
        value: 'D',
        required: true,
        description: 'last date of the replay (YYYY-MM-DD)',
      },
      DATA_FLAG,
      TENANT_FLAG,
    ],
  },
  {
    words: ['audit', 'lookahead'],
    summary: "future-perturbation test of the spec's features at bar T; exit 1 on any difference",
    flags: [
      SPEC_FLAG,
      {
        name: 'at',
        type: 'string',
        value: 'T',
        required: true,
        description: 'the bar: ISO time with offset, a date (its last bar), or epoch ms',
      },
      DATA_FLAG,
    ],
  },
  {
    words: ['data', 'list'],
    summary: 'the datasets under ROOT/datasets: id, name, period, symbols, series',
    flags: [],
  },
  {
    words: ['data', 'generate'],
    summary: 'a synthetic dataset on the real S&P 500 membership',
    flags: [
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        required: true,
        description: 'the dataset folder (replaced); ROOT/datasets/NAME makes it usable as --data NAME',
      },
      { name: 'start', type: 'string', value: 'D', description: 'first date (default 2015-01-01)' },
      { name: 'end', type: 'string', value: 'D', description: 'last date (default 2024-12-31)' },
      { name: 'seed', type: 'string', value: 'N', description: 'random seed, an integer >= 0 (default 7)' },
    ],
  },
  {
    words: ['data', 'import'],
    summary: 'your CSV/Parquet files → a validated dataset in the same layout',
    flags: [
      { name: 'from', type: 'string', value: 'DIR', required: true, description: 'the folder of your files' },
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        required: true,
        description: 'the dataset folder to write',
      },
      {
        name: 'name',
        type: 'string',
        value: 'N',
        description: "the dataset's name (default: the --from folder's name)",
      },
    ],
  },
  {
    words: ['data', 'describe'],
    summary: 'summarise a dataset: period, symbols, membership, series, gaps',
    flags: [
      { ...DATA_FLAG, required: true, description: 'the dataset: a folder, or a name under ROOT/datasets' },
    ],
  },
  {
    words: ['features', 'list'],
    summary: 'the feature catalogue: name, family, formula, inputs, look-back, known-time rule, proxy notes',
    flags: [
      {
        name: 'family',
        type: 'string',
        value: 'F',
        description:
          'only this family: momentum, volatility, liquidity, cross_sectional, fundamental, macro, sentiment, analyst, freshness',
      },
    ],
  },
  {
    words: ['logs'],
    summary: "the local Lambda log lines of one run (ROOT/logs/lambda.log), one per step's start and end",
    positionals: [{ name: 'RUN_ID', description: 'the run id (printed at submit, in hts backtest --json)' }],
    flags: [
      {
        name: 'follow',
        type: 'boolean',
        short: 'f',
        description: 'keep printing new lines as they are written, until Ctrl-C',
      },
    ],
  },
];

/** The first words of the commands that have subcommands. */
export const GROUPS: readonly string[] = [
  ...new Set(COMMANDS.filter((c) => c.words.length > 1).map((c) => c.words[0]!)),
];

export const commandName = (c: CommandDef): string => c.words.join(' ');

/** The flags a command accepts, its own first. */
export const flagsOf = (c: CommandDef): readonly FlagDef[] => [...c.flags, ...GLOBAL_FLAGS];

const flagUsage = (f: FlagDef): string => {
  const text = f.type === 'string' ? `--${f.name} ${f.value ?? 'VALUE'}` : `--${f.name}`;
  return f.required === true ? text : `[${text}]`;
};

/** `backtest --spec FILE [--data DIR|NAME] …`: the command's synopsis. */
export const synopsis = (c: CommandDef): string =>
  [commandName(c), ...(c.positionals ?? []).map((p) => p.name), ...c.flags.map(flagUsage)].join(' ');

const flagRows = (flags: readonly FlagDef[]): string => {
  const left = flags.map((f) =>
    [
      f.short !== undefined ? `-${f.short}, ` : '',
      `--${f.name}`,
      f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : '',
    ]
      .join('')
      .trim(),
  );
  const w = Math.max(...left.map((l) => l.length));
  return flags
    .map((f, i) => `  ${left[i]!.padEnd(w)}  ${f.description}${f.required === true ? ' (required)' : ''}`)
    .join('\n');
};

/** `hts CMD --help`. */
export function commandHelp(c: CommandDef): string {
  const lines = [`usage: hts ${synopsis(c)}`, '', `${c.summary}.`];
  if (c.positionals !== undefined && c.positionals.length > 0) {
    lines.push('', 'arguments:');
    for (const p of c.positionals) lines.push(`  ${p.name}  ${p.description}`);
  }
  if (c.flags.length > 0) lines.push('', 'flags:', flagRows(c.flags));
  lines.push('', 'global flags:', flagRows(GLOBAL_FLAGS));
  if (c.notes !== undefined) lines.push('', ...c.notes);
  return `${lines.join('\n')}\n`;
}

/** `hts data --help`: the group's subcommands. */
export function groupHelp(group: string): string {
  const subs = COMMANDS.filter((c) => c.words[0] === group && c.words.length > 1);
  const w = Math.max(...subs.map((c) => commandName(c).length));
  return `usage: hts ${group} <${subs.map((c) => c.words[1]).join('|')}> [flags]\n\n${subs
    .map((c) => `  ${commandName(c).padEnd(w)}  ${c.summary}`)
    .join('\n')}\n\nhts ${group} <command> --help lists its flags.\n`;
}

/** `hts --help`. */
export function globalHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => commandName(c).length));
  return [
    'usage: hts <command> [flags]        (npm run hts -- <command> [flags])',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${commandName(c).padEnd(w)}  ${c.summary}`),
    `  ${'help [COMMAND]'.padEnd(w)}  this help, or a command's flags (also: hts COMMAND --help)`,
    '',
    'global flags:',
    flagRows(GLOBAL_FLAGS),
    '',
    'Exit codes: 0 success, 1 the job failed, 2 bad usage or bad input (the message names the flag, field or row).',
    'The run spec: docs/spec.md. The features: docs/features.md (hts features list).',
    '',
  ].join('\n');
}
