/**
 * The wire shapes of the HTTP API: what the handlers answer with, as zod schemas (the OpenAPI document is
 * generated from them, `openapi.ts`) or plain interfaces, and the functions that build them from the records.
 * Views never contain execution ARNs or object keys; messages stored by the workflow are scrubbed.
 */
import { z } from 'zod';
import { parseSimState } from '../backtest/index.ts';
import { ULID_PATTERN } from '../core/index.ts';
import type { PaperDecisionRecord, PaperStrategyRecord } from '../paper/index.ts';
import { RUN_STAGES, type RunRecord, RunStatus, stageWallSeconds } from '../runs/index.ts';

export const ApiRunId = z
  .string()
  .regex(ULID_PATTERN, 'a run id is a ULID: 26 characters of Crockford base32')
  .meta({ description: 'Run id (ULID)', example: '01J9ZQ4S8X3V5W6Y7Z8A9B0C1D' });

const IsoTime = z.iso.datetime();

/** Epoch ms → ISO 8601 UTC, the wire's time format. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();

/** Strips anything that looks like an ARN or an object key from a message stored by the workflow. */
export const scrubMessage = (message: string): string =>
  message
    .replace(/arn:[A-Za-z0-9-]+:[^\s"']*/g, '[arn]')
    .replace(/\b(tenants|datasets)\/[^\s"']*/g, '[key]')
    .slice(0, 1024);

// ---------------------------------------------------------------------------------------------------------
// Backtests

export const StageProgressView = z
  .object({
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    startedAt: IsoTime.optional(),
    finishedAt: IsoTime.optional(),
    seconds: z.number().min(0).optional().meta({
      description:
        "Wall time of the finished stage from the run's own events: from the end of the previous stage (Prepare: the run's start) to this stage's end. The same figure as report.html's Timings and the CLI's.",
      unit: 's',
    }),
  })
  .strict();

export const Provenance = z
  .object({ datasetId: z.string(), specHash: z.string(), codeVersion: z.string() })
  .strict();

export const RunSummaryView = z
  .object({
    runId: ApiRunId,
    status: RunStatus,
    createdAt: IsoTime,
    updatedAt: IsoTime,
    provenance: Provenance,
  })
  .strict();
export type RunSummaryView = z.infer<typeof RunSummaryView>;

export const RunView = z
  .object({
    runId: ApiRunId,
    status: RunStatus,
    createdAt: IsoTime,
    updatedAt: IsoTime,
    startedAt: IsoTime.optional(),
    finishedAt: IsoTime.optional(),
    cancelRequested: z.boolean(),
    progress: z.object(Object.fromEntries(RUN_STAGES.map((s) => [s, StageProgressView]))).strict(),
    metrics: z.record(z.string(), z.number().nullable()).nullable(),
    provenance: Provenance,
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();
export type RunView = z.infer<typeof RunView>;

export const RunPageView = z
  .object({ items: z.array(RunSummaryView), nextCursor: z.string().optional() })
  .strict();
export type RunPageView = z.infer<typeof RunPageView>;

export const SubmitResponse = z.object({ runId: ApiRunId, status: RunStatus }).strict();
export type SubmitResponse = z.infer<typeof SubmitResponse>;

export const ArtifactsView = z
  .object({
    runId: ApiRunId,
    manifest: z
      .object({
        schemaVersion: z.number().int(),
        specHash: z.string(),
        datasetId: z.string(),
        codeVersion: z.string(),
      })
      .strict(),
    artifacts: z.array(
      z
        .object({
          name: z.string(),
          bytes: z.number().int(),
          sha256: z.string(),
          url: z.url().meta({ description: 'Presigned GET URL' }),
        })
        .strict(),
    ),
    expiresAt: IsoTime.meta({ description: 'When the URLs stop working (at most 15 minutes after issue)' }),
  })
  .strict();
export type ArtifactsView = z.infer<typeof ArtifactsView>;

export const ErrorBody = z
  .object({
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. INVALID_INPUT, NOT_FOUND' }),
    message: z.string(),
    details: z
      .object({
        field: z.string().optional(),
        issues: z.array(z.object({ path: z.string(), message: z.string() }).strict()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ErrorBody = z.infer<typeof ErrorBody>;

export const toRunSummaryView = (r: RunRecord): RunSummaryView => ({
  runId: r.runId,
  status: r.status,
  createdAt: isoOf(r.createdAtMs),
  updatedAt: isoOf(r.updatedAtMs),
  provenance: { datasetId: r.datasetId, specHash: r.specHash, codeVersion: r.codeVersion },
});

const progressView = (r: RunRecord): RunView['progress'] => {
  const seconds = new Map(stageWallSeconds(r).map((s) => [s.stage, s.seconds] as const));
  return Object.fromEntries(
    RUN_STAGES.map((s) => {
      const p = r.stages[s];
      const wall = seconds.get(s);
      return [
        s,
        {
          done: p.done,
          total: p.total,
          ...(p.startedAtMs !== undefined && { startedAt: isoOf(p.startedAtMs) }),
          ...(p.finishedAtMs !== undefined && { finishedAt: isoOf(p.finishedAtMs) }),
          ...(wall !== undefined && { seconds: wall }),
        },
      ];
    }),
  );
};

export const toRunView = (r: RunRecord): RunView => ({
  runId: r.runId,
  status: r.status,
  createdAt: isoOf(r.createdAtMs),
  updatedAt: isoOf(r.updatedAtMs),
  ...(r.timings.startedAtMs !== undefined && { startedAt: isoOf(r.timings.startedAtMs) }),
  ...(r.timings.finishedAtMs !== undefined && { finishedAt: isoOf(r.timings.finishedAtMs) }),
  cancelRequested: r.cancelRequested === true,
  progress: progressView(r),
  metrics: r.metricsSummary ?? null,
  provenance: { datasetId: r.datasetId, specHash: r.specHash, codeVersion: r.codeVersion },
  ...(r.error !== undefined && { error: { code: r.error.code, message: scrubMessage(r.error.message) } }),
});

// ---------------------------------------------------------------------------------------------------------
// Paper trading

export interface PaperDecisionView {
  readonly hour: string;
  readonly hourMs: number;
  readonly bar: number;
  readonly status: PaperDecisionRecord['status'];
  readonly nav?: number;
  readonly cash?: number;
  readonly riskState?: string;
  readonly grossExposure?: number;
  readonly nFills?: number;
  readonly tradedNotional?: number;
  readonly orders?: { symbol: string; shares: number }[];
  readonly cancelledOrders?: { symbol: string; shares: number }[];
  readonly datasetId?: string;
  readonly recordedAt: string;
}

const orderRows = (o: { symbol: string[]; shares: number[] }) =>
  o.symbol.map((symbol, i) => ({ symbol, shares: o.shares[i]! }));

export const toDecisionView = (d: PaperDecisionRecord): PaperDecisionView => ({
  hour: isoOf(d.hourMs),
  hourMs: d.hourMs,
  bar: d.bar,
  status: d.status,
  ...(d.nav !== undefined && { nav: d.nav }),
  ...(d.cash !== undefined && { cash: d.cash }),
  ...(d.riskState !== undefined && { riskState: d.riskState }),
  ...(d.grossExposure !== undefined && { grossExposure: d.grossExposure }),
  ...(d.nFills !== undefined && { nFills: d.nFills }),
  ...(d.tradedNotional !== undefined && { tradedNotional: d.tradedNotional }),
  ...(d.orders !== undefined && { orders: orderRows(d.orders) }),
  ...(d.cancelledOrders !== undefined && { cancelledOrders: orderRows(d.cancelledOrders) }),
  ...(d.datasetId !== undefined && { datasetId: d.datasetId }),
  recordedAt: isoOf(d.recordedAtMs),
});

export interface PaperPortfolioView {
  readonly strategyId: string;
  readonly status: PaperStrategyRecord['status'];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly stoppedAt?: string;
  readonly startDate: string;
  readonly firstHour: string;
  readonly lastHour: string | null;
  readonly capital: number;
  /** NAV at the last applied hour's close (the capital before the first). */
  readonly nav: number;
  readonly cash: number;
  readonly navPeak: number;
  readonly positions: { symbol: string; shares: number; mark: number; value: number; weight: number }[];
  /** Orders decided at the last hour, for the next bar's open. */
  readonly pendingOrders: { symbol: string; shares: number }[];
  readonly risk: { state: string; peakNav: number; drawdown: number };
  readonly lastDecision: {
    hour: string;
    status: string;
    nav: number | null;
    riskState: string | null;
  } | null;
  readonly dataNotReady?: { hour: string; attempts: number; lastAt: string };
  readonly model: { runId: string; fold: number };
  readonly provenance: { specHash: string; codeVersion: string };
}

export const toPortfolioView = (r: PaperStrategyRecord): PaperPortfolioView => {
  const s = parseSimState(JSON.parse(r.stateJson));
  const nav = s.prevNav;
  return {
    strategyId: r.strategyId,
    status: r.status,
    createdAt: isoOf(r.createdAtMs),
    updatedAt: isoOf(r.updatedAtMs),
    ...(r.stoppedAtMs !== undefined && { stoppedAt: isoOf(r.stoppedAtMs) }),
    startDate: r.startDate,
    firstHour: isoOf(r.firstHourMs),
    lastHour: r.lastHourMs === null ? null : isoOf(r.lastHourMs),
    capital: r.capital,
    nav,
    cash: s.cash,
    navPeak: s.navPeak,
    positions: s.positions.symbol.map((symbol, i) => {
      const shares = s.positions.shares[i]!;
      const mark = s.positions.mark[i]!;
      return { symbol, shares, mark, value: shares * mark, weight: nav > 0 ? (shares * mark) / nav : 0 };
    }),
    pendingOrders: orderRows(s.pending),
    risk: {
      state: s.risk.state,
      peakNav: s.risk.peakNav,
      drawdown: s.risk.peakNav > 0 ? 1 - nav / s.risk.peakNav : 0,
    },
    lastDecision:
      r.lastDecision === undefined
        ? null
        : {
            hour: isoOf(r.lastDecision.hourMs),
            status: r.lastDecision.status,
            nav: r.lastDecision.nav,
            riskState: r.lastDecision.riskState,
          },
    ...(r.dataNotReady !== undefined && {
      dataNotReady: {
        hour: isoOf(r.dataNotReady.hourMs),
        attempts: r.dataNotReady.attempts,
        lastAt: isoOf(r.dataNotReady.lastAtMs),
      },
    }),
    model: { runId: r.model.runId, fold: r.model.fold },
    provenance: { specHash: r.specHash, codeVersion: r.codeVersion },
  };
};
