/**
 * Transaction costs of one fill, in basis points of the fill's notional (`|shares| × open price`), three
 * separately reported components, each ≥ 0:
 *
 * - slippage: `slippageBps` (default 1.0), a flat charge for the execution-to-open gap and timing noise;
 * - spread: half the quoted spread, `halfSpreadBps` (default 0.5), or — with `useBarSpread` and a finite,
 *   non-negative `spread_bps` on the execution bar — that bar's `spreadBps / 2`;
 * - impact: the square-root law on participation `p = |shares| / executionBarVolume`:
 *   - `kind: 'sqrt'`:     `impactBps = etaBps · sqrt(p)`; `etaBps` is the impact in bps of trading the whole
 *     bar's volume (p = 1). Default 25 bps.
 *   - `kind: 'sqrt_vol'`: `impactBps = eta · σ_daily · 1e4 · sqrt(p)`, σ_daily the name's recent daily return
 *     volatility (a fraction; `fallbackDailyVol` when missing). Default eta 0.2.
 *
 * Why these defaults: the square-root law (Almgren, Thum, Hauptmann & Li 2005; Tóth et al. 2011) writes impact
 * as `Y · σ_daily · sqrt(Q / V_daily)` with Y ≈ 0.5–1 for liquid equities. Our participation is against one hourly
 * bar (≈ 1/7 of daily volume), so `Q / V_daily ≈ p / 7` and the bar-level coefficient is
 * `Y · sqrt(1/7) · σ_daily ≈ 0.19 · σ_daily` at Y = 0.5 (lower end: S&P 500 names). That is the `sqrt_vol` eta
 * (0.2); with the median S&P 500 σ_daily ≈ 1.3% it gives ≈ 25 bps at p = 1, the `sqrt` etaBps. At the default
 * participation cap (p = 0.10) the impact is ≈ 7.9 bps; at p = 1% it is 2.5 bps.
 *
 * Bounds make a fill's total cost structurally smaller than its notional (so a sell always raises cash):
 * slippage ≤ 100 bps, half-spread ≤ 1,000 bps (a bar's half-spread is clamped there too), `etaBps` ≤ 1,000,
 * eta ≤ 1 with σ_daily clamped to [0, 0.5] (≤ 5,000 bps at p = 1): at most 6,100 bps in all.
 */
import { z } from 'zod';

/** Largest half-spread (bps) the model charges; a bar's `spreadBps / 2` above it is clamped (corrupt quote). */
export const MAX_HALF_SPREAD_BPS = 1000;
/** Largest daily volatility (fraction) fed to the `sqrt_vol` impact law. */
export const MAX_DAILY_VOL = 0.5;

export const ImpactModel = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('sqrt').describe('Square-root law in bps: impactBps = etaBps · sqrt(participation).'),
        etaBps: z
          .number()
          .min(0)
          .max(1000)
          .default(25)
          .meta({ description: "Impact at 100% participation of the execution bar's volume.", unit: 'bps' }),
      })
      .strict(),
    z
      .object({
        kind: z
          .literal('sqrt_vol')
          .describe(
            'Volatility-scaled square-root law: impactBps = eta · σ_daily · 1e4 · sqrt(participation).',
          ),
        eta: z.number().min(0).max(1).default(0.2).meta({
          description: 'Coefficient of the volatility-scaled square-root law.',
          unit: 'dimensionless',
        }),
        fallbackDailyVol: z.number().min(0).max(MAX_DAILY_VOL).default(0.02).meta({
          description: "σ_daily used when the name's volatility is missing (NaN) or negative.",
          unit: 'daily volatility (fraction)',
        }),
      })
      .strict(),
  ])
  .describe(
    "Market impact of a fill against the execution bar's volume: `sqrt` (fixed bps) or `sqrt_vol` (scaled by the name's daily volatility).",
  );
export type ImpactModel = z.infer<typeof ImpactModel>;

export const ExecutionConfig = z
  .object({
    slippageBps: z.number().min(0).max(100).default(1.0).meta({
      description:
        "Flat charge per fill for the execution-to-open gap and timing noise, of the fill's notional.",
      unit: 'bps',
    }),
    halfSpreadBps: z.number().min(0).max(MAX_HALF_SPREAD_BPS).default(0.5).meta({
      description:
        'Half the quoted spread charged per fill when the bar has no spread of its own (or useBarSpread is false).',
      unit: 'bps',
    }),
    useBarSpread: z
      .boolean()
      .default(true)
      .describe("Use the execution bar's own `spreadBps / 2` when the data has it (finite, >= 0)."),
    impact: ImpactModel.default({ kind: 'sqrt', etaBps: 25 }),
    participationCap: z.number().gt(0).max(1).default(0.1).meta({
      description: "Largest fill as a share of the execution bar's volume.",
      unit: 'fraction of bar volume',
    }),
    remainder: z
      .enum(['cancel', 'carry'])
      .default('cancel')
      .describe(
        "The unfilled part of an order: `cancel` (the next decision re-derives orders from its target) or `carry` (added to the next bar's orders).",
      ),
    lotSize: z.number().int().min(1).max(1_000_000).default(1).meta({
      description:
        'Orders fill in multiples of this many shares (a sell closing the whole position may be an odd lot).',
      unit: 'shares',
    }),
    minTradeNotional: z.number().min(0).max(1e12).default(0).meta({
      description:
        'Orders below this notional (at the execution open) are cancelled, whatever the remainder policy.',
      unit: 'currency units',
    }),
    /**
     * The no-trade rule of the decision (currency): an order whose value at the decision's close,
     * |Δshares| × close, is below this is not sent (a sale that closes the position is always sent). Default
     * $2,000: 2 bp of the default $10M capital, a weight step of 0.0002 whose expected return (~2e-7 of NAV per
     * horizon at a score of 1e-3) is below any per-order cost a broker charges; before issue #13 the median ticket
     * was $469, rebalancing noise. On the demo it skips ~1.7 tickets a bar and leaves a median ticket of ~$8,000.
     */
    minTicketDollars: z.number().min(0).max(1e9).default(2000).meta({
      description:
        "The no-trade rule of the decision: an order whose value at the decision's close, |Δshares| × close, is below this is not sent (a sale that closes the position always is).",
      unit: 'currency units',
    }),
    feePerOrder: z.number().min(0).max(1e6).default(0).meta({
      description: 'A fixed fee charged in cash per executed order (a fill of at least one share).',
      unit: 'currency units per order',
    }),
  })
  .strict();
export type ExecutionConfig = z.infer<typeof ExecutionConfig>;
export type ExecutionConfigInput = z.input<typeof ExecutionConfig>;

/** One fill's cost, per component, in currency and in bps of notional. */
export interface FillCost {
  notional: number;
  participation: number;
  slippage: number;
  spread: number;
  impact: number;
  total: number;
  slippageBps: number;
  spreadBps: number;
  impactBps: number;
  totalBps: number;
}

export function emptyFillCost(): FillCost {
  return {
    notional: 0,
    participation: 0,
    slippage: 0,
    spread: 0,
    impact: 0,
    total: 0,
    slippageBps: 0,
    spreadBps: 0,
    impactBps: 0,
    totalBps: 0,
  };
}

/**
 * The cost model's parameters as plain numbers, resolved once per call of a hot loop (no union or property
 * lookups per element). `etaVolBps` is `eta · 1e4` for `sqrt_vol` and 0 for `sqrt`.
 */
export interface CostParams {
  readonly slippageBps: number;
  readonly halfSpreadBps: number;
  readonly useBarSpread: boolean;
  readonly sqrtVol: boolean;
  readonly etaBps: number;
  readonly etaVolBps: number;
  readonly fallbackDailyVol: number;
}

export function costParams(config: ExecutionConfig): CostParams {
  const impact = config.impact;
  const sqrtVol = impact.kind === 'sqrt_vol';
  return {
    slippageBps: config.slippageBps,
    halfSpreadBps: config.halfSpreadBps,
    useBarSpread: config.useBarSpread,
    sqrtVol,
    etaBps: sqrtVol ? 0 : impact.etaBps,
    etaVolBps: sqrtVol ? impact.eta * 1e4 : 0,
    fallbackDailyVol: sqrtVol ? impact.fallbackDailyVol : 0,
  };
}

/** Kernel of `halfSpreadCostBps` on resolved scalars. */
export function halfSpreadBpsOf(useBarSpread: boolean, halfSpreadBps: number, barSpreadBps: number): number {
  if (useBarSpread && barSpreadBps >= 0 && barSpreadBps !== Number.POSITIVE_INFINITY) {
    return Math.min(barSpreadBps * 0.5, MAX_HALF_SPREAD_BPS);
  }
  return halfSpreadBps;
}

/** Kernel of `impactCostBps` on resolved scalars. */
export function impactBpsOf(
  sqrtVol: boolean,
  etaBps: number,
  etaVolBps: number,
  fallbackDailyVol: number,
  participation: number,
  dailyVol: number,
): number {
  const root = participation > 0 ? Math.sqrt(Math.min(participation, 1)) : 0;
  if (!sqrtVol) return etaBps * root;
  const sigma = dailyVol >= 0 ? Math.min(dailyVol, MAX_DAILY_VOL) : fallbackDailyVol;
  return etaVolBps * sigma * root;
}

/** Half-spread charged (bps): the bar's `spreadBps / 2` when allowed and valid, else `halfSpreadBps`. */
export function halfSpreadCostBps(config: ExecutionConfig, barSpreadBps: number): number {
  return halfSpreadBpsOf(config.useBarSpread, config.halfSpreadBps, barSpreadBps);
}

/**
 * Impact (bps) of a fill with the given participation (`|shares| / bar volume`, clamped to [0, 1]) and daily
 * volatility (used by `sqrt_vol` only; NaN or negative → the fallback, clamped to `MAX_DAILY_VOL`).
 */
export function impactCostBps(config: ExecutionConfig, participation: number, dailyVol: number): number {
  const c = costParams(config);
  return impactBpsOf(c.sqrtVol, c.etaBps, c.etaVolBps, c.fallbackDailyVol, participation, dailyVol);
}

/**
 * The cost of filling `shares` (sign ignored) at `price` on a bar of `barVolume` shares. Writes into `out` (no
 * allocation when one is given) and returns it. Zero shares → all zeros. `barVolume` must be > 0 for a fill.
 */
export function fillCost(
  config: ExecutionConfig,
  shares: number,
  price: number,
  barVolume: number,
  barSpreadBps: number,
  dailyVol: number,
  out: FillCost = emptyFillCost(),
): FillCost {
  const q = shares < 0 ? -shares : shares;
  const notional = q * price;
  const participation = q > 0 ? q / barVolume : 0;
  const slippageBps = q > 0 ? config.slippageBps : 0;
  const spreadBps = q > 0 ? halfSpreadCostBps(config, barSpreadBps) : 0;
  const impactBps = q > 0 ? impactCostBps(config, participation, dailyVol) : 0;
  out.notional = notional;
  out.participation = participation;
  out.slippageBps = slippageBps;
  out.spreadBps = spreadBps;
  out.impactBps = impactBps;
  out.totalBps = slippageBps + spreadBps + impactBps;
  out.slippage = notional * slippageBps * 1e-4;
  out.spread = notional * spreadBps * 1e-4;
  out.impact = notional * impactBps * 1e-4;
  out.total = out.slippage + out.spread + out.impact;
  return out;
}
