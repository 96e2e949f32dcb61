/**
 * `hts paper replay --spec FILE --from D --to D [--data DIR] [--tenant T] [--json]`: paper trading over past
 * hours, through the local stack, with the handlers a deployment runs.
 *
 * 1. the model: `replayTrainingSpec(spec, from, to)` is submitted as a backtest through the local API
 *    (`POST /v1/backtests`, followed to SUCCEEDED): one walk-forward fold over [from, to], so fold 0 is fitted on
 *    data known before `--from`. The same run is the backtest the replay is compared with.
 * 2. the strategy: `POST /v1/paper {spec, model: {runId, fold: 0}, startDate: from}` (with an Idempotency-Key)
 *    through the local API; the spec is the training spec, so both sides run the same spec (period included: it
 *    sets the optimizer's annualisation).
 * 3. the hours: the scheduled handler module `lambdas/scheduled/paper-tick.ts` is invoked once per bar close of
 *    `replayHours(from, to)`, in order, on a worker thread of its own with the environment a deployed function
 *    gets (`stack.env`), exactly as the step handlers run. The event is the schedule's
 *    `{scheduledTime}` narrowed to this strategy (`tenantId`, `strategyId`: the handler's replay form), so
 *    strategies left ACTIVE by earlier replays in the same root are not touched. The hour always comes from the
 *    event, never from the wall clock. The replay stops at the first failed hour (exit 1).
 * 4. the result: `GET /v1/paper/{id}` and every page of `GET /v1/paper/{id}/decisions`; the summary (final NAV,
 *    return vs the SPY buy-and-hold benchmark the engine carries in the strategy's state, trades, missed hours)
 *    and a check against the backtest run's equity curve (NAV at every hour, which parity makes equal).
 *
 * Exit codes: 0 done; 1 the backtest or a tick failed; 2 bad usage or input (the field named).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DYNALITE_CREDENTIALS, makeDynamoDocumentClient } from '../../../lib/adapters/dynamo-client.ts';
import { DynamoPaperStore } from '../../../lib/adapters/dynamo-paper-store.ts';
import type { PaperDecisionView, PaperPortfolioView } from '../../../lib/api/index.ts';
import { parseSimState } from '../../../lib/backtest/sim-state.ts';
import { type BacktestSpec, parseBacktestSpec } from '../../../lib/backtest/spec.ts';
import { AppError, InvalidInputError } from '../../../lib/core/errors.ts';
import { columnAs, decodeParquet } from '../../../lib/data/parquet.ts';
import { driveReplay, replayHours, replayTrainingSpec } from '../../../lib/paper/replay.ts';
import { runKeys } from '../../../lib/runs/keys.ts';
import {
  DEFAULT_TENANT,
  LOCAL_REGION,
  LOCAL_RUNS_TABLE,
  type LocalStack,
  startLocalStack,
} from '../../stack/stack.ts';
import { WorkerPool } from '../../stack/worker-pool.ts';
import { PaperApiClient, type RunView } from '../api-client.ts';
import { flagDate, flagString, type ParsedArgs, requireFlag, resolveDataFlag } from '../args.ts';
import { int, Progress, pct, table } from '../output.ts';
import { ProgressPrinter } from '../run-view.ts';
import { stopSignal } from '../stop-signals.ts';
import { exitCodeOf, publishSpecDataset, readSpecFile, runThroughApi } from './backtest.ts';

/** The scheduled handler the replay drives: the entry file the CDK app deploys (`PaperTickFunction`). */
export const PAPER_TICK_MODULE = new URL('../../../lambdas/scheduled/paper-tick.ts', import.meta.url).href;
/** The deployed function's timeout (cdk/stateless-stack.ts). */
const PAPER_TICK_TIMEOUT_MS = 300_000;

/** What the scheduled handler answers for one invocation (`PaperTickSummary`). */
export interface TickSummary {
  readonly hourMs: number | null;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failed: number;
}

/** The backtest's NAV at each hour against the replay's (exact equality: the parity property). */
export interface NavParity {
  readonly runId: string;
  readonly hoursCompared: number;
  readonly equal: boolean;
  /** The first hour whose NAV differs (or is missing on one side). */
  readonly firstDifference?: { hour: string; replay: number | null; backtest: number | null };
}

export interface ReplaySummary {
  readonly hours: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly missedHours: number;
  readonly capital: number;
  readonly finalNav: number;
  readonly totalReturn: number;
  /** SPY bought at the first open with the same costs and held (the engine's benchmark book). */
  readonly benchmarkNav: number;
  readonly benchmarkReturn: number;
  readonly excessReturn: number;
  /** Fills with a non-zero quantity over the replay. */
  readonly trades: number;
  readonly tradedNotional: number;
  readonly backtestSeconds: number;
  readonly replaySeconds: number;
}

export interface ReplayResult {
  /** The strategy as `POST /v1/paper` created it. */
  readonly strategy: PaperPortfolioView;
  /** The backtest that trained the model (and covers the replay's window). */
  readonly backtest: RunView;
  /** `GET /v1/paper/{id}` after the last hour. */
  readonly portfolio: PaperPortfolioView;
  /** Every page of `GET /v1/paper/{id}/decisions`, oldest first. */
  readonly decisions: PaperDecisionView[];
  readonly summary: ReplaySummary;
  readonly parity: NavParity;
}

export interface ReplayOptions {
  /** The spec as read from the file (validated), before the replay's period is applied. */
  readonly spec: Record<string, unknown>;
  readonly from: string;
  readonly to: string;
  readonly data?: string;
  /** The tenant the stack's API acts as (its default tenant, or `local:<tenant>` as the token). */
  readonly tenantId: string;
  readonly token?: string;
  readonly progress: boolean;
}

/** A replay that did not finish: the backtest failed (its run) or an hour failed (the hour and the error). */
export class ReplayFailedError extends AppError {
  override name = 'ReplayFailedError';
  constructor(
    message: string,
    readonly exitCode: number,
    details: Record<string, unknown>,
  ) {
    super('UPSTREAM', message, details);
  }
}

/** The spec of both sides: the file's spec with the replay's period and one walk-forward fold over it. */
export function replaySpec(spec: Record<string, unknown>, from: string, to: string): BacktestSpec {
  if (to < from)
    throw new InvalidInputError(`--to ${to} must be on or after --from ${from}`, { field: 'to' });
  return replayTrainingSpec(parseBacktestSpec(spec), from, to);
}

/** Compares the replay's decided NAVs with the backtest's `equity_curve.parquet` (read from the local lake). */
async function navParity(
  stack: LocalStack,
  tenantId: string,
  runId: string,
  decisions: readonly PaperDecisionView[],
): Promise<NavParity> {
  const bytes = await stack.store.get(runKeys(tenantId, runId).artifact('equity_curve.parquet'));
  const curve = await decodeParquet(bytes, { columns: ['ts', 'nav'], source: 'equity_curve.parquet' });
  const ts = columnAs(curve, 'ts', Float64Array, 'equity_curve.parquet');
  const nav = columnAs(curve, 'nav', Float64Array, 'equity_curve.parquet');
  const backtest = new Map<number, number>();
  for (let i = 0; i < curve.n; i++) backtest.set(ts[i]!, nav[i]!);
  const hours = [...new Set([...backtest.keys(), ...decisions.map((d) => d.hourMs)])].sort((a, b) => a - b);
  const replay = new Map(decisions.map((d) => [d.hourMs, d.nav ?? null] as const));
  for (const h of hours) {
    const r = replay.get(h) ?? null;
    const b = backtest.get(h) ?? null;
    if (r === null || b === null || !Object.is(r, b)) {
      return {
        runId,
        hoursCompared: hours.length,
        equal: false,
        firstDifference: { hour: new Date(h).toISOString(), replay: r, backtest: b },
      };
    }
  }
  return { runId, hoursCompared: hours.length, equal: true };
}

/**
 * The replay through a started local stack (see the module comment). Throws `ReplayFailedError` when the
 * backtest or an hour fails, `InvalidInputError` / `ApiRequestError` (4xx) for bad input.
 */
export async function replayThroughStack(stack: LocalStack, options: ReplayOptions): Promise<ReplayResult> {
  const { from, to, tenantId } = options;
  const spec = replaySpec(options.spec, from, to);
  const hours = replayHours(from, to);
  if (hours.length === 0) {
    throw new InvalidInputError(`no NYSE trading hour between --from ${from} and --to ${to}`, {
      field: 'from',
    });
  }
  const printer = new ProgressPrinter(options.progress);
  const published = await publishSpecDataset(stack, spec as unknown as Record<string, unknown>, options.data);
  if (published.dir !== undefined) {
    printer.message(
      `dataset ${published.datasetId} ${published.copied ? 'published from' : 'already in the local lake:'} ${published.dir}`,
    );
  }

  // 1. the model (and the backtest of the same window)
  printer.message(`training the model on data before ${from}: a backtest of ${from} → ${to}, one fold`);
  const trained = await runThroughApi(stack, spec as unknown as Record<string, unknown>, {
    outDir: undefined,
    progress: printer,
    ...(options.token !== undefined && { token: options.token }),
  });
  const run = trained.run;
  if (run.status !== 'SUCCEEDED') {
    throw new ReplayFailedError(
      `the training backtest ${run.runId} ${run.status}${run.error ? `: ${run.error.code}: ${run.error.message}` : ''}`,
      exitCodeOf(run),
      { runId: run.runId, status: run.status, ...(run.error !== undefined && { error: run.error }) },
    );
  }

  // 2. the strategy
  const api = new PaperApiClient(stack.apiUrl, options.token);
  const strategy = await api.create({ spec, model: { runId: run.runId, fold: 0 }, startDate: from });
  const strategyId = strategy.strategyId;
  printer.message(`paper strategy ${strategyId} (model: run ${run.runId}, fold 0), ${hours.length} hours`);

  // 3. the hours, through the scheduled handler on a worker thread with the deployed function's environment
  const log = createWriteStream(join(stack.root, 'logs', 'lambda.log'), { flags: 'a' });
  const pool = new WorkerPool({ size: 1, env: { ...stack.env, POWERTOOLS_SERVICE_NAME: 'hts-paper' }, log });
  pool.warm([PAPER_TICK_MODULE]);
  const progress = new Progress(options.progress);
  const outcomes: Record<string, number> = {};
  const t0 = performance.now();
  try {
    await driveReplay(
      hours,
      async (hourMs) => {
        stopSignal().throwIfAborted(); // Ctrl-C: stop between two hours
        const event = { scheduledTime: new Date(hourMs).toISOString(), tenantId, strategyId };
        let summary: TickSummary;
        try {
          summary = (await pool.invoke({
            moduleUrl: PAPER_TICK_MODULE,
            functionName: 'PaperTick',
            event,
            timeoutMs: PAPER_TICK_TIMEOUT_MS,
          })) as TickSummary;
        } catch (e) {
          throw new ReplayFailedError(
            `the paper tick of ${event.scheduledTime} failed: ${(e as Error).name}: ${(e as Error).message}`,
            1,
            { strategyId, hour: event.scheduledTime, error: (e as Error).name },
          );
        }
        for (const [k, v] of Object.entries(summary.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
        return summary;
      },
      (done, total) => progress.update('paper replay, hour', done, total),
    );
  } finally {
    await pool.close();
    await new Promise<void>((ok) => log.end(() => ok()));
  }
  const replaySeconds = (performance.now() - t0) / 1000;
  progress.done(`replayed ${hours.length} hours`);

  // 4. the result, through the API (and the strategy's state for the benchmark book)
  const [portfolio, decisions] = await Promise.all([api.get(strategyId), api.decisions(strategyId)]);
  const paper = new DynamoPaperStore({
    client: makeDynamoDocumentClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: DYNALITE_CREDENTIALS,
    }),
    tableName: LOCAL_RUNS_TABLE,
  });
  const state = parseSimState(JSON.parse((await paper.getStrategy(tenantId, strategyId)).stateJson));
  let trades = 0;
  let tradedNotional = 0;
  for (const d of decisions) {
    trades += d.nFills ?? 0;
    tradedNotional += d.tradedNotional ?? 0;
  }
  const capital = portfolio.capital;
  const totalReturn = portfolio.nav / capital - 1;
  const benchmarkReturn = state.benchmark.prevNav / capital - 1;
  return {
    strategy,
    backtest: run,
    portfolio,
    decisions,
    summary: {
      hours: hours.length,
      outcomes,
      missedHours: decisions.filter((d) => d.status === 'MISSED').length,
      capital,
      finalNav: portfolio.nav,
      totalReturn,
      benchmarkNav: state.benchmark.prevNav,
      benchmarkReturn,
      excessReturn: totalReturn - benchmarkReturn,
      trades,
      tradedNotional,
      backtestSeconds: trained.runSeconds,
      replaySeconds,
    },
    parity: await navParity(stack, tenantId, run.runId, decisions),
  };
}

function printSummary(r: ReplayResult, from: string, to: string): void {
  const s = r.summary;
  const money = (x: number) => `$${int(x)}`;
  const outcomes = Object.entries(s.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const parity = r.parity.equal
    ? `equal to backtest ${r.parity.runId} at all ${r.parity.hoursCompared} hours`
    : `DIFFERS from backtest ${r.parity.runId} first at ${r.parity.firstDifference?.hour} (replay ${r.parity.firstDifference?.replay}, backtest ${r.parity.firstDifference?.backtest})`;
  process.stdout.write(
    [
      `paper replay ${from} → ${to}: strategy ${r.portfolio.strategyId} (${r.portfolio.status}), model run ${r.backtest.runId} fold 0`,
      '',
      table([
        ['hours', `${s.hours} (${outcomes})`],
        ['missed hours', String(s.missedHours)],
        ['final NAV', `${money(s.finalNav)} from ${money(s.capital)}`],
        ['return', pct(s.totalReturn, 2)],
        ['SPY (buy and hold)', pct(s.benchmarkReturn, 2)],
        ['return vs SPY', pct(s.excessReturn, 2)],
        ['trades', `${int(s.trades)} fills, ${money(s.tradedNotional)} traded`],
        [
          'positions',
          `${r.portfolio.positions.length} held, ${r.portfolio.pendingOrders.length} orders pending`,
        ],
        ['risk state', r.portfolio.risk.state],
        ['NAV per hour', parity],
        ['time', `backtest ${s.backtestSeconds.toFixed(1)} s, replay ${s.replaySeconds.toFixed(1)} s`],
      ]),
      '',
      `decisions: GET /v1/paper/${r.portfolio.strategyId}/decisions (hts serve), or --json`,
      '',
    ].join('\n'),
  );
}

export interface PaperReplayCommandOptions {
  readonly specFile: string;
  readonly from: string;
  readonly to: string;
  readonly data?: string;
  readonly tenant?: string;
  readonly json: boolean;
  readonly root: string;
}

/** `hts paper replay`: starts the local stack, replays, prints, stops the stack. Returns the exit code. */
export async function runPaperReplay(options: PaperReplayCommandOptions): Promise<number> {
  // bad input fails before anything starts
  if (options.to < options.from) {
    throw new InvalidInputError(`--to ${options.to} must be on or after --from ${options.from}`, {
      field: 'to',
    });
  }
  const raw = readSpecFile(options.specFile, { start: options.from, end: options.to });
  replaySpec(raw, options.from, options.to);
  const t0 = performance.now();
  const stack = await startLocalStack({
    root: options.root,
    ...(options.tenant !== undefined && { defaultTenant: options.tenant }),
  });
  try {
    if (!options.json) {
      process.stderr.write(
        `local stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s (${stack.workers} workers)\n`,
      );
    }
    let result: ReplayResult;
    try {
      result = await replayThroughStack(stack, {
        spec: raw,
        from: options.from,
        to: options.to,
        tenantId: options.tenant ?? DEFAULT_TENANT,
        progress: !options.json,
        ...(options.data !== undefined && { data: options.data }),
      });
    } catch (e) {
      if (!(e instanceof ReplayFailedError)) throw e;
      if (options.json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
      else process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    if (!result.parity.equal && !options.json) {
      process.stderr.write(
        `warning: the replay's NAV differs from the backtest's at ${result.parity.firstDifference?.hour} ` +
          '(parity holds over windows without a delisting of a held name; see lib/paper/tick.ts)\n',
      );
    }
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({
          strategy: result.strategy,
          portfolio: result.portfolio,
          decisions: result.decisions,
          summary: result.summary,
          parity: result.parity,
          backtest: { runId: result.backtest.runId, status: result.backtest.status },
        })}\n`,
      );
    } else printSummary(result, options.from, options.to);
    return 0;
  } finally {
    await stack.stop();
  }
}

export function paperCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const sub = args.positionals[1];
  if (sub !== 'replay') {
    throw new InvalidInputError(
      `unknown paper command ${sub === undefined ? '(none)' : `'${sub}'`}; expected: hts paper replay --spec FILE --from D --to D`,
      { field: 'command' },
    );
  }
  const from = flagDate(args, 'from');
  const to = flagDate(args, 'to');
  if (from === undefined) throw new InvalidInputError('--from is required', { field: 'from' });
  if (to === undefined) throw new InvalidInputError('--to is required', { field: 'to' });
  const dataFlag = flagString(args, 'data');
  const data = dataFlag === undefined ? undefined : resolveDataFlag(dataFlag, root, existsSync);
  const tenant = flagString(args, 'tenant');
  return runPaperReplay({
    specFile: resolve(requireFlag(args, 'spec')),
    from,
    to,
    json,
    root,
    ...(data !== undefined && { data }),
    ...(tenant !== undefined && { tenant }),
  });
}
