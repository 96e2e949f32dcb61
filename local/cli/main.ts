#!/usr/bin/env -S npx tsx
/**
 * `hts`: the command line of the embedded mode. Exit codes: 0 success, 1 the job failed, 2 bad usage or bad
 * input (with the offending field or row named). `--json` prints machine-readable output on stdout; progress
 * goes to stderr.
 *
 * The commands that start the local stack need Node's legacy OpenSSL provider (s3rver encrypts listing tokens
 * with DES): when it is missing, the CLI runs itself again with `--openssl-legacy-provider`, so `npm run hts`,
 * `npx tsx local/cli/main.ts` and the `hts` bin all work.
 *
 * Those commands install their stop handlers first (`stop-signals.ts`: Ctrl-C stops them cleanly, never halfway
 * through a write) and stop when the wrapper that started them dies (`parent-watch.ts`: `npx` killed).
 */
import { spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { resolve } from 'node:path';
import { isAppError } from '../../lib/core/errors.ts';
import { flagString, parseArgs } from './args.ts';
import { watchWrapperChain } from './parent-watch.ts';
import { installStopSignals, requestStop, StoppedError } from './stop-signals.ts';

const USAGE = `usage: hts <command> [options]

  demo [--out DIR]                       the demo: makes the demo dataset if missing, runs examples/demo.json
                                         through the local stack, prints a summary; artifacts in outputs/
  backtest --spec FILE [--data DIR] [--out DIR] [--start D] [--end D] [--tenant T]
                                         one run through the local stack (local API, state machine,
                                         handlers); artifacts downloaded into --out (default outputs/)
  serve [--port N] [--tenant T] [--workers N]
                                         the local API and the run list/report pages on 127.0.0.1 (default
                                         port 8787) until Ctrl-C; --workers: step worker threads (default:
                                         the cores)
  paper replay --spec FILE --from D --to D [--data DIR] [--tenant T]
                                         paper trading over past hours: trains the spec's model on data before
                                         --from (a backtest of the window), creates the strategy, drives the
                                         scheduled paper tick hour by hour; --json: strategy, portfolio,
                                         decisions
  audit lookahead --spec FILE --at T [--data DIR]
                                         future-perturbation test of the spec's features at bar T; exit 1 on
                                         any difference
  data generate --out DIR [--start D] [--end D] [--seed N]
                                         a synthetic dataset on the real S&P 500 membership
  data import --from DIR --out DIR       your CSV/Parquet files → a validated dataset
  data describe --data DIR               summarise a dataset folder

  --root DIR   the local stack's folder (S3 objects, tables, datasets, logs; default .hts)
  --json       machine-readable output on stdout
`;

const STACK_COMMANDS = new Set(['demo', 'backtest', 'serve', 'paper']);

/** Whether this Node can use DES (s3rver's listing tokens), i.e. runs with `--openssl-legacy-provider`. */
export function hasLegacyOpenSsl(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** Runs this CLI again in a child Node with `--openssl-legacy-provider`; resolves to its exit code. */
function relaunchWithLegacyOpenSsl(): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, HTS_RELAUNCHED: '1' } },
  );
  // Ctrl-C reaches the child through the terminal's process group; keep this process alive until it exits
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((done) => {
    child.on('exit', (code, signal) => done(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
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
    const root = resolve(flagString(args, 'root') ?? '.hts');
    if (STACK_COMMANDS.has(cmd) && !hasLegacyOpenSsl() && process.env.HTS_RELAUNCHED !== '1') {
      return await relaunchWithLegacyOpenSsl();
    }
    if (STACK_COMMANDS.has(cmd)) {
      installStopSignals();
      watchWrapperChain((why) => {
        process.stderr.write(`${why}: stopping\n`);
        requestStop('SIGHUP', why);
        // a stop that hangs must not keep the port and the lock
        setTimeout(() => process.exit(129), 15_000).unref();
      });
    }
    // the AWS SDK warns once per process that Node 20 support ends in 2027; the CLI's output is not the place
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // each command's modules are loaded only when it runs (the stack's pull in the AWS SDK, s3rver, dynalite)
    if (cmd === 'demo') return await (await import('./commands/backtest.ts')).demoCommand(args, json, root);
    if (cmd === 'backtest')
      return await (await import('./commands/backtest.ts')).backtestCommand(args, json, root);
    if (cmd === 'serve') return await (await import('./commands/serve.ts')).serveCommand(args, json, root);
    if (cmd === 'paper') return await (await import('./commands/paper.ts')).paperCommand(args, json, root);
    if (cmd === 'audit') return await (await import('./commands/audit.ts')).auditCommand(args, json, root);
    if (cmd === 'data') return await (await import('./commands/data.ts')).dataCommand(args, json);
    process.stderr.write(`unknown command '${cmd}'\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof StoppedError) {
      if (json)
        process.stdout.write(`${JSON.stringify({ error: { code: 'STOPPED', message: e.message } })}\n`);
      else process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    if (isAppError(e)) {
      const bad = e.code === 'INVALID_INPUT' || e.code === 'DATA_INTEGRITY' || e.code === 'NOT_FOUND';
      if (json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
      else process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return bad ? 2 : 1;
    }
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ error: { code: 'INTERNAL', message: (e as Error).message } })}\n`,
      );
    } else process.stderr.write(`error INTERNAL: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
