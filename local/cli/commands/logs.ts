/**
 * `hts logs RUN_ID [--follow] [--json]`: the lines of the local Lambda log (`ROOT/logs/lambda.log`, where the
 * local stack's worker threads write the handlers' Powertools JSON logs) that belong to one run — the step
 * handlers' start and end lines (stage, item, seconds), warnings and errors. `--json` prints the matching lines
 * as they are (one JSON object per line); `--follow` keeps reading as the file grows, until Ctrl-C.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError } from '../../../lib/core/errors.ts';
import type { ParsedArgs } from '../args.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const POLL_MS = 250;

type LogLine = Record<string, unknown>;

/** The parsed line when it is a JSON log line of `runId`, else undefined. */
export function logLineOfRun(line: string, runId: string): LogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const l = parsed as LogLine;
  return l.runId === runId || l.correlation_id === runId ? l : undefined;
}

/** `2026-12-07T14:50:01.123Z INFO  buildFeatures 2024-07  step end  1.42 s`. */
export function formatLogLine(l: LogLine): string {
  const parts = [
    String(l.timestamp ?? ''),
    String(l.level ?? '').padEnd(5),
    String(l.stage ?? l.step ?? ''),
    l.item === undefined ? '' : String(l.item),
    String(l.message ?? ''),
    typeof l.seconds === 'number' ? `${l.seconds} s` : '',
    l.error !== undefined ? JSON.stringify(l.error) : '',
  ];
  return parts.filter((p) => p !== '').join('  ');
}

/** Reads `file` from `offset`; returns the complete lines and the offset after the last one. */
function readLines(file: string, offset: number): { lines: string[]; offset: number } {
  const size = statSync(file).size;
  if (size <= offset) return { lines: [], offset: size < offset ? 0 : offset };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset };
    return {
      lines: text.slice(0, end).split('\n'),
      offset: offset + Buffer.byteLength(text.slice(0, end + 1)),
    };
  } finally {
    closeSync(fd);
  }
}

export async function logsCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const runId = args.positionals[1];
  if (runId === undefined)
    throw new InvalidInputError('a RUN_ID is required: hts logs RUN_ID', { field: 'RUN_ID' });
  if (!RUN_ID.test(runId)) {
    throw new InvalidInputError(`RUN_ID must be a run id (1..80 of A-Z a-z 0-9 _ -), received '${runId}'`, {
      field: 'RUN_ID',
    });
  }
  const follow = args.flags.get('follow') === true;
  const file = join(root, 'logs', 'lambda.log');
  if (!existsSync(file) && !follow) {
    throw new NotFoundError(`no log at ${file}: the local stack writes it when it runs (--root DIR?)`, {
      field: 'root',
    });
  }
  let offset = 0;
  let matched = 0;
  const drain = (): void => {
    if (!existsSync(file)) return;
    const r = readLines(file, offset);
    offset = r.offset;
    for (const line of r.lines) {
      const l = logLineOfRun(line, runId);
      if (l === undefined) continue;
      matched++;
      process.stdout.write(`${json ? line : formatLogLine(l)}\n`);
    }
  };
  drain();
  if (!follow) {
    if (matched === 0) {
      throw new NotFoundError(`no log lines of run ${runId} in ${file}`, { field: 'RUN_ID', runId });
    }
    return 0;
  }
  await new Promise<void>((done) => {
    const timer = setInterval(drain, POLL_MS);
    const stop = (): void => {
      clearInterval(timer);
      drain();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
