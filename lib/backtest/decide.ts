/**
 * The hour's decision (engine step (c), through `decision-port.ts`): ONE holdings-aware, cost-aware solve of the
 * trade optimizer (`lib/portfolio/trade`) per decision hour, from the current drifted weights w₀, on the month's
 * path-independent inputs (`MonthInputs`, written by Optimize or computed by the paper tick). The book that trades
 * is the solution: there is no second step (no scaling, no uniform turnover step) between the solve and the orders.
 *
 * The problem at hour h (row of the month inputs), for the names that can trade at h and are eligible or held:
 *   maximise  α̂ᵀw − γ_risk·wᵀΣ_H w − γ_trade·Σ_i (c_i|Δ_i| + κ_i|Δ_i|^{3/2}) − λ·Σ_s max(0, |g_sᵀw − b_s·G| − band)²
 *   s.t.      0 ≤ w_i ≤ u_i,  Σw ≤ G,  Σ|w − w₀| ≤ τ,  √(wᵀΣ_H w) ≤ σ_max   (and σ ≥ σ_min when reachable)
 * - α̂: the month inputs' expected excess return over H = `labels.horizonBars` bars; Σ_H their horizon risk model.
 * - u_i = eligible ? min(maxWeight × nameCap, liquidity.maxAdvFraction × ADV_i / NAV) : 0 — against the current
 *   NAV, not the starting capital. A held name that is no longer eligible (left the index, below the price or ADV
 *   floor, no score) has u = 0: the optimizer sells it, and the turnover cap is relaxed by exactly that forced
 *   amount (`TradeOptimizer`), as it is by de-risking (a lower G or name cap): de-risking is never slowed by τ.
 * - Costs: c_i = (slippageBps + half spread) × 1e-4, the half spread being the bar's quoted spread at t / 2 when
 *   `useBarSpread` and the bar has one (known at the decision), else `halfSpreadBps`; κ_i is the fill model's
 *   impact law on |Δ|^{3/2} with participation against one bar's expected dollar volume ADV_i / barsPerSession:
 *   `sqrt`: κ_i = etaBps × 1e-4 × √(NAV / (ADV_i / 7)); `sqrt_vol`: κ_i = eta × σ_daily,i × √(NAV / (ADV_i / 7)),
 *   σ_daily from the month inputs (the fallback when unknown, clamped like the fill model). No ADV: κ_i = 0 (and
 *   u_i = 0). The participation cap of the fill model is not in the problem: partial fills are the fill model's.
 * - τ = `portfolio.turnoverCap` (two-way, per hour); G = the risk state's gross scale.
 * - Volatility band on the traded book: σ_max = targetVol.high × √(H / barsPerYear); σ_min = targetVol.low ×
 *   √(H / barsPerYear) × G (the floor is for a fully invested book: a conservative half book is not pushed back to
 *   the full book's volatility; risk_off, G = 0, has none).
 * - Soft sector bands around the month inputs' benchmark mix b (hour h) times the invested fraction G.
 * - γ_risk = `portfolio.riskAversion`, γ_trade = `portfolio.tradeAversion`.
 *
 * Data gaps: a held name without a price at h is not tradable; it is held fixed, outside the problem (its weight
 * is taken off G, and its covariance with the rest of the book is ignored for that hour). Names neither eligible nor
 * held are left out (their weight is 0).
 *
 * Warm start and determinism: each solve starts from w₀ (which the simulation state holds) with the previous
 * hour's multipliers (budget, turnover, the ceiling's μ: five numbers returned in `out.warm`, which the engine saves
 * in `SimState.decisionWarm`), through the optimizer's explicit seed (`TradeOptions.seed`), which uses nothing of
 * earlier solves. The answer is therefore a function of the hour's inputs and the saved state, so a chunked run
 * equals an unchunked one and the paper tick (one hour per process) equals the backtest, bit for bit. Without a
 * seed (the first hour, after a failure) the solve starts cold. A cold solve of ~500 names takes ~1,500 ADMM
 * iterations (~0.3 s); the seeded active set verifies in a few Newton steps (~1 ms) most hours.
 *
 * A failed solve (`infeasible`, `max_iterations`, `degenerate_input`) holds w₀: no orders, counted with the hour
 * and reason (the decision records' `status`).
 */
import { InvalidInputError } from '../core/index.ts';
import { MAX_DAILY_VOL, MAX_HALF_SPREAD_BPS } from '../execution/index.ts';
import { type MonthInputs, TradeOptimizer, type TradeResult } from '../portfolio/index.ts';
import type { EngineMarket } from './chunk-input.ts';
import {
  type DecisionBuffers,
  type DecisionQuery,
  DecisionStatus,
  type HourDecider,
} from './decision-port.ts';
import type { BacktestSpec } from './spec.ts';

/** Nominal hourly bars in a full session: a bar's expected dollar volume is ADV / 7. */
export const BARS_PER_SESSION = 7;

/** The spec fields the decision depends on (a `BacktestSpec` satisfies it). */
export type DecisionSpec = {
  readonly portfolio: Pick<
    BacktestSpec['portfolio'],
    'maxWeight' | 'turnoverCap' | 'riskAversion' | 'tradeAversion' | 'targetVol' | 'sectors' | 'liquidity'
  >;
  readonly execution: Pick<
    BacktestSpec['execution'],
    'slippageBps' | 'halfSpreadBps' | 'useBarSpread' | 'impact'
  >;
};

const STATUS_OF: Readonly<Record<string, number>> = {
  solved_polished: DecisionStatus.solved_polished,
  solved: DecisionStatus.solved,
  forced: DecisionStatus.forced,
  infeasible: DecisionStatus.infeasible,
  max_iterations: DecisionStatus.max_iterations,
  degenerate_input: DecisionStatus.degenerate_input,
};

/** Per-name scratch of one hour's problem (sized for the dataset's names, used as prefixes of length n). */
class Scratch {
  readonly idx: Int32Array;
  readonly alpha: Float64Array;
  readonly w0: Float64Array;
  readonly upper: Float64Array;
  readonly lin: Float64Array;
  readonly imp: Float64Array;
  readonly spec: Float64Array;
  readonly sector: Int16Array;
  loadings: Float64Array;
  constructor(
    readonly nA: number,
    k: number,
  ) {
    this.idx = new Int32Array(nA);
    this.alpha = new Float64Array(nA);
    this.w0 = new Float64Array(nA);
    this.upper = new Float64Array(nA);
    this.lin = new Float64Array(nA);
    this.imp = new Float64Array(nA);
    this.spec = new Float64Array(nA);
    this.sector = new Int16Array(nA);
    this.loadings = new Float64Array(nA * k);
  }
}

/**
 * The trade optimizer's decider over consecutive months of decision inputs (sorted by `firstBar`, not
 * overlapping): the backtest passes the chunk's month, the paper tick the month of its hour.
 */
export class TradeDecider implements HourDecider {
  private readonly optimizer = new TradeOptimizer();
  private readonly months: readonly MonthInputs[];
  private scratch: Scratch | undefined;
  /** Index of the month of the last call (a search hint only: it never changes an answer). */
  private hint = 0;

  constructor(
    private readonly spec: DecisionSpec,
    months: readonly MonthInputs[],
  ) {
    for (let i = 1; i < months.length; i++) {
      const prev = months[i - 1]!;
      if (months[i]!.firstBar < prev.firstBar + prev.nHours) {
        throw new InvalidInputError('decision inputs must be sorted by firstBar and not overlap', {
          field: 'months',
        });
      }
    }
    this.months = months;
  }

  /** The month whose hours cover run-grid bar `bar`, if any. */
  private monthOf(bar: number): MonthInputs | undefined {
    const ms = this.months;
    const h = ms[this.hint];
    if (h !== undefined && bar >= h.firstBar && bar < h.firstBar + h.nHours) return h;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      if (bar >= m.firstBar && bar < m.firstBar + m.nHours) {
        this.hint = i;
        return m;
      }
    }
    return undefined;
  }

  decide(market: EngineMarket, q: DecisionQuery, out: DecisionBuffers): void {
    const { w0, tradable } = q;
    const m = this.monthOf(q.bar);
    if (m === undefined) {
      out.hold(w0, DecisionStatus.no_inputs);
      return;
    }
    const nA = market.nA;
    if (m.nA !== nA) {
      throw new InvalidInputError(`decision inputs have ${m.nA} names, the market ${nA}`, {
        field: 'months',
      });
    }
    const h = q.bar - m.firstBar;
    const k = m.risk.k;
    let sc = this.scratch;
    if (sc === undefined || sc.nA !== nA || sc.loadings.length < nA * k) {
      sc = new Scratch(nA, k);
      this.scratch = sc;
    }
    const { n, fixedW } = loadProblem(this.spec, m, h, market, q, sc);
    const gross = Math.max(0, q.gross - fixedW);
    out.hold(w0, DecisionStatus.solved_polished);
    out.nNames = n;
    for (let a = 0; a < nA; a++) if (tradable[a] === 1) out.weights[a] = 0;
    if (n === 0) return;
    const annual = Math.sqrt(m.barsPerYear / m.horizonBars);
    const res = this.solveHour(m, h, n, gross, annual, q.warm, sc);
    for (let j = 0; j < n; j++) {
      const a = sc.idx[j]!;
      out.alpha[a] = sc.alpha[j]!;
      out.cap[a] = sc.upper[j]!;
    }
    if (!res.ok) {
      out.weights.set(w0);
      out.status = STATUS_OF[res.reason]!;
      return;
    }
    writeSolution(res, sc.idx, n, annual, out);
  }

  /** One solve of the problem loaded in `sc` (its first n names), seeded by the previous hour's `warm`. */
  private solveHour(
    m: MonthInputs,
    h: number,
    n: number,
    gross: number,
    annual: number,
    warm: readonly number[] | null,
    sc: Scratch,
  ): TradeResult {
    const pf = this.spec.portfolio;
    const k = m.risk.k;
    const opt = this.optimizer;
    opt.setRiskModel(
      {
        n,
        k,
        loadings: sc.loadings.subarray(0, n * k),
        factorCov: m.risk.factorCov,
        specificVar: sc.spec.subarray(0, n),
      },
      { sector: sc.sector.subarray(0, n), nSectors: m.nSectors },
    );
    const seed =
      warm !== null && warm.length === 5
        ? {
            budgetOn: warm[0] === 1,
            turnoverOn: warm[1] === 1,
            nu: warm[2]!,
            theta: warm[3]!,
            ceilingMu: warm[4]!,
          }
        : undefined;
    return opt.solve(
      {
        alpha: sc.alpha.subarray(0, n),
        w0: sc.w0.subarray(0, n),
        upper: sc.upper.subarray(0, n),
        gross,
        turnoverCap: pf.turnoverCap,
        linearCost: sc.lin.subarray(0, n),
        impactCoef: sc.imp.subarray(0, n),
        sectorBench: m.sectorBench.subarray(h * m.nSectors, (h + 1) * m.nSectors),
        sectorBand: pf.sectors.band,
        sectorPenalty: pf.sectors.penalty,
        sectorInvested: gross,
        volCeiling: pf.targetVol.high / annual,
        volFloor: (pf.targetVol.low / annual) * gross,
        riskAversion: pf.riskAversion,
        tradeAversion: pf.tradeAversion,
      },
      seed === undefined ? { warmStart: false } : { seed },
    );
  }
}

/**
 * Loads the hour's names into `sc` (see the module comment): the tradable names that are eligible or held, with
 * their α̂, w₀, cap, costs and risk rows. Returns their count and the weight held fixed outside the problem (gaps).
 */
function loadProblem(
  spec: DecisionSpec,
  m: MonthInputs,
  h: number,
  market: EngineMarket,
  q: DecisionQuery,
  sc: Scratch,
): { n: number; fixedW: number } {
  const { w0, tradable, nav } = q;
  const { nA } = market;
  const k = m.risk.k;
  const { portfolio: pf, execution: ex } = spec;
  const row = h * nA;
  const mRow = q.row * nA;
  const capW = pf.maxWeight * q.nameCap;
  const advFrac = pf.liquidity.maxAdvFraction;
  const slip = ex.slippageBps;
  const spread = ex.useBarSpread ? market.spreadBps : undefined;
  const impact = ex.impact;
  const sqrtVol = impact.kind === 'sqrt_vol';
  const etaFrac = impact.kind === 'sqrt' ? impact.etaBps * 1e-4 : impact.eta;
  const fallbackVol = impact.kind === 'sqrt_vol' ? impact.fallbackDailyVol : 0;
  const { loadings, specificVar } = m.risk;
  let n = 0;
  let fixedW = 0;
  for (let a = 0; a < nA; a++) {
    const held = w0[a]!;
    if (tradable[a] !== 1) {
      fixedW += held;
      continue;
    }
    const eligible = m.eligible[row + a] === 1;
    if (!(eligible || held > 0)) continue;
    const adv = m.advDollars[row + a]!;
    const j = n++;
    sc.idx[j] = a;
    sc.alpha[j] = m.alpha[row + a]!;
    sc.w0[j] = held;
    sc.upper[j] = eligible ? Math.min(capW, adv > 0 ? (advFrac * adv) / nav : 0) : 0;
    let half = ex.halfSpreadBps;
    if (spread !== undefined) {
      const b = spread[mRow + a]!;
      if (b >= 0 && b < Number.POSITIVE_INFINITY) half = Math.min(b * 0.5, MAX_HALF_SPREAD_BPS);
    }
    sc.lin[j] = (slip + half) * 1e-4;
    let kappa = 0;
    if (adv > 0) {
      const root = Math.sqrt(nav / (adv / BARS_PER_SESSION));
      if (sqrtVol) {
        const s = m.dailyVol[row + a]!;
        kappa = etaFrac * (s >= 0 ? Math.min(s, MAX_DAILY_VOL) : fallbackVol) * root;
      } else kappa = etaFrac * root;
    }
    sc.imp[j] = kappa;
    sc.spec[j] = specificVar[a]!;
    // an unknown sector only occurs for a non-eligible name (u = 0: its weight is 0 in any solution)
    const s = m.sector[a]!;
    sc.sector[j] = s >= 0 ? s : 0;
    sc.loadings.set(loadings.subarray(a * k, a * k + k), j * k);
  }
  return { n, fixedW };
}

function writeSolution(
  res: TradeResult & { ok: true },
  idx: Int32Array,
  n: number,
  annual: number,
  out: DecisionBuffers,
): void {
  const w = res.weights;
  for (let j = 0; j < n; j++) out.weights[idx[j]!] = w[j]!;
  out.status = STATUS_OF[res.status]!;
  out.exAnteVol = res.exAnteVol * annual;
  out.iterations = res.iterations;
  out.newtonSteps = res.newtonSteps;
  const b = res.binding;
  out.bindingTurnover = b.turnover;
  out.bindingVolCeiling = b.volCeiling;
  out.bindingGross = b.gross;
  out.volFloorReached = b.volFloorReached;
  out.capsAtUpper = b.capsAtUpper;
  out.sectorsOutside = b.sectorsOutside;
  out.turnover = res.turnover;
  out.turnoverRelaxedBy = res.turnoverRelaxedBy;
  const s = res.seed;
  out.warm = [s.budgetOn ? 1 : 0, s.turnoverOn ? 1 : 0, s.nu, s.theta, s.ceilingMu];
}
