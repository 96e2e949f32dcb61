import { Rng } from '../../core/index.ts';
import type { DatasetWriter } from '../dataset.ts';
import { GICS_SECTORS } from '../universe.ts';
import type { SyntheticMarketConfig } from './config.ts';
import { trackIc } from './ic-tracker.ts';
import { MonthBars } from './month-bars.ts';
import { tradesStock } from './names.ts';
import {
  MACRO_INITIAL,
  publishAnalystActions,
  publishRevisions,
  publishSentiment,
  publishTrap,
  releaseEarnings,
  releaseMacro,
} from './pit-events.ts';
import { announceSplits, applySplits } from './schedules.ts';
import type { GenerateProgress, MarketState, SimulationState } from './state.ts';
import { writeMonthBars } from './write-tables.ts';

// Intraday shapes (share of a full session's variance and volume per bar; bar 0 carries the overnight gap).
const VAR_SHARE_FULL = [0.3, 0.13, 0.1, 0.09, 0.1, 0.12, 0.16];
const VAR_SHARE_EARLY = [0.22, 0.12, 0.11, 0.15];
const VOL_SHARE_FULL = [0.21, 0.12, 0.1, 0.09, 0.1, 0.13, 0.25];
const VOL_SHARE_EARLY = [0.16, 0.09, 0.08, 0.17];
const SPREAD_SHAPE = [1.8, 1.2, 1.0, 0.95, 0.95, 1.0, 1.1];
const GAP_SHARE = 0.7;

/** Streams `bars` and `pit` start here; `rngEvents` has drawn the delistings already. */
export function createSimulationState(
  cfg: SyntheticMarketConfig,
  nA: number,
  shares: Float64Array,
  alpha: Float64Array,
  rngEvents: Rng,
): SimulationState {
  return {
    rngBars: Rng.derive(cfg.seed, 'bars'),
    rngPit: Rng.derive(cfg.seed, 'pit'),
    rngEvents,
    regime: 0,
    mktLogVol: 0,
    spyLevel: 250,
    macroShock: 0,
    splitCount: 0,
    alpha,
    idioLogVol: new Float64Array(nA),
    shares,
    prevClose: new Float64Array(nA).fill(Number.NaN),
    idioToday: new Float64Array(nA),
    retBar: new Float64Array(nA),
    openBar: new Float64Array(nA),
    sectorReturns: new Float64Array(GICS_SECTORS.length),
    macroState: [...MACRO_INITIAL],
    rowValues: new Float64Array(16),
  };
}

/** Simulates every session in order, writing each month's bars as it completes. Returns the bar rows written. */
export async function simulateSessions(
  state: MarketState,
  writer: DatasetWriter,
  months: readonly string[],
  onProgress?: (p: GenerateProgress) => void,
): Promise<number> {
  const { nS, firstBarOfSession, monthOfSession } = state.calendar;
  const bars = new MonthBars(state.names.nA);
  let barRows = 0;
  let curMonth = '';
  for (let s = 0; s < nS; s++) {
    const t0 = firstBarOfSession[s]!;
    const month = monthOfSession[s]!;
    if (month !== curMonth) {
      if (curMonth !== '') barRows += await writeMonthBars(writer, curMonth, bars, state);
      curMonth = month;
      let sEnd = s;
      while (sEnd < nS && monthOfSession[sEnd] === month) sEnd++;
      bars.start(t0, firstBarOfSession[sEnd]! - t0);
      onProgress?.({ stage: 'bars', done: months.indexOf(month), total: months.length });
    }
    simulateSession(state, s, bars);
  }
  barRows += await writeMonthBars(writer, curMonth, bars, state);
  return barRows;
}

/** One session: latent state, the releases before the open, the bars, then what comes after the close. */
function simulateSession(state: MarketState, s: number, bars: MonthBars): void {
  const { firstBarOfSession } = state.calendar;
  const t0 = firstBarOfSession[s]!;
  const nB = firstBarOfSession[s + 1]! - t0;
  const mktVolDaily = advanceSession(state);
  releaseMacro(state, s);
  applySplits(state, s);
  releaseEarnings(state, s, false);
  publishRevisions(state, s);
  publishSentiment(state, s);
  for (let b = 0; b < nB; b++) {
    const t = t0 + b;
    simulateBar(state, s, b, nB, t, mktVolDaily, bars);
    trackIc(state, s, b, t);
    publishAnalystActions(state, s, t, nB);
  }
  releaseEarnings(state, s, true);
  announceSplits(state, s);
  publishTrap(state, s);
}

/** Session-level state: the volatility regime, market volatility, α and idiosyncratic volatility. */
function advanceSession(state: MarketState): number {
  const { sim } = state;
  const rng = sim.rngBars;
  const { alpha, idioLogVol, idioToday } = sim;
  const alphaPhi = state.model.alphaPhi;
  if (sim.regime === 0 && rng.next() < 0.01) sim.regime = 1;
  else if (sim.regime === 1 && rng.next() < 0.05) sim.regime = 0;
  sim.mktLogVol = 0.97 * sim.mktLogVol + 0.06 * rng.normal();
  const mktVolDaily = (sim.regime === 1 ? 0.018 : 0.0075) * Math.exp(sim.mktLogVol);
  for (let a = 0; a < state.names.nA; a++) {
    alpha[a] = alphaPhi * alpha[a]! + Math.sqrt(1 - alphaPhi * alphaPhi) * rng.normal();
    idioLogVol[a] = 0.95 * idioLogVol[a]! + 0.1 * rng.normal();
    idioToday[a] = 0;
  }
  return mktVolDaily;
}

/** The market, sector and name draws of one bar. */
interface BarDraws {
  readonly s: number;
  readonly b: number;
  readonly nB: number;
  /** Offset of the bar in the month's buffers. */
  readonly mb0: number;
  readonly sq: number;
  readonly rm: number;
  readonly secRet: Float64Array;
  readonly jumpDay: number;
  readonly volShare: readonly number[];
}

/** Cap-weighted sums over the live members, for the benchmark. */
interface CapSums {
  sum: number;
  ret: number;
  openRet: number;
}

/** Bar b (t) of session s for every name, then the benchmark. */
function simulateBar(
  state: MarketState,
  s: number,
  b: number,
  nB: number,
  t: number,
  mktVolDaily: number,
  bars: MonthBars,
): void {
  const { nA, spyA } = state.names;
  const rng = state.sim.rngBars;
  const varShare = nB === 7 ? VAR_SHARE_FULL : VAR_SHARE_EARLY;
  const volShare = nB === 7 ? VOL_SHARE_FULL : VOL_SHARE_EARLY;
  const mb0 = (t - bars.t0) * nA;
  const sq = Math.sqrt(varShare[b]!);
  const rm = mktVolDaily * sq * rng.normal() + (b === 0 ? state.sim.macroShock : 0);
  const secRet = state.sim.sectorReturns;
  for (let k = 0; k < secRet.length; k++) secRet[k] = 0.006 * sq * rng.normal();
  const jumpDay = rng.next();
  const draws: BarDraws = { s, b, nB, mb0, sq, rm, secRet, jumpDay, volShare };
  const caps: CapSums = { sum: 0, ret: 0, openRet: 0 };
  for (let a = 0; a < nA; a++) {
    if (!tradesStock(state.names, a, s)) continue;
    simulateNameBar(state, a, draws, bars, caps);
  }
  if (spyA >= 0) simulateBenchmarkBar(state, draws, mktVolDaily, bars, caps);
}

function simulateNameBar(state: MarketState, a: number, d: BarDraws, bars: MonthBars, caps: CapSums): void {
  const { sim } = state;
  const rng = sim.rngBars;
  const { s, b, nB, sq } = d;
  const p = state.model.params[a]!;
  const dropTotal = state.events.dropTotal;
  const { prevClose, retBar } = sim;
  const z = rng.normal();
  const tail = rng.next() < 0.05 ? 2.5 : 0.93;
  let idio = p.idioVolDaily * Math.exp(sim.idioLogVol[a]!) * sq * z * tail;
  if (d.jumpDay < 0.02 && rng.next() < 0.01) idio += 0.06 * rng.normal();
  let r =
    p.beta * d.rm +
    p.sectorLoading * d.secRet[state.names.sectorOf[a]!]! +
    idio +
    state.model.kappa * sim.alpha[a]!;
  if (dropTotal[a]! < 0 && s > state.names.lastS[a]! - 5) r += dropTotal[a]! / (5 * nB);
  sim.idioToday[a] = sim.idioToday[a]! + idio;
  let pc = prevClose[a]!;
  if (Number.isNaN(pc)) pc = state.model.price[a]!; // first bar of the name: starts at its drawn price
  const gap = b === 0 ? GAP_SHARE * r : 0.0002 * rng.normal();
  const open = pc * Math.exp(gap);
  const close = pc * Math.exp(r);
  const sdBar = p.idioVolDaily * sq;
  const high = Math.max(open, close) * Math.exp(0.5 * sdBar * Math.abs(rng.normal()));
  const low = Math.min(open, close) * Math.exp(-0.5 * sdBar * Math.abs(rng.normal()));
  const dollars =
    p.advDollars *
    d.volShare[b]! *
    Math.exp(0.3 * rng.normal()) *
    (1 + (4 * Math.abs(r)) / (p.idioVolDaily + 1e-9));
  const volume = Math.max(100, Math.round(dollars / close / 100) * 100);
  const i = d.mb0 + a;
  bars.open[i] = open;
  bars.high[i] = high;
  bars.low[i] = low;
  bars.close[i] = close;
  bars.volume[i] = volume;
  bars.vwap[i] = (open + high + low + close) / 4;
  bars.spread[i] = p.spreadBaseBps * SPREAD_SHAPE[b]! * Math.exp(0.2 * rng.normal());
  sim.openBar[a] = open;
  retBar[a] = close / pc - 1;
  if (state.names.memberS[s * state.names.nA + a] && !Number.isNaN(prevClose[a]!)) {
    const cap = pc * sim.shares[a]!;
    caps.sum += cap;
    caps.ret += cap * retBar[a]!;
    caps.openRet += cap * (open / pc - 1);
  }
  prevClose[a] = close;
}

/** SPY: the cap-weighted index of the live members. */
function simulateBenchmarkBar(
  state: MarketState,
  d: BarDraws,
  mktVolDaily: number,
  bars: MonthBars,
  caps: CapSums,
): void {
  const { sim } = state;
  const rng = sim.rngBars;
  const spyA = state.names.spyA;
  const spyPrev = sim.spyLevel;
  const rIdx = caps.sum > 0 ? caps.ret / caps.sum : 0;
  const rOpen = caps.sum > 0 ? caps.openRet / caps.sum : 0;
  sim.spyLevel = spyPrev * (1 + rIdx);
  const open = spyPrev * (1 + rOpen);
  const i = d.mb0 + spyA;
  const sd = mktVolDaily * d.sq;
  bars.open[i] = open;
  bars.close[i] = sim.spyLevel;
  bars.high[i] = Math.max(open, sim.spyLevel) * Math.exp(0.3 * sd * Math.abs(rng.normal()));
  bars.low[i] = Math.min(open, sim.spyLevel) * Math.exp(-0.3 * sd * Math.abs(rng.normal()));
  bars.volume[i] = Math.round((8e6 * d.volShare[d.b]! * Math.exp(0.2 * rng.normal())) / 100) * 100 + 100;
  bars.vwap[i] = (bars.open[i]! + bars.high[i]! + bars.low[i]! + bars.close[i]!) / 4;
  bars.spread[i] = 0.3;
  sim.openBar[spyA] = open;
  sim.prevClose[spyA] = sim.spyLevel;
}
