/**
 * Building the feature panel of a period from a dataset: read the bars of the period plus its warm-up (and a few
 * bars after it, for the labels), the point-in-time series, membership and sectors; compute; cut out the
 * period. `buildFeaturesForMonth` is the BuildFeatures step's unit of work: a month built alone equals the
 * same month of a full-history build bit for bit, because every kernel's value depends only on bars inside its
 * warm-up (windows evaluated on blocks aligned at absolute bar positions, see kernels.ts) and PIT series are
 * always read whole.
 */

import type { BarGrid } from '../core/index.ts';
import { addDays, barsInYear, buildBarGrid, CALENDAR_FIRST_YEAR, InvalidInputError } from '../core/index.ts';
import type { DatasetReader, PitSeriesName, PitTable } from '../data/index.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS, loadBarPanels } from '../data/index.ts';
import { downsideEvent, forwardExcessReturn, LabelSpec, labelKnownMs } from '../labels/index.ts';
import { computeFeatures, type FeatureValues } from './compute-features.ts';
import { FeatureContext, type FeatureInputs } from './context.ts';
import { minObsFor } from './feature-def.ts';
import { rollingMeanStd, rollingWarmupBars } from './kernels.ts';
import { FEATURE_NAMES, getFeature, warmupBarsFor } from './registry.ts';

export interface FeatureBuildSpec {
  /** Features to build (default: all registered). */
  readonly features?: readonly string[];
  /** decision_time(t) = close(t) + decisionLagMs. */
  readonly decisionLagMs: number;
  /** Labels to build beside the features (default spec when omitted; null for none). */
  readonly labels?: Partial<LabelSpec> | null;
}

export const DEFAULT_DECISION_LAG_MS = 60_000;

/** Absolute index of the grid's first bar, counted from the first bar of CALENDAR_FIRST_YEAR. */
export function absoluteBarIndex(grid: BarGrid): number {
  const first = grid.sessions[0];
  if (first === undefined) return 0;
  const year = Number(first.date.slice(0, 4));
  let n = 0;
  for (let y = CALENDAR_FIRST_YEAR; y < year; y++) n += barsInYear(y);
  const before = buildBarGrid(`${year}-01-01`, first.date);
  return n + before.nT - (first.earlyClose ? 4 : 7);
}

/** The latest session date such that at least `bars` grid bars lie between it and `startDate` (exclusive). */
export function warmupStartDate(startDate: string, bars: number): string {
  if (bars <= 0) return startDate;
  let days = Math.ceil((bars / 7) * 1.5) + 10;
  for (;;) {
    const from = addDays(startDate, -days);
    const g = buildBarGrid(from, addDays(startDate, -1));
    if (g.nT >= bars) return g.sessions[g.sessionOfBar[g.nT - bars]!]!.date;
    days *= 2;
  }
}

/** Grid bars after the period read for the labels (the horizon plus one, rounded up to whole sessions). */
const LABEL_TAIL_DAYS = 12;

/** Reads bars over [startDate, endDate], PIT series, membership and sectors into feature inputs. */
export async function loadFeatureInputs(
  reader: DatasetReader,
  startDate: string,
  endDate: string,
  decisionLagMs: number,
): Promise<FeatureInputs & { readonly series: Readonly<Partial<Record<PitSeriesName, PitTable>>> }> {
  const bars = await loadBarPanels(reader, startDate, endDate);
  const { grid, nA, nT } = bars;
  const symbols = reader.manifest.symbols;
  const series: Partial<Record<PitSeriesName, PitTable>> = {};
  for (const name of ['fundamentals', 'macro', 'sentiment', 'analyst', 'corporate_actions'] as const) {
    if (reader.manifest.series.includes(name)) series[name] = await reader.readSeries(name);
  }
  const member = new Uint8Array(nT * nA);
  const spells = await reader.readMembership();
  for (let k = 0; k < spells.symbol.length; k++) {
    const a = spells.symbol[k]!;
    if (a < 0) continue;
    const s = spells.startMs[k]!;
    const e = spells.endMs[k]!;
    for (let t = 0; t < nT; t++) {
      const c = grid.closeMs[t]!;
      if (c >= s && c < e) member[t * nA + a] = 1;
    }
  }
  const sector = new Int16Array(nA).fill(-1);
  const sec = await reader.readSectors();
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  sec.symbol.forEach((s, k) => {
    const a = index.get(s);
    if (a !== undefined) sector[a] = GICS_SECTORS.indexOf(sec.sector[k] as (typeof GICS_SECTORS)[number]);
  });
  return {
    grid,
    anchorBar: absoluteBarIndex(grid),
    nA,
    symbols,
    sector,
    member,
    bars: {
      open: bars.open,
      high: bars.high,
      low: bars.low,
      close: bars.close,
      volume: bars.volume,
      spreadBps: bars.spreadBps,
    },
    series,
    decisionLagMs,
    benchmark: symbols.indexOf(BENCHMARK_SYMBOL),
  };
}

export interface FeatureBlock extends FeatureValues {
  readonly symbols: readonly string[];
  /** Close time of each output bar. */
  readonly closeMs: Float64Array;
  /** Index membership of the output bars (nOut × nA). */
  readonly member: Uint8Array;
  readonly labels?: {
    readonly spec: LabelSpec;
    /** fwd_excess_5h (nOut × nA, Float64). */
    readonly fwdExcess: Float64Array;
    /** downside_event: 1 / 0 / NaN. */
    readonly downside: Float64Array;
    /** When each bar's label becomes known (nOut). */
    readonly knownMs: Float64Array;
  };
}

/** Features (and labels) for the grid bars of an in-memory input whose close is in [fromMs, toMs]. */
export function buildFeatureBlock(
  inputs: FeatureInputs,
  fromMs: number,
  toMs: number,
  spec: FeatureBuildSpec,
): FeatureBlock {
  const { grid, nA } = inputs;
  let fromBar = 0;
  while (fromBar < grid.nT && grid.closeMs[fromBar]! < fromMs) fromBar++;
  let endBar = fromBar;
  while (endBar < grid.nT && grid.closeMs[endBar]! <= toMs) endBar++;
  const nOut = endBar - fromBar;
  const values = computeFeatures(inputs, {
    features: spec.features ?? FEATURE_NAMES,
    fromBar,
    outBars: nOut,
  });
  const member = inputs.member.slice(fromBar * nA, endBar * nA);
  const closeMs = grid.closeMs.slice(fromBar, endBar);
  const block: FeatureBlock = { ...values, symbols: inputs.symbols, closeMs, member };
  if (spec.labels === null) return block;
  const ls = LabelSpec.parse(spec.labels ?? {});
  const ctx = new FeatureContext(inputs, (name, c, out) => getFeature(name).compute(c, out));
  const fwdAll = new Float64Array(grid.nT * nA);
  forwardExcessReturn(ctx.derived('adjOpen'), grid.nT, nA, inputs.benchmark, ls.horizonBars, fwdAll);
  const volAll = new Float64Array(grid.nT * nA);
  rollingMeanStd(
    ctx.derived('lr'),
    grid.nT,
    nA,
    ls.volWindowBars,
    minObsFor(ls.volWindowBars),
    inputs.anchorBar,
    null,
    volAll,
  );
  const fwdExcess = fwdAll.slice(fromBar * nA, endBar * nA);
  const downside = new Float64Array(nOut * nA);
  downsideEvent(
    fwdExcess,
    volAll.subarray(fromBar * nA, endBar * nA),
    nOut * nA,
    ls.horizonBars,
    ls.downsideK,
    downside,
  );
  const knownMs = labelKnownMs(grid, ls.horizonBars).slice(fromBar, endBar);
  return { ...block, labels: { spec: ls, fwdExcess, downside, knownMs } };
}

/** Features of the sessions on [startDate, endDate], reading the warm-up before and the label tail after. */
export async function buildFeatures(
  reader: DatasetReader,
  startDate: string,
  endDate: string,
  spec: FeatureBuildSpec,
): Promise<FeatureBlock> {
  if (endDate < startDate) {
    throw new InvalidInputError(`endDate ${endDate} is before startDate ${startDate}`, { field: 'endDate' });
  }
  const names = spec.features ?? FEATURE_NAMES;
  const ls = spec.labels === null ? undefined : LabelSpec.parse(spec.labels ?? {});
  // the labels' trailing volatility: a rolling std of log returns (one bar more than its window)
  const warm = Math.max(warmupBarsFor(names), ls ? rollingWarmupBars(ls.volWindowBars) + 1 : 0);
  const from = warmupStartDate(startDate, warm);
  const to = ls ? addDays(endDate, LABEL_TAIL_DAYS) : endDate;
  const inputs = await loadFeatureInputs(reader, from, to, spec.decisionLagMs);
  const period = buildBarGrid(startDate, endDate);
  const fromMs = period.closeMs[0] ?? Number.POSITIVE_INFINITY;
  const toMs = period.closeMs[period.nT - 1] ?? Number.NEGATIVE_INFINITY;
  return buildFeatureBlock(inputs, fromMs, toMs, spec);
}

/** One calendar month (`YYYY-MM`) of features and labels. */
export async function buildFeaturesForMonth(
  reader: DatasetReader,
  month: string,
  spec: FeatureBuildSpec,
): Promise<FeatureBlock> {
  if (!/^\d{4}-\d{2}$/.test(month)) {
    throw new InvalidInputError(`month must be YYYY-MM, received "${month}"`, { field: 'month' });
  }
  const start = `${month}-01`;
  const end = addDays(addDays(`${month}-28`, 4).slice(0, 7).concat('-01'), -1);
  return buildFeatures(reader, start, end, spec);
}
