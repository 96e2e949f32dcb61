/** Terminal output helpers: progress lines on stderr (never in --json stdout), aligned tables. */
/** `1 min 05 s`, `42 s`, `3.4 s`: a duration for people. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const r = Math.round(seconds - 60 * m);
  return r === 60 ? `${m + 1} min 00 s` : `${m} min ${String(r).padStart(2, '0')} s`;
}

/**
 * One progress line: `optimize, month 3/6  50%  elapsed 12.4 s  ETA 9.8 s`. The ETA is the stage's own: its
 * remaining items at the pace of its finished ones (`stageElapsedMs` since the stage began); none before the first
 * item is done.
 */
export function progressText(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  stageElapsedMs?: number,
): string {
  const parts = [label];
  if (total > 0) {
    parts.push(`${done}/${total}`, `${Math.floor((100 * done) / total)}%`);
  }
  parts.push(`elapsed ${formatDuration(elapsedMs / 1000)}`);
  if (total > 0 && done > 0 && done < total && stageElapsedMs !== undefined) {
    parts.push(`ETA ${formatDuration(((stageElapsedMs / 1000) * (total - done)) / done)}`);
  }
  return parts.join('  ');
}

/**
 * Progress of a local job (dataset generation, import, paper replay) on stderr: on a terminal one line rewritten in
 * place (label, i/n, percentage, elapsed, ETA); piped, one plain line per count, none skipped.
 */
export class Progress {
  private readonly t0 = performance.now();
  private last = '';
  private stage = '';
  private stageT0 = performance.now();
  private done_ = 0;
  private total_ = 0;
  constructor(
    private readonly enabled: boolean,
    private readonly tty: boolean = process.stderr.isTTY === true,
  ) {}

  update(stage: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (stage !== this.stage) {
      // the job moved on, so the previous stage is complete: say so once when its last count was not reported
      if (!this.tty && this.stage !== '' && this.total_ > 0 && this.done_ < this.total_) {
        process.stderr.write(`${progressText(this.stage, this.total_, this.total_, now - this.t0)}\n`);
      }
      this.stage = stage;
      this.stageT0 = now;
      this.done_ = 0;
    }
    this.total_ = total;
    if (this.tty) {
      const line = progressText(stage, done, total, now - this.t0, now - this.stageT0);
      if (line !== this.last) process.stderr.write(`\r\x1b[2K${line}`);
      this.last = line;
      return;
    }
    if (done === 0 && this.done_ === 0 && this.last !== stage) {
      process.stderr.write(`${progressText(stage, 0, total, now - this.t0)}\n`);
      this.last = stage;
    }
    for (let i = this.done_ + 1; i <= done; i++) {
      process.stderr.write(`${progressText(stage, i, total, now - this.t0, now - this.stageT0)}\n`);
    }
    this.done_ = Math.max(this.done_, done);
  }

  /** The outcome, once, with the job's duration: `dataset … written to … in 14.2 s`. */
  done(message: string): void {
    if (!this.enabled) return;
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${message} in ${this.elapsed()}\n`);
  }

  elapsed(): string {
    return formatDuration((performance.now() - this.t0) / 1000);
  }
}

export function table(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export const pct = (x: number, digits = 1): string =>
  Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a';
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
