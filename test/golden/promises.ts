/**
 * The spec's promises, measured on what a run traded (issue 13): read from the run's artifacts only, as a quant
 * would read them — the equity curve, the risk history, the fills, the targets table and portfolio_diagnostics.json.
 * - Realised daily volatility per calendar quarter, over the sessions spent wholly in `normal` (annualised with
 *   √252, daily closes = the last bar of each New York session).
 * - The gap between the decided book and the book its orders build (`orderGap`), per hour, except the hours whose
 *   orders were partially filled at the next open.
 * - Fills per bar; decided weights against their caps; the ex-ante volatility of each solved hour against the band's
 *   ceiling; each hour's turnover against the cap (plus what de-risking forced).
 */
import type { GoldenRun } from './golden-run.ts';

type Row = Record<string, string>;

/** A CSV without quoted fields (the artifacts' CSVs have none; a quote fails loudly). */
export function parseCsv(bytes: Uint8Array): Row[] {
  const text = new TextDecoder().decode(bytes);
  if (text.includes('"')) throw new Error('quoted CSV fields are not expected in these artifacts');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = lines[0]!.split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    if (cells.length !== head.length) throw new Error(`row has ${cells.length} cells, header ${head.length}`);
    return Object.fromEntries(head.map((h, i) => [h, cells[i]!]));
  });
}

const NY_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' });

export interface QuarterVol {
  readonly quarter: string;
  readonly sessions: number;
  readonly vol: number;
}

export interface Promises {
  readonly quarters: readonly QuarterVol[];
  readonly band: { readonly low: number; readonly high: number };
  readonly orderGapMax: number;
  readonly hoursWithPartialFills: number;
  readonly medianFillsPerBar: number;
  readonly medianNamesHeld: number;
  readonly decidedAboveCap: number;
  readonly heldAboveCapMax: number;
  readonly exAnteAboveCeiling: number;
  readonly turnoverAboveCap: number;
  readonly failedHours: number;
}

const median = (x: readonly number[]): number => {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const std = (x: readonly number[]): number => {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
};

export function measurePromises(run: GoldenRun): Promises {
  const a = run.artifacts;
  const curve = parseCsv(a['equity_curve.csv']!);
  const risk = parseCsv(a['risk_history.csv']!);
  const fills = parseCsv(a['fills.csv']!);
  const targets = parseCsv(a['targets.csv']!);
  const diag = JSON.parse(new TextDecoder().decode(a['portfolio_diagnostics.json']!)) as {
    summary: { failedHours: number };
    hours: {
      ts: string;
      status: string;
      exAnteVol: number | null;
      turnover: number | null;
      turnoverRelaxedBy: number | null;
      orderGap: number | null;
    }[];
  };
  const { low, high } = run.spec.portfolio.targetVol;
  const cap = run.spec.portfolio.turnoverCap;

  // daily closes and whether the whole session was in `normal`
  const stateAt = new Map(risk.map((r) => [r.ts!, r.state!]));
  const days: { date: string; nav: number; normal: boolean }[] = [];
  for (const r of curve) {
    const date = NY_DATE.format(new Date(r.ts!));
    const normal = stateAt.get(r.ts!) === 'normal';
    const last = days.at(-1);
    if (last?.date === date) {
      last.nav = Number(r.nav);
      last.normal &&= normal;
    } else days.push({ date, nav: Number(r.nav), normal });
  }
  const byQuarter = new Map<string, number[]>();
  for (let i = 1; i < days.length; i++) {
    const d = days[i]!;
    if (!d.normal || !days[i - 1]!.normal) continue;
    const q = `${d.date.slice(0, 4)}Q${Math.floor((Number(d.date.slice(5, 7)) - 1) / 3) + 1}`;
    if (!byQuarter.has(q)) byQuarter.set(q, []);
    byQuarter.get(q)!.push(d.nav / days[i - 1]!.nav - 1);
  }
  const quarters = [...byQuarter].map(([quarter, r]) => ({
    quarter,
    sessions: r.length,
    vol: std(r) * Math.sqrt(252),
  }));

  // hours whose orders were partially filled (or not at all) at the next open
  const partialAt = new Set(
    fills.filter((f) => f.kind === 'order' && f.status !== 'filled').map((f) => f.bar!),
  );
  const barOf = new Map(curve.map((r) => [r.ts!, Number(r.bar)]));
  let orderGapMax = 0;
  let partialHours = 0;
  let exAnteAbove = 0;
  let turnoverAbove = 0;
  for (const h of diag.hours) {
    const next = String(barOf.get(h.ts)! + 1);
    if (partialAt.has(next)) partialHours++;
    else if (h.orderGap !== null) orderGapMax = Math.max(orderGapMax, h.orderGap);
    if (h.exAnteVol !== null && h.exAnteVol > high + 1e-9) exAnteAbove++;
    if (h.turnover !== null && h.turnover > cap + (h.turnoverRelaxedBy ?? 0) + 1e-9) turnoverAbove++;
  }

  let decidedAboveCap = 0;
  let heldAboveCapMax = 0;
  for (const t of targets) {
    if (t.cap === '') continue;
    const c = Number(t.cap);
    if (Number(t.optimizer_weight) > c + 1e-12) decidedAboveCap++;
    heldAboveCapMax = Math.max(heldAboveCapMax, Number(t.held_weight) - c);
  }
  const tradingBars = curve.slice(1);
  return {
    quarters,
    band: { low, high },
    orderGapMax,
    hoursWithPartialFills: partialHours,
    medianFillsPerBar: median(tradingBars.map((r) => Number(r.n_fills))),
    medianNamesHeld: median(tradingBars.map((r) => Number(r.n_held))),
    decidedAboveCap,
    heldAboveCapMax,
    exAnteAboveCeiling: exAnteAbove,
    turnoverAboveCap: turnoverAbove,
    failedHours: diag.summary.failedHours,
  };
}
