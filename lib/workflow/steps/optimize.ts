import { barsPerYear } from '../../core/calendar.ts';
import { DataIntegrityError } from '../../core/errors.ts';
import { loadBarPanels } from '../../data/bar-panels.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS } from '../../data/universe.ts';
import { warmupStartDate } from '../../features/build.ts';
import { splitFactors } from '../../features/split-adjust.ts';
import { estimateFactorRiskModel, TargetOptimizer } from '../../portfolio/index.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { monthGrid, monthRange } from '../month-grid.ts';
import { decodeSparsePanel, encodeSparsePanel } from '../panel-files.ts';
import { loadRun, requireMonth } from '../run-io.ts';
import { reportProgress } from './progress.ts';

/** Bars of trailing returns the monthly risk model is estimated on (~6 months of sessions). */
export const RISK_LOOKBACK_BARS = 882;
/** Statistical (PCA) factors beside the market and the 11 sectors. */
export const RISK_STAT_FACTORS = 3;

export interface OptimizeOutput {
  readonly key: string;
  readonly hours: number;
  readonly solved: number;
  readonly failed: number;
}

/**
 * Optimize (one Map item per test month): the path-independent targets. The factor risk model is estimated once,
 * at the month's start, from split-adjusted returns of bars before the month (known at its first decision). Per
 * decision hour: scores of index members (NaN elsewhere → weight 0), the liquidity filter (price, ADV of the last
 * completed sessions), the ADV position cap against the run's starting capital (the path-dependent NAV is not known
 * here: documented in the closing note), sector bands around the members' equal-weight sector mix, the
 * volatility band. A failed solve keeps the previous hour's target (itself feasible) and is counted.
 */
export async function optimizeStep(
  ctx: WorkflowContext,
  item: RunRef & { month: string },
): Promise<OptimizeOutput> {
  const { spec, plan, keys, reader } = await loadRun(ctx, item);
  requireMonth(plan.testMonths, item.month, 'Optimize');
  const range = monthRange(item.month, plan.period);
  const from = warmupStartDate(range.start, RISK_LOOKBACK_BARS);
  const bars = await loadBarPanels(reader, from, range.end);
  const { nT, nA, grid, symbols } = bars;
  let t0 = 0;
  while (t0 < nT && grid.sessions[grid.sessionOfBar[t0]!]!.date < range.start) t0++;
  const nOut = nT - t0;

  // split-adjusted close-to-close returns (forward adjustment, point in time)
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  const factor = new Float64Array(nT * nA);
  splitFactors(actions, grid, nA, spec.decisionLagMs, factor);
  const returns = new Float64Array(t0 * nA).fill(Number.NaN);
  for (let t = 1; t < t0; t++) {
    for (let a = 0; a < nA; a++) {
      const c1 = bars.close[t * nA + a]! * factor[t * nA + a]!;
      const c0 = bars.close[(t - 1) * nA + a]! * factor[(t - 1) * nA + a]!;
      returns[t * nA + a] = c1 / c0 - 1;
    }
  }
  const sectors = await reader.readSectors();
  const sectorByName = new Map(
    sectors.symbol.map((s, i) => [s, GICS_SECTORS.indexOf(sectors.sector[i] as never)] as const),
  );
  const sector = Int16Array.from(symbols, (s) => Math.max(0, sectorByName.get(s) ?? 0));
  const nSectors = GICS_SECTORS.length;
  const risk = estimateFactorRiskModel({
    returns,
    nT: t0,
    nA,
    sector,
    nSectors,
    nStatFactors: RISK_STAT_FACTORS,
    halfLifeBars: RISK_LOOKBACK_BARS / 2,
  });

  // membership, scores
  const membership = await reader.readMembership();
  const spells: { s: number; e: number }[][] = symbols.map(() => []);
  for (let i = 0; i < membership.symbol.length; i++) {
    const a = membership.symbol[i]!;
    if (a >= 0) spells[a]!.push({ s: membership.startMs[i]!, e: membership.endMs[i]! });
  }
  const mGrid = monthGrid(item.month, plan.period);
  if (mGrid.nT !== nOut || mGrid.closeMs[0] !== grid.closeMs[t0]) {
    throw new DataIntegrityError(`Optimize ${item.month}: the dataset's bars do not cover the month's grid`, {
      dataset: plan.datasetId,
      rule: 'month_coverage',
    });
  }
  const scoresFile = await ctx.store.get(keys.scores(item.month));
  const scores = await decodeSparsePanel(
    scoresFile,
    mGrid,
    symbols,
    ['score'],
    Number.NaN,
    keys.scores(item.month),
  );

  // ADV: mean dollar volume of the last completed sessions (known at any bar of the current session)
  const advWindow = spec.portfolio.liquidity.advWindowSessions;
  const nS = grid.sessions.length;
  const sessionDollars = new Float64Array(nS * nA);
  for (let t = 0; t < nT; t++) {
    const s = grid.sessionOfBar[t]!;
    for (let a = 0; a < nA; a++) {
      const dv = bars.close[t * nA + a]! * bars.volume[t * nA + a]!;
      if (dv > 0) sessionDollars[s * nA + a] = sessionDollars[s * nA + a]! + dv;
    }
  }

  const optimizer = new TargetOptimizer({
    maxWeight: spec.portfolio.maxWeight,
    budget: 1,
    riskAversion: spec.portfolio.riskAversion,
    minAdv: spec.universe.minAdvDollars,
    minPrice: spec.universe.minPrice,
    capAdvFraction: spec.portfolio.liquidity.maxAdvFraction,
    sectorBand: spec.portfolio.sectors.band,
    sectorPenalty: spec.portfolio.sectors.penalty,
    targetVol: spec.portfolio.targetVol,
    annualizationFactor: barsPerYear(
      Number(plan.period.start.slice(0, 4)),
      Number(plan.period.end.slice(0, 4)),
    ),
  });
  optimizer.setRiskModel(risk, sector, nSectors);
  const spy = symbols.indexOf(BENCHMARK_SYMBOL);
  const target = new Float64Array(nOut * nA);
  const hourScores = new Float64Array(nA);
  const price = new Float64Array(nA);
  const adv = new Float64Array(nA);
  const bench = new Float64Array(nSectors);
  const out = new Float64Array(nA);
  let prev = new Float64Array(nA);
  let solved = 0;
  let failed = 0;
  for (let h = 0; h < nOut; h++) {
    const t = t0 + h;
    const ms = grid.closeMs[t]!;
    const s = grid.sessionOfBar[t]!;
    bench.fill(0);
    let members = 0;
    for (let a = 0; a < nA; a++) {
      const isMember = a !== spy && spells[a]!.some((sp) => sp.s <= ms && ms < sp.e);
      const sc = scores.fields.score![h * nA + a]!;
      hourScores[a] = isMember ? sc : Number.NaN;
      price[a] = bars.close[t * nA + a]!;
      let sum = 0;
      let k = 0;
      for (let j = s - 1; j >= 0 && k < advWindow; j--, k++) sum += sessionDollars[j * nA + a]!;
      adv[a] = k > 0 ? sum / k : 0;
      if (isMember) {
        bench[sector[a]!] = bench[sector[a]!]! + 1;
        members++;
      }
    }
    for (let k = 0; k < nSectors; k++) bench[k] = members > 0 ? bench[k]! / members : 0;
    const r = optimizer.optimizeTargets(
      { scores: hourScores, price, adv, nav: spec.capital, sectorBench: bench },
      out,
    );
    if (r.ok) {
      solved++;
      prev = Float64Array.from(r.weights);
    } else failed++;
    target.set(prev, h * nA);
  }
  const key = keys.targets(item.month);
  const bytes = encodeSparsePanel(
    mGrid.closeMs,
    symbols,
    { nT: nOut, nA, fields: { weight: target } },
    (i) => target[i]! > 0,
    {
      'hts.solved': String(solved),
      'hts.failed': String(failed),
    },
  );
  await ctx.store.putOnce(key, bytes, { contentType: 'application/vnd.apache.parquet' });
  await reportProgress(ctx, item, 'optimize', plan.testMonths.length, keys.prefix, 'targets/');
  return { key, hours: nOut, solved, failed };
}
