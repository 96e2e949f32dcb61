/**
 * The simulation engine: the path-dependent hour loop over a chunk of bars, on columns, allocating nothing per
 * name in the loop (scratch and record buffers come from an `EngineContext`, reused across chunks when the caller
 * passes one; record buffers grow by doubling).
 *
 * One hour t (run-grid bar index), in this order:
 * (a) At the open of bar t (`openMs[t]`):
 *     1. splits effective at this open (ex-date = this bar's open) are applied to positions and to pending orders
 *        (`applySplit`: shares × ratio, the fraction paid in cash at the post-split open), marks divided by the
 *        ratio; the SPY benchmark's shares likewise;
 *     2. the pending orders — decided at bar t−1's close, plus carried remainders under `remainder: 'carry'` —
 *        execute at open[t] through `fillOrders` (sells before buys, participation cap against bar t's volume,
 *        lots, costs, the fee per executed order, pro-rata buys when cash is short; cash never negative). This is
 *        the only timing: after a session's last bar, bar t is the next session's first bar, so it is the next
 *        session's open. The cap and the impact use bar t's own volume (and spread), which is only complete at bar
 *        t's close: an ex-post liquidity convention of the fill model; no decision ever sees it before its close.
 *        The `sqrt_vol` impact reads the market's `dailyVol` (known at the decision: the decision inputs' column).
 *     3. a pending SPY benchmark buy executes at the same open with the same costs (`fillCost`).
 * (b) At the close of bar t: a holding with a delisting event effective at t (`DelistingEvent.bar`: the event's
 *     bar, or the first bar at whose decision it is known when that is later) is cashed out without costs at the
 *     event's delisting price, else at its last price (`closeDelisted`: the corporate event closes it, it is not
 *     traded). No bar after t is ever read: a name whose bars stop without a known event is a data gap, held at
 *     its last price and listed (`GapRecords`: its first missing hour; `SimState.gaps` carries open gaps across
 *     chunks), never sold. Every holding is marked at close[t] (or, with no bar at t, at its last known price);
 *     NAV = cash + Σ shares × mark; the drawdown governor observes NAV and the benchmark's return
 *     (`stepRiskState`) and gives the state's gross and name-cap scales.
 * (c) The decision at bar t (decision time close(t) + lag), through the decision port (`decision-port.ts`): from
 *     the current weights w₀ = shares × close / NAV, NAV and the scales, the `HourDecider` (the trade optimizer's,
 *     `decide.ts`) returns the weights to hold; names that cannot trade at t (no price, delisted) stay where they
 *     are. Orders for open[t+1]: Δshares = (w − w₀) × NAV / close[t], rounded toward zero to lots (w = 0 sells the
 *     whole position); an order worth less than `execution.minTicketDollars` at close[t] is not sent (a sale to
 *     zero always is). A failed decision holds w₀: no orders.
 *
 * The last bar of a chunk decides as every bar does; its orders stay pending in the returned state and execute
 * at the next chunk's first open. The last bar of the run therefore decides nothing that executes within the
 * run: its orders are in the final state, unexecuted. Hence a run ending at T is exactly the first chunk of a
 * longer run cut at T (the truncation property), and chunked runs equal unchunked runs bit for bit (the decider
 * keeps no state between hours: see `decision-port.ts`).
 *
 * The engine draws no random numbers. Weights (held and decided) are recorded sparsely: only non-zero rows. Fill
 * rows omit what the other columns determine (the time: the bar's open, or close for a delisting; the notional:
 * |filled| × price), which the `fills` artifact derives.
 */
import { InvalidInputError, lowerBoundBy } from '../core/index.ts';
import {
  allocFillBuffers,
  applySplit,
  closeDelisted,
  type ExecutionConfig,
  emptyFillCost,
  type FillBuffers,
  FillStatus,
  fillCost,
  fillOrders,
  fillParams,
} from '../execution/index.ts';
import { RISK_STATE_NAMES, type RiskTransition, riskScales, stepRiskState } from '../risk/index.ts';
import { type ChunkInput, type ChunkResult, checkChunkInput, type EngineMarket } from './chunk-input.ts';
import { DecisionBuffers, type DecisionQuery } from './decision-port.ts';
import {
  DecisionStatus,
  FIRST_FAILED_STATUS,
  FillKind,
  newBarBuilder,
  newDecisionBuilder,
  newFillBuilder,
  newGapBuilder,
  newWeightBuilder,
} from './records.ts';
import { SIM_STATE_VERSION, type SimState } from './sim-state.ts';

export type {
  ChunkInput,
  ChunkResult,
  DelistingEvent,
  EngineConfig,
  EngineMarket,
  SplitEvent,
} from './chunk-input.ts';

const RISK_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  RISK_STATE_NAMES.map((s, i) => [s, i]),
);
const INF = Number.POSITIVE_INFINITY;
const barOf = (event: { readonly bar: number }): number => event.bar;

/**
 * Scratch and record buffers that consecutive `simulateChunk` calls can share (one context per thread of work: a
 * process running chunk after chunk, a warm Lambda). Without one, every chunk allocates its records afresh — for a
 * dense month of 500 names that is ~6 MB of new, page-faulting, zero-filled memory per chunk. With one, the
 * outputs a call returns are views into the context's buffers, valid until the next call with the same context:
 * copy them first (`copyOutputs`, `concatOutputs`) to keep them. The context holds no simulation state: results
 * are identical with or without it, and whichever context is passed.
 */
export class EngineContext {
  /** The records of the chunk last simulated with this context. */
  readonly bars: ReturnType<typeof newBarBuilder>;
  readonly fills: ReturnType<typeof newFillBuilder>;
  readonly weights: ReturnType<typeof newWeightBuilder>;
  readonly decisions: ReturnType<typeof newDecisionBuilder>;
  readonly gaps: ReturnType<typeof newGapBuilder>;
  private nA = -1;
  private symbols: readonly string[] | null = null;
  private readonly symbolIndex = new Map<string, number>();
  positions = new Float64Array(0);
  mark = new Float64Array(0);
  pending = new Float64Array(0);
  cur = new Float64Array(0);
  tradable = new Uint8Array(0);
  delistBar = new Int32Array(0);
  gapSince = new Int32Array(0);
  fb: FillBuffers = allocFillBuffers(0);
  decision = new DecisionBuffers(0);

  /** `barRows` and `rows`: initial capacities of the ledger and of the fill and weight records (they grow). */
  constructor(barRows = 256, rows = 1 << 16) {
    this.bars = newBarBuilder(barRows);
    this.fills = newFillBuilder(rows);
    this.weights = newWeightBuilder(rows);
    this.decisions = newDecisionBuilder(barRows);
    this.gaps = newGapBuilder(16);
  }

  /** Sizes the per-name scratch for `nA` names and indexes `symbols` (both kept while they do not change). */
  prepare(nA: number, symbols: readonly string[]): void {
    if (nA !== this.nA) {
      this.nA = nA;
      this.positions = new Float64Array(nA);
      this.mark = new Float64Array(nA);
      this.pending = new Float64Array(nA);
      this.cur = new Float64Array(nA);
      this.tradable = new Uint8Array(nA);
      this.delistBar = new Int32Array(nA);
      this.gapSince = new Int32Array(nA);
      this.fb = allocFillBuffers(nA);
      this.decision = new DecisionBuffers(nA);
    }
    if (symbols !== this.symbols) {
      this.symbols = symbols;
      this.symbolIndex.clear();
      for (let a = 0; a < nA; a++) this.symbolIndex.set(symbols[a]!, a);
    }
    this.bars.reset();
    this.fills.reset();
    this.weights.reset();
    this.decisions.reset();
    this.gaps.reset();
  }

  /** The column of `symbol` in the prepared symbol list. */
  indexOf(symbol: string, what: string): number {
    const a = this.symbolIndex.get(symbol);
    if (a === undefined) {
      throw new InvalidInputError(`state.${what}: symbol '${symbol}' is not in the market's symbol list`, {
        field: `state.${what}`,
      });
    }
    return a;
  }
}

/** The decision query the engine fills in place each hour (its arrays are the context's scratch). */
type MutableQuery = { -readonly [K in keyof DecisionQuery]: DecisionQuery[K] };

/**
 * Simulates run-grid bars [startBar, endBar) from `state`; returns the state after the last bar (with the
 * orders it decided, pending) and the chunk's records. Pure: `state` is not mutated (the decider is a pure function
 * of its inputs, `decision-port.ts`). With `ctx`, the records are views into the context's reused buffers (valid
 * until its next use; see `EngineContext`); without, they are freshly allocated.
 */
export function simulateChunk(state: SimState, chunk: ChunkInput, ctx?: EngineContext): ChunkResult {
  checkChunkInput(state, chunk);
  const { config, market: m, startBar, endBar, decider } = chunk;
  const { nA, barOffset, open, close, volume, symbols } = m;
  const exec = config.execution;
  const riskCfg = config.risk;
  // Numbers read from objects go through `+` (an identity on numbers) so that TurboFan types them as numbers and
  // keeps the per-name loops' doubles unboxed (a phi mixing an untyped load with a computed double is boxed).
  const lot = +exec.lotSize;
  const unitLot = lot === 1;
  const carry = exec.remainder === 'carry';
  const minTicket = +exec.minTicketDollars;
  const bIdx = m.benchmarkAsset;
  const nBars = endBar - startBar;
  // Room for a dense chunk (every name every bar) up to ~1M rows; larger chunks grow by doubling.
  const cx = ctx ?? new EngineContext(nBars, Math.min(nBars * nA + 16, 1 << 20));
  cx.prepare(nA, symbols);

  // ---- state → dense scratch
  const { positions, mark, pending, cur, tradable, delistBar, gapSince, fb, decision } = cx;
  positions.fill(0);
  mark.fill(Number.NaN);
  pending.fill(0);
  gapSince.fill(-1);
  const sp = state.positions;
  for (let i = 0; i < sp.symbol.length; i++) {
    const a = cx.indexOf(sp.symbol[i]!, 'positions');
    positions[a] = sp.shares[i]!;
    mark[a] = sp.mark[i]!;
  }
  const so = state.pending;
  for (let i = 0; i < so.symbol.length; i++) pending[cx.indexOf(so.symbol[i]!, 'pending')] = so.shares[i]!;
  const sg = state.gaps;
  for (let i = 0; i < sg.symbol.length; i++) gapSince[cx.indexOf(sg.symbol[i]!, 'gaps')] = sg.since[i]!;
  let cash = +state.cash;
  let prevNav = state.prevNav;
  let navPeak = state.navPeak;
  let risk = state.risk;
  const counters = { ...state.counters };
  const bench = { ...state.benchmark };
  const benchPos = new Float64Array(1);
  benchPos[0] = bench.shares;

  // delisted before this chunk: never tradable again
  delistBar.fill(0x7fffffff);
  for (const d of m.delistings) if (d.bar < delistBar[d.asset]!) delistBar[d.asset] = d.bar;

  const benchCost = emptyFillCost();
  const barsB = cx.bars;
  const fillsB = cx.fills;
  const weightsB = cx.weights;
  const decisionsB = cx.decisions;
  const gapsB = cx.gaps;
  const transitions: RiskTransition[] = [];
  const fp = fillParams(exec);
  const spreadCol = m.spreadBps;
  const volCol = m.dailyVol;
  const fs = fb.summary;
  const { splits, delistings } = m;
  let splitAt = lowerBoundBy(splits, barOf, startBar);
  let delistAt = lowerBoundBy(delistings, barOf, startBar);
  const bc = barsB.reserve(nBars);
  const dc = decisionsB.reserve(nBars);
  let warm = state.decisionWarm;
  const query: MutableQuery = { bar: 0, row: 0, nav: 0, gross: 1, nameCap: 1, w0: cur, tradable, warm };

  for (let t = startBar; t < endBar; t++) {
    const r = t - barOffset;
    const row = r * nA;
    const closeMs = m.closeMs[r]!;
    let cashInLieu = 0;

    // (a1) splits at this open
    while (splitAt < splits.length && splits[splitAt]!.bar <= t) {
      const s = splits[splitAt++]!;
      if (s.bar < t) continue;
      const a = s.asset;
      const px = open[row + a]!;
      const post = px > 0 && px < INF ? px : mark[a]! / s.ratio;
      const cil = applySplit(positions, a, s.ratio, post, pending);
      cash += cil;
      cashInLieu += cil;
      mark[a] = mark[a]! / s.ratio;
      if (a === bIdx) {
        bench.cash += applySplit(benchPos, 0, s.ratio, post);
        if (bench.mark !== null) bench.mark /= s.ratio;
      }
    }

    // (a2) the orders decided at t−1 execute at open[t] (recorded below, with the marks)
    let traded = 0;
    let buyN = 0;
    let sellN = 0;
    let slip = 0;
    let spr = 0;
    let imp = 0;
    let fee = 0;
    let nOrders = 0;
    let nFills = 0;
    // The kernel writes the fill rows in place (a filled name is marked at its fill price; with `carry` the
    // remainders are left in `pending`); `bar` and `kind` are constant over the bar's rows.
    const fc = fillsB.reserve(nA);
    const r0 = fillsB.n;
    const r1 = fillOrders(
      fp,
      pending,
      pending,
      open,
      volume,
      spreadCol,
      volCol,
      row,
      positions,
      mark,
      cash,
      fc,
      r0,
      fb,
    );
    if (r1 > r0) {
      fc.bar.fill(t, r0, r1);
      fc.kind.fill(FillKind.ORDER, r0, r1);
      fillsB.n = r1;
      if (!carry) pending.fill(0);
      cash = +fs.cashAfter;
      traded = fs.filledNotional;
      buyN = fs.buyNotional;
      sellN = fs.sellNotional;
      slip = fs.slippageCost;
      spr = fs.spreadCost;
      imp = fs.impactCost;
      fee = fs.feeCost;
      nOrders = fs.nOrders;
      nFills = fs.nFills;
      counters.orders += nOrders;
      counters.fills += nFills;
      counters.requestedNotional += fs.requestedNotional;
      counters.filledNotional += traded;
      counters.slippageCost += slip;
      counters.spreadCost += spr;
      counters.impactCost += imp;
      counters.feeCost += fee;
    }

    // (a3) the benchmark's buy
    if (bench.status === 'pending' && bIdx >= 0) buyBenchmark(m, exec, row, lot, bench, benchPos, benchCost);

    // (b) close: delistings effective at this close (no costs), then every holding is marked at close[t] (else the
    // last known price: a name filled at this open keeps its fill price) for the NAV; held names without a price
    // and without a delisting are data gaps.
    let delistProceeds = 0;
    while (delistAt < delistings.length && delistings[delistAt]!.bar <= t) {
      const d = delistings[delistAt++]!;
      if (d.bar < t) continue;
      const a = d.asset;
      const held = positions[a]!;
      const c = close[row + a]!;
      const last = c > 0 && c < INF ? c : mark[a]!;
      const px = d.price > 0 && d.price < INF ? d.price : last;
      const proceeds = closeDelisted(positions, a, px, pending);
      gapSince[a] = -1;
      if (held > 0) {
        cash += proceeds;
        delistProceeds += proceeds;
        const fc = fillsB.reserve(1);
        const n = fillsB.n++;
        fc.bar[n] = t;
        fc.asset[n] = a;
        fc.kind[n] = FillKind.DELISTING;
        fc.status[n] = FillStatus.FILLED;
        fc.requested[n] = -held;
        fc.filled[n] = -held;
        fc.price[n] = px;
        fc.slippageCost[n] = 0;
        fc.spreadCost[n] = 0;
        fc.impactCost[n] = 0;
        fc.fee[n] = 0;
      }
    }
    let invested = 0;
    let nHeld = 0;
    let nGaps = 0;
    for (let a = 0; a < nA; a++) {
      const c = close[row + a]!;
      const priced = c > 0 && c < INF;
      if (priced) mark[a] = c;
      const q = positions[a]!;
      if (q > 0) {
        invested += q * mark[a]!;
        nHeld++;
        if (!priced) {
          if (gapSince[a]! < 0) {
            gapSince[a] = t;
            const gc = gapsB.reserve(1);
            gc.bar[gapsB.n] = t;
            gc.asset[gapsB.n++] = a;
            counters.gaps++;
          }
          nGaps++;
        } else gapSince[a] = -1;
      } else gapSince[a] = -1;
      tradable[a] = priced && delistBar[a]! > t ? 1 : 0;
    }
    const nav = cash + invested;
    if (nav > navPeak) navPeak = nav;
    if (bIdx >= 0) {
      const c = close[row + bIdx]!;
      if (c > 0 && c < INF) bench.mark = c;
    }
    const benchNav =
      bIdx >= 0 ? bench.cash + (benchPos[0]! > 0 ? benchPos[0]! * bench.mark! : 0) : Number.NaN;
    const benchRet = bIdx >= 0 && bench.prevNav > 0 ? benchNav / bench.prevNav - 1 : Number.NaN;
    const step = stepRiskState(riskCfg, risk, { nav, barIndex: t, benchmarkReturn: benchRet });
    risk = step.state;
    if (step.transition !== undefined) {
      transitions.push(step.transition);
      counters.transitions++;
    }
    const scales = riskScales(riskCfg, risk.state);
    const gross = +scales.gross;
    const nameCap = +scales.nameCap;
    if (!(gross >= 0 && gross <= 1) || !(nameCap >= 0 && nameCap <= 1)) {
      throw new InvalidInputError(
        `grossScale and nameCapScale must be in [0, 1], received ${gross}, ${nameCap}`,
      );
    }

    // (c) the decision at t: orders for open[t+1]
    let nW = weightsB.n;
    const wc = weightsB.reserve(nA);
    let tickets = 0;
    let skipped = 0;
    let orderGap = 0;
    if (nav > 0) {
      const invNav = 1 / nav;
      for (let a = 0; a < nA; a++) {
        const q = positions[a]!;
        cur[a] = q > 0 ? q * mark[a]! * invNav : 0;
      }
      query.bar = t;
      query.row = r;
      query.nav = nav;
      query.gross = gross;
      query.nameCap = nameCap;
      query.warm = warm;
      decider.decide(m, query, decision);
      warm = decision.warm;
      const failed = decision.status >= FIRST_FAILED_STATUS;
      if (failed) counters.failedDecisions++;
      const wDec = decision.weights;
      for (let a = 0; a < nA; a++) {
        const wNow = cur[a]!;
        let wNext = wNow;
        if (tradable[a] === 1) {
          const held = positions[a]!;
          let order = 0;
          if (!failed) {
            wNext = wDec[a]!;
            if (!(wNext >= 0 && wNext < INF)) {
              throw new InvalidInputError(
                `decided weight at bar ${t}, asset ${a} must be finite and >= 0, received ${wNext}`,
                { field: 'weights', bar: t, asset: a },
              );
            }
            const px = close[row + a]!;
            if (wNext === 0) order = held > 0 ? -held : 0;
            else if (wNext !== wNow) {
              // rounded toward zero to lots; within 1e-9 of a whole lot counts as whole (w − w₀ is computed with
              // rounding error: a 0.6 − 0.5 step of 1,000 shares must not become 999)
              const d = ((wNext - wNow) * nav) / px;
              const ad = d < 0 ? -d : d;
              const rounded = unitLot ? Math.floor(ad + 1e-9) : Math.floor(ad / lot + 1e-9) * lot;
              order = d < 0 ? -rounded : rounded;
            }
            if (order !== 0 && held + order !== 0 && (order < 0 ? -order : order) * px < minTicket) {
              order = 0;
              skipped++;
            }
          }
          pending[a] = order;
          if (order !== 0) tickets++;
          const wOrdered = wNow + (order * close[row + a]!) / nav;
          orderGap += wOrdered > wNext ? wOrdered - wNext : wNext - wOrdered;
        } else if (!carry || delistBar[a]! <= t) {
          pending[a] = 0;
        }
        if (wNow !== 0 || wNext !== 0) {
          wc.bar[nW] = t;
          wc.asset[nW] = a;
          wc.weight[nW] = wNow;
          wc.target[nW] = wNext;
          wc.alpha[nW] = decision.alpha[a]!;
          wc.cap[nW] = decision.cap[a]!;
          nW++;
        }
      }
    } else {
      pending.fill(0);
      decision.hold(cur.fill(0), DecisionStatus.no_nav);
    }
    weightsB.n = nW;
    counters.tickets += tickets;
    counters.skippedTickets += skipped;
    if (bench.status === 'waiting' && bIdx >= 0) bench.status = 'pending';

    // the decision's row
    const di = decisionsB.n++;
    dc.bar[di] = t;
    dc.status[di] = decision.status;
    dc.exAnteVol[di] = decision.exAnteVol;
    dc.iterations[di] = decision.iterations;
    dc.newtonSteps[di] = decision.newtonSteps;
    dc.bindingTurnover[di] = decision.bindingTurnover ? 1 : 0;
    dc.bindingVolCeiling[di] = decision.bindingVolCeiling ? 1 : 0;
    dc.bindingGross[di] = decision.bindingGross ? 1 : 0;
    dc.volFloorReached[di] = decision.volFloorReached ? 1 : 0;
    dc.capsAtUpper[di] = decision.capsAtUpper;
    dc.sectorsOutside[di] = decision.sectorsOutside;
    dc.turnover[di] = decision.turnover;
    dc.turnoverRelaxedBy[di] = decision.turnoverRelaxedBy;
    dc.tickets[di] = tickets;
    dc.skippedTickets[di] = skipped;
    dc.orderGap[di] = orderGap;
    dc.nNames[di] = decision.nNames;
    dc.nGaps[di] = nGaps;

    // the ledger row
    const i = barsB.n++;
    bc.bar[i] = t;
    bc.closeMs[i] = closeMs;
    bc.nav[i] = nav;
    bc.cash[i] = cash;
    bc.ret[i] = prevNav > 0 ? nav / prevNav - 1 : Number.NaN;
    bc.grossExposure[i] = nav > 0 ? invested / nav : 0;
    bc.tradedNotional[i] = traded;
    bc.buyNotional[i] = buyN;
    bc.sellNotional[i] = sellN;
    bc.turnover[i] = nav > 0 ? traded / (2 * nav) : 0;
    bc.slippageCost[i] = slip;
    bc.spreadCost[i] = spr;
    bc.impactCost[i] = imp;
    bc.feeCost[i] = fee;
    bc.cashInLieu[i] = cashInLieu;
    bc.delistProceeds[i] = delistProceeds;
    bc.nOrders[i] = nOrders;
    bc.nFills[i] = nFills;
    bc.nHeld[i] = nHeld;
    bc.riskState[i] = RISK_CODE[risk.state]!;
    bc.drawdown[i] = 1 - nav / risk.peakNav;
    bc.riskPeakNav[i] = risk.peakNav;
    bc.grossScale[i] = gross;
    bc.nameCapScale[i] = nameCap;
    bc.benchmarkNav[i] = benchNav;
    bc.benchmarkRet[i] = benchRet;
    if (bIdx >= 0) bench.prevNav = benchNav;
    prevNav = nav;
    counters.bars++;
    counters.cashInLieu += cashInLieu;
    counters.delistProceeds += delistProceeds;
  }

  // ---- dense scratch → state (ascending symbol order: the market's symbols are sorted)
  const outPositions = { symbol: [] as string[], shares: [] as number[], mark: [] as number[] };
  const outPending = { symbol: [] as string[], shares: [] as number[] };
  const outGaps = { symbol: [] as string[], since: [] as number[] };
  for (let a = 0; a < nA; a++) {
    const q = positions[a]!;
    if (q > 0) {
      outPositions.symbol.push(symbols[a]!);
      outPositions.shares.push(q);
      outPositions.mark.push(mark[a]!);
    }
    const p = pending[a]!;
    if (p !== 0) {
      outPending.symbol.push(symbols[a]!);
      outPending.shares.push(p);
    }
    if (gapSince[a]! >= 0) {
      outGaps.symbol.push(symbols[a]!);
      outGaps.since.push(gapSince[a]!);
    }
  }
  const next: SimState = {
    stateVersion: SIM_STATE_VERSION,
    nextBar: endBar,
    cash,
    prevNav,
    navPeak,
    positions: outPositions,
    pending: outPending,
    gaps: outGaps,
    risk,
    decisionWarm: warm,
    benchmark: { ...bench, shares: benchPos[0]! },
    counters,
  };
  return {
    state: next,
    outputs: {
      bars: barsB.finish(),
      fills: fillsB.finish(),
      weights: weightsB.finish(),
      decisions: decisionsB.finish(),
      gaps: gapsB.finish(),
      transitions,
    },
  };
}

/** The SPY benchmark's buy at the open of the market's row (`row` = r × nA), with the fill model's costs. */
function buyBenchmark(
  m: EngineMarket,
  exec: ExecutionConfig,
  row: number,
  lot: number,
  bench: { status: string; cash: number; mark: number | null },
  benchPos: Float64Array,
  benchCost: ReturnType<typeof emptyFillCost>,
): void {
  const bIdx = m.benchmarkAsset;
  const px = m.open[row + bIdx]!;
  const v = m.volume[row + bIdx]!;
  if (!(px > 0 && px < INF && v > 0 && v < INF)) return;
  const sp = m.spreadBps === undefined ? Number.NaN : m.spreadBps[row + bIdx]!;
  const dv = m.dailyVol === undefined ? Number.NaN : m.dailyVol[row + bIdx]!;
  let q = Math.floor(bench.cash / px / lot) * lot;
  fillCost(exec, q, px, v, sp, dv, benchCost);
  if (q > 0) q = Math.floor(bench.cash / (px * (1 + benchCost.totalBps * 1e-4)) / lot) * lot;
  for (; q > 0; q -= lot) {
    fillCost(exec, q, px, v, sp, dv, benchCost);
    if (bench.cash - benchCost.notional - benchCost.total >= 0) break;
  }
  if (q > 0) {
    bench.cash -= benchCost.notional + benchCost.total;
    benchPos[0] = benchPos[0]! + q;
  }
  bench.status = 'invested';
  bench.mark = px;
}
