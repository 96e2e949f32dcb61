/**
 * How the CLI shows a run: the progress line while it runs (stage, item i of n, elapsed), per-stage times, and
 * the summary table of a finished run (strategy vs SPY).
 */
import type { RunView } from './api-client.ts';
import { pct, table } from './output.ts';

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

/** One progress line: `simulate, chunk 3/15  12.4 s`. */
export function progressLine(run: RunView, elapsedMs: number): string {
  const elapsed = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (run.status === 'QUEUED') return `queued  ${elapsed}`;
  const s = currentStage(run);
  if (s === undefined) return `${run.status.toLowerCase()}  ${elapsed}`;
  const count = s.total > 0 ? ` ${s.done}/${s.total}` : '';
  return `${STAGE_LABELS[s.stage]}${count}  ${elapsed}`;
}

/** Prints progress lines on stderr: rewritten in place on a terminal, one per change otherwise. */
export class ProgressPrinter {
  readonly #enabled: boolean;
  readonly #t0 = performance.now();
  #last = '';
  #lastStage = '';

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  update(run: RunView): void {
    if (!this.#enabled) return;
    const line = progressLine(run, performance.now() - this.#t0);
    const stage = line.replace(/\s+[\d.]+ s$/, '');
    if (process.stderr.isTTY) {
      if (line !== this.#last) process.stderr.write(`\r\x1b[2K${line}`);
    } else if (stage !== this.#lastStage) {
      process.stderr.write(`${line}\n`);
    }
    this.#last = line;
    this.#lastStage = stage;
  }

  done(message: string): void {
    if (!this.#enabled) return;
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${message} (${((performance.now() - this.#t0) / 1000).toFixed(1)} s)\n`);
  }

  message(text: string): void {
    if (!this.#enabled) return;
    if (process.stderr.isTTY && this.#last !== '') process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${text}\n`);
    this.#last = '';
  }
}

/**
 * Seconds per stage. Stages run one after another, so a stage runs from the end of the previous one (the run's
 * start for Prepare) to its own end; the record's per-stage `startedAt` is when its first item reported.
 */
export function stageSeconds(run: RunView): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  let from = run.startedAt === undefined ? undefined : Date.parse(run.startedAt);
  for (const stage of STAGES) {
    const end = run.progress[stage]?.finishedAt;
    if (end === undefined || from === undefined) break;
    const endMs = Date.parse(end);
    out[stage] = Math.max(0, (endMs - from) / 1000);
    from = endMs;
  }
  return out;
}

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
