/**
 * How the CLI shows a run: the progress line while it runs (stage, item i of n, elapsed), per-stage times, and
 * the summary table of a finished run (strategy vs SPY).
 */
import type { RunView } from './api-client.ts';
import { formatDuration, pct, progressText, table } from './output.ts';

export { formatDuration, progressText };

export const STAGES = ['prepare', 'buildFeatures', 'trainScore', 'optimize', 'simulate', 'finalize'] as const;
export type Stage = (typeof STAGES)[number];

const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  prepare: 'prepare',
  buildFeatures: 'build features, month',
  trainScore: 'train + score, fold',
  optimize: 'optimize, month',
  simulate: 'simulate, chunk',
  finalize: 'finalize',
};

/** The stage a running run is in: the first one not finished (done < total, or not started). */
export function currentStage(run: RunView): { stage: Stage; done: number; total: number } | undefined {
  if (run.status !== 'RUNNING') return undefined;
  for (const stage of STAGES) {
    const p = run.progress[stage];
    if (p === undefined || p.total === 0 || p.done < p.total) {
      return { stage, done: p?.done ?? 0, total: p?.total ?? 0 };
    }
  }
  return { stage: 'finalize', done: 1, total: 1 };
}

/** The progress line of a run (see `progressText`). */
export function progressLine(run: RunView, elapsedMs: number, stageElapsedMs?: number): string {
  if (run.status === 'QUEUED') return progressText('queued', 0, 0, elapsedMs);
  const s = currentStage(run);
  if (s === undefined) return progressText(run.status.toLowerCase(), 0, 0, elapsedMs);
  return progressText(STAGE_LABELS[s.stage], s.done, s.total, elapsedMs, stageElapsedMs);
}

/**
 * Prints a run's progress on stderr. On a terminal: one line rewritten in place at every poll (counts, percentage,
 * elapsed, ETA). Piped: plain lines, one per item of every stage — when a poll finds several items (or a whole
 * stage) done since the last one, a line for each count, so no count is ever skipped.
 */
export class ProgressPrinter {
  readonly #enabled: boolean;
  readonly #tty: boolean;
  readonly #t0 = performance.now();
  #last = '';
  #stage = '';
  #stageT0 = performance.now();
  /** Piped: the counts printed per stage, and when each stage was first seen running. */
  readonly #printed = new Map<Stage, number>();
  readonly #seen = new Map<Stage, number>();
  #queuedShown = false;

  constructor(enabled: boolean, tty: boolean = process.stderr.isTTY === true) {
    this.#enabled = enabled;
    this.#tty = tty;
  }

  update(run: RunView): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (this.#tty) {
      const s = currentStage(run);
      const stage = run.status === 'QUEUED' ? 'queued' : (s?.stage ?? run.status);
      if (stage !== this.#stage) {
        this.#stage = stage;
        this.#stageT0 = now;
      }
      const line = progressLine(run, now - this.#t0, now - this.#stageT0);
      if (line !== this.#last) process.stderr.write(`\r\x1b[2K${line}`);
      this.#last = line;
      return;
    }
    if (run.status === 'QUEUED') {
      if (!this.#queuedShown) this.#write(progressLine(run, now - this.#t0));
      this.#queuedShown = true;
      return;
    }
    const current = currentStage(run)?.stage;
    if (current !== undefined && !this.#seen.has(current)) this.#seen.set(current, now);
    for (const stage of STAGES) {
      const p = run.progress[stage];
      if (p === undefined || p.total === 0) continue;
      const printed = this.#printed.get(stage) ?? 0;
      if (p.done <= printed) continue;
      if (!this.#seen.has(stage)) this.#seen.set(stage, now);
      const stageMs = now - this.#seen.get(stage)!;
      for (let done = printed + 1; done <= p.done; done++) {
        this.#write(progressText(STAGE_LABELS[stage], done, p.total, now - this.#t0, stageMs));
      }
      this.#printed.set(stage, p.done);
    }
  }

  #write(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** Clears the terminal's progress line (the caller prints the outcome once, with its duration). */
  clear(): void {
    if (!this.#enabled) return;
    if (this.#tty && this.#last !== '') process.stderr.write('\r\x1b[2K');
    this.#last = '';
  }

  message(text: string): void {
    if (!this.#enabled) return;
    if (this.#tty && this.#last !== '') process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${text}\n`);
    this.#last = '';
  }
}

/**
 * Seconds per stage, as the API reports them (`progress[stage].seconds`: `stageWallSeconds` in lib/runs, the one
 * definition shared with report.html's Timings), for the stages that finished.
 */
export function stageSeconds(run: RunView): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  for (const stage of STAGES) {
    const seconds = run.progress[stage]?.seconds;
    if (seconds === undefined) break;
    out[stage] = seconds;
  }
  return out;
}

/** The stage names as the CLI prints them in the status line. */
export const STAGE_SHORT: Readonly<Record<Stage, string>> = {
  prepare: 'prepare',
  buildFeatures: 'features',
  trainScore: 'train + score',
  optimize: 'optimize',
  simulate: 'simulate',
  finalize: 'finalize',
};

const num = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
const pctOf = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : pct(x, 1));

/** The summary of a finished run: headline metrics beside SPY's over the same bars. */
export function summaryTable(run: RunView): string {
  const m = run.metrics ?? {};
  const rows: [string, string][] = [
    ['', 'strategy      SPY'],
    ['CAGR', `${pctOf(m.cagr).padEnd(13)} ${pctOf(m.benchmarkCagr)}`],
    ['Sharpe (hourly)', `${num(m.sharpeHourly).padEnd(13)} ${num(m.benchmarkSharpeHourly)}`],
    ['Sharpe (daily)', num(m.sharpeDaily)],
    ['max drawdown', `${pctOf(m.maxDrawdown).padEnd(13)} ${pctOf(m.benchmarkMaxDrawdown)}`],
    ['volatility', pctOf(m.annualVolatility)],
    ['turnover', `${num(m.turnoverOneWayAnnualized, 1)}× a year (one-way)`],
    ['costs', `${num(m.costBpsOfTraded, 2)} bp of traded; ${num(m.costDragBpsPerYear, 0)} bp a year of drag`],
    ['information ratio vs SPY', num(m.informationRatioAnnualized)],
    ['bars per year', num(m.annualizationFactor, 1)],
  ];
  return table(rows);
}
