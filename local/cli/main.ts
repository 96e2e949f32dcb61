#!/usr/bin/env -S npx tsx
/**
 * `hts`: the command line of the embedded mode. Exit codes: 0 success, 1 the job failed, 2 bad usage or bad
 * input (with the offending flag, field or row named). `--json` prints machine-readable output on stdout; progress
 * goes to stderr. The commands and their flags are a table (`command-table.ts`), parsed strictly with Node's
 * `util.parseArgs` (`args.ts` says why): `hts --help`, `hts help CMD` and `hts CMD --help` print help and exit 0;
 * an unknown flag exits 2 naming it and the nearest valid flag.
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
import { flagString, parseCommandLine } from './args.ts';
import { watchWrapperChain } from './parent-watch.ts';
import { installStopSignals, requestStop, StoppedError } from './stop-signals.ts';

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
  // --json anywhere asks for JSON errors too, even when the command line itself is wrong
  let json = argv.includes('--json');
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      process.stdout.write(line.text);
      return 0;
    }
    const { command, args } = line;
    json = args.flags.get('json') === true;
    const root = resolve(flagString(args, 'root') ?? '.hts');
    if (command.stack === true && !hasLegacyOpenSsl() && process.env.HTS_RELAUNCHED !== '1') {
      return await relaunchWithLegacyOpenSsl();
    }
    if (command.stack === true) {
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
    switch (command.words[0]) {
      case 'demo':
        return await (await import('./commands/backtest.ts')).demoCommand(args, json, root);
      case 'backtest':
        return await (await import('./commands/backtest.ts')).backtestCommand(args, json, root);
      case 'serve':
        return await (await import('./commands/serve.ts')).serveCommand(args, json, root);
      case 'paper':
        return await (await import('./commands/paper.ts')).paperCommand(args, json, root);
      case 'audit':
        return await (await import('./commands/audit.ts')).auditCommand(args, json, root);
      case 'data':
        return await (await import('./commands/data.ts')).dataCommand(args, json, root);
      case 'features':
        return await (await import('./commands/features.ts')).featuresCommand(args, json);
      case 'logs':
        return await (await import('./commands/logs.ts')).logsCommand(args, json, root);
      default:
        throw new Error(`command ${command.words.join(' ')} has no implementation`);
    }
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
