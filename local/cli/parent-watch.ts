/**
 * The CLI stops when the wrapper that started it dies. `npx hts serve` is a chain of processes (npm exec → sh →
 * tsx → node → node again with `--openssl-legacy-provider`): killing its top (SIGKILL, a supervisor giving up)
 * kills none of the others, and the server would keep the port, the root's lock and LevelDB.
 *
 * The chain is this process's ancestors in its own process group: the job the shell started (npm, sh, tsx, the
 * relaunching node); the shell itself and anything above it are not watched, so `nohup hts serve &` outlives its
 * shell as intended. It is polled every `intervalMs`: on Linux each ancestor's `/proc/{pid}/stat` must still show
 * the same start time (so a PID reused by another process does not pass for the wrapper), elsewhere the PID must
 * still exist (`ps` gives the chain at start); and `process.ppid` must not change (a parent that died re-parents
 * us). The timer is unref'd: it never keeps the process alive.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** Linux: start time in clock ticks since boot (field 22 of /proc/{pid}/stat). */
  readonly startTime?: string;
}

/** Linux: `/proc/{pid}/stat`; undefined when the process does not exist. */
function procStat(pid: number): ProcessInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  // priority nice threads itrealvalue starttime …": comm may hold spaces and parentheses, so split after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTime = fields[19];
  return {
    pid,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    ...(startTime !== undefined && { startTime }),
  };
}

/** Elsewhere: `ps`. */
function psInfo(pid: number): ProcessInfo | undefined {
  try {
    const [ppid, pgid] = execFileSync('ps', ['-o', 'ppid=,pgid=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split(/\s+/)
      .map(Number);
    if (ppid === undefined || pgid === undefined || Number.isNaN(ppid) || Number.isNaN(pgid))
      return undefined;
    return { pid, ppid, pgid };
  } catch {
    return undefined;
  }
}

const infoOf = (pid: number): ProcessInfo | undefined =>
  process.platform === 'linux' ? procStat(pid) : psInfo(pid);

/** This process's ancestors in its process group, nearest first (see the module comment). */
export function wrapperChain(pid = process.pid): ProcessInfo[] {
  const self = infoOf(pid);
  if (self === undefined) return [];
  const chain: ProcessInfo[] = [];
  let next = self.ppid;
  while (next > 1 && chain.length < 32) {
    const info = infoOf(next);
    if (info === undefined || info.pgid !== self.pgid) break;
    chain.push(info);
    next = info.ppid;
  }
  return chain;
}

const alive = (ancestor: ProcessInfo): boolean => {
  if (process.platform === 'linux') return procStat(ancestor.pid)?.startTime === ancestor.startTime;
  try {
    process.kill(ancestor.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Calls `onDeath` once, naming the process, when a process of the wrapper chain dies; returns a function that
 * stops watching. With no chain (this process leads its job), nothing is watched.
 */
export function watchWrapperChain(onDeath: (why: string) => void, intervalMs = 500): () => void {
  const chain = wrapperChain();
  if (chain.length === 0) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    const dead = process.ppid !== parent ? chain[0] : chain.find((a) => !alive(a));
    if (dead === undefined) return;
    clearInterval(timer);
    onDeath(`the process that started this one (pid ${dead.pid}) has exited`);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
