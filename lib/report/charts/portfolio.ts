/**
 * Portfolio-construction charts, from the decision records (portfolio_diagnostics.json, lib/artifacts): the
 * optimizer's ex-ante volatility against the realised one with the spec's target band, and the constraint
 * activity table (how often each constraint binds, failures by reason, tickets, data gaps).
 */
import { z } from 'zod';
import { annualVolatility, resampleToSessions, rollAnnualVolatility } from '../../analytics/index.ts';
import type { PortfolioDiagnostics } from '../../artifacts/index.ts';
import { type ChartContext, xOf } from './chart-context.ts';
import {
  type ChartSeries,
  chartSchema,
  okHead,
  roundValue,
  roundValues,
  timeSeriesShape,
  unavailable,
  Value,
  ValueFormat,
} from './chart-schema.ts';
import { lastSessionOfBuckets } from './downsample.ts';

/** The spec's annualised volatility band (`portfolio.targetVol`). */
export const TargetVol = z.object({ low: z.number().finite(), high: z.number().finite() }).strict();
export type TargetVol = z.infer<typeof TargetVol>;

const Quarter = z
  .object({
    /** `YYYYQn` (New York calendar quarter). */
    quarter: z.string().regex(/^\d{4}Q[1-4]$/),
    sessions: z.number().int().min(1),
    /** Mean annualised ex-ante volatility of the quarter's solved hours. */
    exAnte: Value,
    /** Annualised volatility of the quarter's daily returns. */
    realised: Value,
  })
  .strict();

export const ExAnteVolatilityPayload = chartSchema('ex-ante-volatility', {
  ...timeSeriesShape,
  windowSessions: z.number().int().min(2),
  targetVol: TargetVol.nullable(),
  quarters: z.array(Quarter),
});
export type ExAnteVolatilityPayload = z.infer<typeof ExAnteVolatilityPayload>;

const ActivityRow = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1),
    value: Value,
    format: ValueFormat,
    detail: z.string(),
  })
  .strict();
export type ActivityRow = z.infer<typeof ActivityRow>;

export const ConstraintActivityPayload = chartSchema('constraint-activity', {
  kind: z.literal('table'),
  hours: z.number().int().min(0),
  solvedHours: z.number().int().min(0),
  rows: z.array(ActivityRow).min(1),
  /** Failure reasons with at least one hour: how many, the first and the last (epoch ms UTC). */
  failures: z.array(
    z
      .object({
        status: z.string(),
        hours: z.number().int().min(1),
        firstMs: z.number().int(),
        lastMs: z.number().int(),
      })
      .strict(),
  ),
  gaps: z
    .object({
      count: z.number().int().min(0),
      /** The first `GAPS_SHOWN` gaps (portfolio_diagnostics.json lists them all). */
      shown: z.array(z.object({ symbol: z.string(), firstMissingMs: z.number().int() }).strict()),
    })
    .strict(),
});
export type ConstraintActivityPayload = z.infer<typeof ConstraintActivityPayload>;

/** Gaps listed in the constraint activity payload. */
export const GAPS_SHOWN = 20;
/** Trailing window of the realised volatility (sessions), shortened for short runs. */
export const REALISED_WINDOW_SESSIONS = 20;

const NO_DECISIONS = 'the run has no decision records';

/** Annualised ex-ante volatility of each bar of the equity table (NaN: the hour was not solved or is not listed). */
function exAntePerBar(ctx: ChartContext, d: PortfolioDiagnostics): Float64Array {
  const e = ctx.tables.equity;
  const at = new Map<number, number>();
  for (let i = 0; i < e.n; i++) at.set(e.ts[i]!, i);
  const out = new Float64Array(e.n).fill(Number.NaN);
  for (const h of d.hours) {
    const i = at.get(Date.parse(h.ts));
    if (i !== undefined && h.exAnteVol !== null) out[i] = h.exAnteVol;
  }
  return out;
}

/** Mean of the finite values of `x` over each display bucket's bars (NaN when none). */
function meanOfBuckets(ctx: ChartContext, x: Float64Array): Float64Array {
  const b = ctx.buckets;
  const out = new Float64Array(b.lastBar.length);
  for (let k = 0; k < out.length; k++) {
    let s = 0;
    let m = 0;
    for (let i = b.firstBar[k]!; i <= b.lastBar[k]!; i++) {
      const v = x[i]!;
      if (Number.isFinite(v)) {
        s += v;
        m++;
      }
    }
    out[k] = m > 0 ? s / m : Number.NaN;
  }
  return out;
}

const quarterOf = (date: string): string => `${date.slice(0, 4)}Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;

/** Per New York calendar quarter: realised volatility of daily returns and mean ex-ante volatility. */
function quarters(ctx: ChartContext, daily: Float64Array, exAnte: Float64Array) {
  const { sessionDate, sessionOfBar } = ctx.sessions;
  const labels: string[] = [];
  const start: number[] = [];
  const sessionQuarter = new Int32Array(sessionDate.length);
  sessionDate.forEach((date, s) => {
    const q = quarterOf(date);
    if (labels[labels.length - 1] !== q) {
      labels.push(q);
      start.push(s);
    }
    sessionQuarter[s] = labels.length - 1;
  });
  const sum = new Float64Array(labels.length);
  const hours = new Int32Array(labels.length);
  for (let i = 0; i < exAnte.length; i++) {
    const v = exAnte[i]!;
    if (!Number.isFinite(v)) continue;
    const k = sessionQuarter[sessionOfBar[i]!]!;
    sum[k]! += v;
    hours[k]!++;
  }
  const out: z.infer<typeof Quarter>[] = labels.map((quarter, k) => {
    const s0 = start[k]!;
    const s1 = k + 1 < labels.length ? start[k + 1]! : sessionDate.length;
    return {
      quarter,
      sessions: s1 - s0,
      exAnte: roundValue(hours[k]! > 0 ? sum[k]! / hours[k]! : Number.NaN),
      realised: roundValue(annualVolatility(daily.subarray(s0, s1), ctx.metrics.sessionsPerYear)),
    };
  });
  return { quarters: out, sessionQuarter };
}

export function exAnteVolatility(
  ctx: ChartContext,
  diagnostics: PortfolioDiagnostics | undefined,
  targetVol: TargetVol | undefined,
): ExAnteVolatilityPayload {
  const S = ctx.metrics.sessionsPerYear;
  const nS = ctx.sessions.sessionEnd.length;
  const w = nS >= 2 * REALISED_WINDOW_SESSIONS ? REALISED_WINDOW_SESSIONS : Math.max(2, Math.floor(nS / 2));
  const title = 'Ex-ante vs realised volatility';
  const description =
    `Annualised ex-ante volatility of the decided book (the optimizer's risk model, mean over each point's hours) ` +
    `against the realised volatility of daily returns over a trailing window of ${w} sessions and per calendar ` +
    `quarter (annualised with ${S.toFixed(2)} sessions per year)` +
    `${targetVol ? `; shaded: the spec's target band ${(targetVol.low * 100).toFixed(1)}%–${(targetVol.high * 100).toFixed(1)}%` : ''}.`;
  if (diagnostics === undefined) return unavailable('ex-ante-volatility', title, description, NO_DECISIONS);
  const e = ctx.tables.equity;
  if (e.n === 0) return unavailable('ex-ante-volatility', title, description, 'the run has no bars');
  const exAnte = exAntePerBar(ctx, diagnostics);
  if (!exAnte.some(Number.isFinite)) {
    return unavailable(
      'ex-ante-volatility',
      title,
      description,
      'no decision hour was solved: no ex-ante volatility',
    );
  }
  const daily = resampleToSessions(e.ret, ctx.sessions.sessionOfBar).returns;
  const rolling = new Float64Array(nS).fill(Number.NaN);
  if (nS >= w) rollAnnualVolatility(daily, w, S, rolling.subarray(w - 1));
  const q = quarters(ctx, daily, exAnte);
  const perQuarter = Float64Array.from(q.sessionQuarter, (k) => q.quarters[k]!.realised ?? Number.NaN);
  const series: ChartSeries[] = [
    { id: 'ex-ante', label: 'Ex-ante (optimizer)', values: roundValues(meanOfBuckets(ctx, exAnte)) },
    {
      id: 'realised',
      label: `Realised (${w}-session)`,
      values: roundValues(lastSessionOfBuckets(rolling, ctx.buckets)),
    },
    {
      id: 'realised-quarter',
      label: 'Realised (quarter)',
      values: roundValues(lastSessionOfBuckets(perQuarter, ctx.buckets)),
    },
  ];
  return {
    ...okHead('ex-ante-volatility', title, description),
    kind: 'timeseries',
    x: xOf(ctx),
    // a series with no value at all (a run too short for its window) is left out rather than drawn empty
    series: series.filter((s) => s.values.some((v) => v !== null)),
    format: 'percent',
    downsampling: `ex-ante: the mean of the solved hours of each point; realised: daily returns (the bars of each session compounded); ${ctx.downsampling}`,
    windowSessions: w,
    targetVol: targetVol ?? null,
    quarters: q.quarters,
  };
}

const share = (id: string, label: string, value: number | null, detail: string): ActivityRow => ({
  id,
  label,
  value: roundValue(value),
  format: 'percent',
  detail,
});
const count = (id: string, label: string, value: number | null, detail: string): ActivityRow => ({
  id,
  label,
  value: roundValue(value),
  format: 'number',
  detail,
});

export function constraintActivity(diagnostics: PortfolioDiagnostics | undefined): ConstraintActivityPayload {
  const title = 'Constraint activity';
  const description =
    'How often each constraint of the hourly trade problem binds (share of the solved hours), the hours the book was held after a failure, the tickets sent and skipped, how far the orders leave the book from the decision, and the data gaps of held names.';
  if (diagnostics === undefined) return unavailable('constraint-activity', title, description, NO_DECISIONS);
  const s = diagnostics.summary;
  if (s.hours === 0)
    return unavailable('constraint-activity', title, description, 'the run has no decision hour');
  const b = s.bindingShare;
  const solved = `of ${s.solvedHours} solved hours`;
  const rows: ActivityRow[] = [
    share('binding-turnover', 'Turnover cap binds', b.turnover, solved),
    share('binding-vol-ceiling', 'Volatility ceiling binds', b.volCeiling, solved),
    share('binding-gross', 'Fully invested (gross limit binds)', b.gross, solved),
    share('name-cap', 'A name at its cap', b.nameCap, solved),
    share('sector-band', 'A sector outside its band', b.sectorBand, solved),
    share('vol-floor-missed', 'Volatility floor not reached', b.volFloorMissed, solved),
    count('failed-hours', 'Hours held after a failure', s.failedHours, `of ${s.hours} decision hours`),
    count(
      'tickets-median',
      'Median tickets per bar',
      s.tickets.medianPerBar,
      `${s.tickets.total} tickets in all`,
    ),
    count(
      'tickets-skipped',
      'Tickets skipped (below the minimum ticket)',
      s.tickets.skipped,
      `at ${s.tickets.hoursWithSkipped} hours`,
    ),
    share(
      'order-gap-max',
      'Largest gap between the decided book and its orders (Σ|Δw|, of NAV)',
      s.orderGap.max,
      `median ${s.orderGap.median === null ? 'n/a' : `${(s.orderGap.median * 100).toFixed(2)}%`}; ${s.orderGap.hoursAbove1Pct} hours above 1% (share rounding, skipped tickets)`,
    ),
    count(
      'turnover-relaxed',
      'Hours the turnover cap was relaxed (de-risking)',
      s.turnover.relaxedHours,
      `of ${s.hours} decision hours`,
    ),
    count('gaps', 'Data gaps of held names', s.gaps.count, 'held at their last price, outside the decision'),
  ];
  const failures = Object.entries(s.failures).flatMap(([status, f]) =>
    f === undefined || f.hours === 0
      ? []
      : [
          {
            status,
            hours: f.hours,
            firstMs: Date.parse(f.ts[0]!),
            lastMs: Date.parse(f.ts[f.ts.length - 1]!),
          },
        ],
  );
  return {
    ...okHead('constraint-activity', title, description),
    kind: 'table',
    hours: s.hours,
    solvedHours: s.solvedHours,
    rows,
    failures,
    gaps: {
      count: s.gaps.count,
      shown: s.gaps.list
        .slice(0, GAPS_SHOWN)
        .map((g) => ({ symbol: g.symbol, firstMissingMs: Date.parse(g.firstMissing) })),
    },
  };
}
