/**
 * The decision port of the hour loop: step (c) of `simulateChunk` asks an `HourDecider` for the weights to hold from
 * the next open, given the book at the hour's close. The engine stays free of portfolio construction: it hands over
 * the drifted weights, NAV and the risk state's scales, and turns the answer into orders. The product's decider is
 * the trade optimizer's (`decide.ts`); `target-decider.ts` steps toward fixed targets (benchmarks, engine tests).
 *
 * Contract. A decider is a pure function of its own inputs (e.g. the month's decision inputs) and of the query: it
 * keeps no state from one call to the next that could change an answer; what it wants to carry to the next hour
 * (a warm start) it returns in `out.warm`, which the engine saves in the simulation state and hands back as
 * `query.warm`. So a chunked run equals an unchunked one, and the paper tick, which decides one hour in a fresh
 * process, equals the backtest. It writes `out.weights[a]`
 * for every tradable name (`query.tradable[a] === 1`); the engine holds the other names at their current weight
 * whatever is written there.
 */
import type { EngineMarket } from './chunk-input.ts';
import { DecisionStatus } from './records.ts';

/** The engine's question at hour t. One object, reused from hour to hour: a decider must not keep it. */
export interface DecisionQuery {
  /** Run-grid bar t and its row in the market's columns. */
  readonly bar: number;
  readonly row: number;
  /** NAV at the close of t (> 0): cash + Σ shares × mark. */
  readonly nav: number;
  /** The risk state's gross scale (Σw ≤ gross) and name-cap scale (w ≤ nameCap × maxWeight), in [0, 1]. */
  readonly gross: number;
  readonly nameCap: number;
  /** nA current (drifted) weights at the close: shares × mark / NAV. */
  readonly w0: Float64Array;
  /**
   * nA: 1 when the name can be traded at t (a price at the close, not delisted), 0 when it cannot (a data gap of a
   * held name, or a name without a price): those are held where they are, outside the decision.
   */
  readonly tradable: Uint8Array;
  /** The warm start the previous hour's decision left (`DecisionBuffers.warm`, saved in the state), or null. */
  readonly warm: readonly number[] | null;
}

/** The answer, in buffers the engine owns (sized for nA names, reused from hour to hour). */
export class DecisionBuffers {
  /** nA: the weights to hold from the next open (read for tradable names only). */
  readonly weights: Float64Array;
  /** nA: the expected return and the cap the decision used per name (NaN: the name was not in the problem). */
  readonly alpha: Float64Array;
  readonly cap: Float64Array;
  /** `DecisionStatus` code. */
  status = 0;
  /** Annualised ex-ante volatility of the decided book (NaN when nothing was solved). */
  exAnteVol = Number.NaN;
  iterations = 0;
  newtonSteps = 0;
  bindingTurnover = false;
  bindingVolCeiling = false;
  bindingGross = false;
  volFloorReached = true;
  capsAtUpper = 0;
  sectorsOutside = 0;
  /** Σ|w − w₀| decided, and the turnover above the cap that de-risking or caps forced. */
  turnover = 0;
  turnoverRelaxedBy = 0;
  /** Names in the problem. */
  nNames = 0;
  /** The warm start for the next hour's decision (plain numbers, saved in the state); null: start cold. */
  warm: number[] | null = null;

  constructor(readonly nA: number) {
    this.weights = new Float64Array(nA);
    this.alpha = new Float64Array(nA);
    this.cap = new Float64Array(nA);
  }

  /** Back to "nothing decided": weights = w₀ (hold), no α̂ or cap, status `status`. */
  hold(w0: Float64Array, status: number): void {
    this.weights.set(w0);
    this.alpha.fill(Number.NaN);
    this.cap.fill(Number.NaN);
    this.status = status;
    this.exAnteVol = Number.NaN;
    this.iterations = 0;
    this.newtonSteps = 0;
    this.bindingTurnover = false;
    this.bindingVolCeiling = false;
    this.bindingGross = false;
    this.volFloorReached = true;
    this.capsAtUpper = 0;
    this.sectorsOutside = 0;
    this.turnover = 0;
    this.turnoverRelaxedBy = 0;
    this.nNames = 0;
    this.warm = null;
  }
}

export interface HourDecider {
  /** Decides hour `query.bar` (see the module comment); writes into `out`, starting from `out.hold(w0, …)`. */
  decide(market: EngineMarket, query: DecisionQuery, out: DecisionBuffers): void;
}

export { DecisionStatus };
