/**
 * portfolio_diagnostics.json: what the hourly decision did, hour by hour and in summary. One row per decision hour
 * (the decision records: status, ex-ante volatility, solver effort, binding constraints, caps, sectors, turnover,
 * tickets, names, gaps) and a summary: hours, failures by reason with their hours, the share of solved hours each
 * constraint binds, the ticket counts, the solver's effort and the list of data gaps (symbol, first missing hour).
 *
 * JSON has no NaN: a value that is not finite is written as null and its path gets a reason in `nullReasons`
 * (`hours[].exAnteVol` stands for every hour's field), as metrics.json does. The document is pretty-printed except
 * the hours, one compact object per line (a 10-year run has ~17,500), last. Same inputs ⇒ same bytes.
 */
import { z } from 'zod';
import { DECISION_STATUS_NAMES, type DecisionStatusName, FIRST_FAILED_STATUS } from '../backtest/index.ts';
import type { Artifact, ArtifactInput } from './artifact.ts';

export const PORTFOLIO_DIAGNOSTICS_ARTIFACT_NAME = 'portfolio_diagnostics.json';
export const PORTFOLIO_DIAGNOSTICS_SCHEMA_VERSION = 1;

/** Constraints whose binding the decision records flag per hour (names in `hours[].binding`). */
export const BINDING_CONSTRAINTS = ['turnover', 'volCeiling', 'gross'] as const;
export type BindingConstraint = (typeof BINDING_CONSTRAINTS)[number];
/** Statuses at which the book was held (no orders): the failures, by reason. */
export const FAILURE_STATUSES: readonly DecisionStatusName[] =
  DECISION_STATUS_NAMES.slice(FIRST_FAILED_STATUS);

const Count = z.number().int().min(0);
const Num = z.number().finite();
const Maybe = Num.nullable();
const Status = z.enum(DECISION_STATUS_NAMES);

export const DecisionHour = z
  .object({
    /** The decision's bar close, UTC ISO-8601. */
    ts: z.string(),
    status: Status,
    /** Annualised ex-ante volatility of the decided book (null: nothing solved). */
    exAnteVol: Maybe,
    iterations: Count,
    newtonSteps: Count,
    binding: z.array(z.enum(BINDING_CONSTRAINTS)),
    volFloorReached: z.boolean(),
    capsAtUpper: Count,
    sectorsOutside: Count,
    /** Σ|w_decided − w_held| (two-way), and the part of it above the turnover cap that de-risking forced. */
    turnover: Maybe,
    turnoverRelaxedBy: Maybe,
    tickets: Count,
    skippedTickets: Count,
    orderGap: Maybe,
    names: Count,
    gaps: Count,
  })
  .strict();
export type DecisionHour = z.infer<typeof DecisionHour>;

const Share = Maybe;
export const DiagnosticsSummary = z
  .object({
    hours: Count,
    solvedHours: Count,
    failedHours: Count,
    statusCounts: z.record(Status, Count),
    failures: z.partialRecord(Status, z.object({ hours: Count, ts: z.array(z.string()) }).strict()),
    /** Share of solved hours at which each constraint binds (null: no solved hour). */
    bindingShare: z
      .object({
        turnover: Share,
        volCeiling: Share,
        gross: Share,
        nameCap: Share,
        sectorBand: Share,
        volFloorMissed: Share,
      })
      .strict(),
    exAnteVol: z.object({ median: Maybe, min: Maybe, max: Maybe }).strict(),
    turnover: z.object({ meanPerHour: Maybe, relaxedHours: Count }).strict(),
    tickets: z
      .object({
        total: Count,
        medianPerBar: Maybe,
        meanPerBar: Maybe,
        skipped: Count,
        hoursWithSkipped: Count,
      })
      .strict(),
    orderGap: z.object({ median: Maybe, max: Maybe, hoursAbove1Pct: Count }).strict(),
    solver: z
      .object({
        medianIterations: Maybe,
        maxIterations: Count,
        medianNewtonSteps: Maybe,
        maxNewtonSteps: Count,
      })
      .strict(),
    gaps: z
      .object({
        count: Count,
        list: z.array(z.object({ symbol: z.string(), firstMissing: z.string() }).strict()),
      })
      .strict(),
  })
  .strict();
export type DiagnosticsSummary = z.infer<typeof DiagnosticsSummary>;

export const PortfolioDiagnostics = z
  .object({
    schemaVersion: z.literal(PORTFOLIO_DIAGNOSTICS_SCHEMA_VERSION),
    conventions: z.record(z.string(), z.string()),
    summary: DiagnosticsSummary,
    nullReasons: z.record(z.string(), z.string()),
    hours: z.array(DecisionHour),
  })
  .strict();
export type PortfolioDiagnostics = z.infer<typeof PortfolioDiagnostics>;

const CONVENTIONS = {
  hours: 'one row per decision hour (each bar close of the run), in time order; ts in UTC',
  status:
    'solved_polished, solved, forced: the trade optimizer solved; infeasible, max_iterations, degenerate_input: it failed and the book was held (no orders); no_inputs: no decision inputs covered the hour (held); no_nav: NAV <= 0',
  exAnteVol: "annualised ex-ante volatility of the decided book, from the hour's risk model",
  binding:
    'turnover: the turnover cap; volCeiling: the volatility ceiling (targetVol.high); gross: the invested fraction at its limit',
  bindingShare:
    'share of the solved hours at which a constraint binds; nameCap: a name at its cap; sectorBand: a sector outside its band; volFloorMissed: the volatility floor (targetVol.low) not reached',
  turnover: 'Σ|w_decided − w_held| of the decision (two-way: a full rotation is 2)',
  tickets:
    'orders sent for the next open; skippedTickets: orders not sent because their value was below minTicketDollars',
  orderGap:
    "Σ|w_held + order·price/NAV − w_decided| over the names at the decision prices: the distance between the decided book and the book the orders build, left by whole-share rounding and the minTicketDollars rule (partial fills and the next bar's prices come on top)",
  gaps: 'held names without a price at the hour (held at their last price, outside the decision); summary.gaps.list: each gap with its first missing hour',
};

const EX_ANTE_NULL =
  'the hour was not solved (status infeasible, max_iterations, degenerate_input, no_inputs or no_nav): there is no decided book';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Median of a list of numbers (the mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The largest (`sign` 1) or smallest (−1) value; NaN when empty (no spread: a run has ~17,500 hours). */
function extreme(values: readonly number[], sign: 1 | -1): number {
  let m = Number.NaN;
  for (const v of values) if (Number.isNaN(m) || v * sign > m * sign) m = v;
  return m;
}

const maxOrZero = (values: readonly number[]): number => (values.length === 0 ? 0 : extreme(values, 1));

/** Writes `x` when finite, else null with `reason` at `path` (the first reason of a path is kept). */
function finite(x: number, path: string, reasons: Record<string, string>, reason: string): number | null {
  if (Number.isFinite(x)) return x === 0 ? 0 : x;
  reasons[path] ??= reason;
  return null;
}

const nonFinite = (x: number): string =>
  `non-finite value (${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Infinity' : '-Infinity'})`;

/** The close (epoch ms) of run-grid bar `bar`, from the bar records (bars are consecutive from `bars.bar[0]`). */
function closeOf(input: ArtifactInput, bar: number): number {
  const b = input.outputs.bars;
  return b.closeMs[bar - b.bar[0]!]!;
}

function decisionHours(input: ArtifactInput, reasons: Record<string, string>): DecisionHour[] {
  const d = input.outputs.decisions;
  const out: DecisionHour[] = [];
  for (let i = 0; i < d.n; i++) {
    const status = DECISION_STATUS_NAMES[d.status[i]!] ?? 'no_nav';
    const binding: BindingConstraint[] = [];
    if (d.bindingTurnover[i] === 1) binding.push('turnover');
    if (d.bindingVolCeiling[i] === 1) binding.push('volCeiling');
    if (d.bindingGross[i] === 1) binding.push('gross');
    const solved = d.status[i]! < FIRST_FAILED_STATUS;
    const vol = d.exAnteVol[i]!;
    const turnover = d.turnover[i]!;
    const relaxed = d.turnoverRelaxedBy[i]!;
    out.push({
      ts: iso(closeOf(input, d.bar[i]!)),
      status,
      exAnteVol: finite(vol, 'hours[].exAnteVol', reasons, solved ? nonFinite(vol) : EX_ANTE_NULL),
      iterations: d.iterations[i]!,
      newtonSteps: d.newtonSteps[i]!,
      binding,
      volFloorReached: d.volFloorReached[i] === 1,
      capsAtUpper: d.capsAtUpper[i]!,
      sectorsOutside: d.sectorsOutside[i]!,
      turnover: finite(turnover, 'hours[].turnover', reasons, nonFinite(turnover)),
      turnoverRelaxedBy: finite(relaxed, 'hours[].turnoverRelaxedBy', reasons, nonFinite(relaxed)),
      tickets: d.tickets[i]!,
      skippedTickets: d.skippedTickets[i]!,
      orderGap: finite(d.orderGap[i]!, 'hours[].orderGap', reasons, nonFinite(d.orderGap[i]!)),
      names: d.nNames[i]!,
      gaps: d.nGaps[i]!,
    });
  }
  return out;
}

function failuresOf(hours: readonly DecisionHour[]): DiagnosticsSummary['failures'] {
  const out: Record<string, { hours: number; ts: string[] }> = {};
  for (const s of FAILURE_STATUSES) out[s] = { hours: 0, ts: [] };
  for (const h of hours) {
    const f = out[h.status];
    if (f === undefined) continue;
    f.hours++;
    f.ts.push(h.ts);
  }
  return out;
}

function bindingShares(
  solved: readonly DecisionHour[],
  reasons: Record<string, string>,
): DiagnosticsSummary['bindingShare'] {
  const share = (key: string, pick: (h: DecisionHour) => boolean): number | null => {
    let k = 0;
    for (const h of solved) if (pick(h)) k++;
    return finite(k / solved.length, `summary.bindingShare.${key}`, reasons, 'no decision hour was solved');
  };
  return {
    turnover: share('turnover', (h) => h.binding.includes('turnover')),
    volCeiling: share('volCeiling', (h) => h.binding.includes('volCeiling')),
    gross: share('gross', (h) => h.binding.includes('gross')),
    nameCap: share('nameCap', (h) => h.capsAtUpper > 0),
    sectorBand: share('sectorBand', (h) => h.sectorsOutside > 0),
    volFloorMissed: share('volFloorMissed', (h) => !h.volFloorReached),
  };
}

function summaryOf(
  input: ArtifactInput,
  hours: readonly DecisionHour[],
  reasons: Record<string, string>,
): DiagnosticsSummary {
  const solved = hours.filter((h) => DECISION_STATUS_NAMES.indexOf(h.status) < FIRST_FAILED_STATUS);
  const statusCounts: Record<string, number> = {};
  for (const s of DECISION_STATUS_NAMES) statusCounts[s] = 0;
  for (const h of hours) statusCounts[h.status]!++;
  const vols = solved.flatMap((h) => (h.exAnteVol === null ? [] : [h.exAnteVol]));
  const turnovers = hours.flatMap((h) => (h.turnover === null ? [] : [h.turnover]));
  const tickets = hours.map((h) => h.tickets);
  const gaps = hours.flatMap((h) => (h.orderGap === null ? [] : [h.orderGap]));
  const sum = (x: readonly number[]): number => x.reduce((a, b) => a + b, 0);
  const noSolve = 'no decision hour was solved with a finite value';
  const noHour = 'the run has no decision hour';
  const g = input.outputs.gaps;
  const gapList: { symbol: string; firstMissing: string }[] = [];
  for (let i = 0; i < g.n; i++) {
    const a = g.asset[i]!;
    gapList.push({ symbol: input.symbols[a] ?? `#${a}`, firstMissing: iso(closeOf(input, g.bar[i]!)) });
  }
  return {
    hours: hours.length,
    solvedHours: solved.length,
    failedHours: hours.length - solved.length,
    statusCounts,
    failures: failuresOf(hours),
    bindingShare: bindingShares(solved, reasons),
    exAnteVol: {
      median: finite(median(vols), 'summary.exAnteVol.median', reasons, noSolve),
      min: finite(extreme(vols, -1), 'summary.exAnteVol.min', reasons, noSolve),
      max: finite(extreme(vols, 1), 'summary.exAnteVol.max', reasons, noSolve),
    },
    turnover: {
      meanPerHour: finite(sum(turnovers) / turnovers.length, 'summary.turnover.meanPerHour', reasons, noHour),
      relaxedHours: hours.filter((h) => h.turnoverRelaxedBy !== null && h.turnoverRelaxedBy > 0).length,
    },
    tickets: {
      total: sum(tickets),
      medianPerBar: finite(median(tickets), 'summary.tickets.medianPerBar', reasons, noHour),
      meanPerBar: finite(sum(tickets) / tickets.length, 'summary.tickets.meanPerBar', reasons, noHour),
      skipped: sum(hours.map((h) => h.skippedTickets)),
      hoursWithSkipped: hours.filter((h) => h.skippedTickets > 0).length,
    },
    orderGap: {
      median: finite(median(gaps), 'summary.orderGap.median', reasons, noHour),
      max: finite(extreme(gaps, 1), 'summary.orderGap.max', reasons, noHour),
      hoursAbove1Pct: gaps.filter((x) => x > 0.01).length,
    },
    solver: {
      medianIterations: finite(
        median(solved.map((h) => h.iterations)),
        'summary.solver.medianIterations',
        reasons,
        'no decision hour was solved',
      ),
      maxIterations: maxOrZero(solved.map((h) => h.iterations)),
      medianNewtonSteps: finite(
        median(solved.map((h) => h.newtonSteps)),
        'summary.solver.medianNewtonSteps',
        reasons,
        'no decision hour was solved',
      ),
      maxNewtonSteps: maxOrZero(solved.map((h) => h.newtonSteps)),
    },
    gaps: { count: g.n, list: gapList },
  };
}

/** The diagnostics document of a run (see the module comment). */
export function portfolioDiagnostics(input: ArtifactInput): PortfolioDiagnostics {
  const reasons: Record<string, string> = {};
  const hours = decisionHours(input, reasons);
  const summary = summaryOf(input, hours, reasons);
  const nullReasons = Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    schemaVersion: PORTFOLIO_DIAGNOSTICS_SCHEMA_VERSION,
    conventions: CONVENTIONS,
    summary,
    nullReasons,
    hours,
  };
}

/** The document's bytes: pretty-printed (2 spaces), the hours last, one compact object per line. */
export function portfolioDiagnosticsArtifact(d: PortfolioDiagnostics): Artifact {
  const { hours, ...head } = d;
  const top = JSON.stringify(head, null, 2);
  const rows = hours.map((h) => `    ${JSON.stringify(h)}`).join(',\n');
  const text = `${top.slice(0, -2)},\n  "hours": [${rows === '' ? '' : `\n${rows}\n  `}]\n}\n`;
  return {
    name: PORTFOLIO_DIAGNOSTICS_ARTIFACT_NAME,
    bytes: new TextEncoder().encode(text),
    contentType: 'application/json',
  };
}
