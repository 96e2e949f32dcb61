#!/usr/bin/env -S npx tsx
/**
 * `hts`: the command line of the embedded mode. Exit codes: 0 success, 1 the job failed, 2 bad usage or bad
 * input (with the offending field or row named). `--json` prints machine-readable output on stdout; progress
 * goes to stderr.
 */
import { existsSync } from 'node:fs';
import { isAppError } from '../lib/core/errors.ts';
import { parseArgs } from './cli-args.ts';
import { dataCommand, describeDataset, formatSummary, generateDataset } from './data-commands.ts';
import { defaultDemoDatasetDir } from './paths.ts';

const USAGE = `usage: hts <command> [options]

  demo                                   make the demo dataset if missing and summarise it
  data generate --out DIR [--start D] [--end D] [--seed N]
                                         a synthetic dataset on the real S&P 500 membership
  data import --from DIR --out DIR       your CSV/Parquet files → a validated dataset
  data describe --data DIR               summarise a dataset folder

  --json   machine-readable output on stdout
`;

/** The demo dataset: two years on the real membership, fixed seed (see README). */
export const DEMO_DATASET = { start: '2023-01-01', end: '2024-12-31', seed: 7 } as const;

async function demo(json: boolean): Promise<number> {
  const dir = defaultDemoDatasetDir();
  if (!existsSync(`${dir}/manifest.json`)) {
    await generateDataset({ out: dir, ...DEMO_DATASET, progress: !json });
  }
  const summary = await describeDataset(dir);
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`hts demo dataset\n${formatSummary(summary, dir)}\n`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let json = false;
  try {
    const args = parseArgs(argv);
    json = args.flags.get('json') === true;
    const cmd = args.positionals[0];
    if (!cmd || args.flags.has('help')) {
      process.stdout.write(USAGE);
      return cmd ? 0 : 2;
    }
    if (cmd === 'demo') return await demo(json);
    if (cmd === 'data') return await dataCommand(args, json);
    process.stderr.write(`unknown command '${cmd}'\n${USAGE}`);
    return 2;
  } catch (e) {
    if (isAppError(e)) {
      const bad = e.code === 'INVALID_INPUT' || e.code === 'DATA_INTEGRITY' || e.code === 'NOT_FOUND';
      if (json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
      else process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return bad ? 2 : 1;
    }
    process.stderr.write(`error INTERNAL: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
