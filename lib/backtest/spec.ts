/**
 * The run spec (`BacktestSpec`): everything that decides a backtest's result, as one strict, versioned zod
 * schema with its defaults written here once. The same spec on the same dataset with the same code version gives
 * byte-identical artifacts; `specHash` (sha256 of the canonical JSON of the parsed spec) is part of every
 * result's provenance.
 *
 * Sections are consumed by different stages: `dataset`, `period`, `universe` by Prepare; `features`, `labels`
 * by BuildFeatures; `model` by TrainScore; `universe`, `labels.horizonBars` and `portfolio.liquidity` also by
 * Optimize (the month's decision inputs); `portfolio`, `execution`, `risk`, `capital`, `decisionLagMs` by Simulate
 * (the hour's trade decision, fills, governor); `seed` by every stage that draws random numbers
 * (each derives its own named sub-stream from it).
 */
import { z } from 'zod';
import { canonicalJson, InvalidInputError, sha256Hex } from '../core/index.ts';
import { ExecutionConfig } from '../execution/index.ts';
import { RiskConfig } from '../risk/index.ts';

export const SPEC_VERSION = 1;

/**
 * Upper bounds of the spec's counts (every other number is bounded where it is declared): each keeps one unit of
 * work finite whatever the dataset. The plan as a whole is bounded too, at submit (`lib/pipeline/admission.ts`).
 */
/** Ten years of training data per fold. */
export const MAX_TRAIN_MONTHS = 120;
/** About 100 sessions. */
export const MAX_EMBARGO_BARS = 700;
/** Four sessions: BuildFeatures reads 12 calendar days of bars past a month for its labels (at least 35 bars). */
export const MAX_HORIZON_BARS = 28;
/** About one trading year. */
export const MAX_ADV_WINDOW_SESSIONS = 260;

/**
 * Default γ_risk of the hour's trade problem (α̂ and Σ per decision horizon, 5 bars). The scores are excess returns
 * of order 1e-3 per horizon and a name's systematic variance per horizon is of order 5e-5 (about 13% a year), so the
 * marginal risk 2γ(Σw)_i weighs against α̂ from γ ≈ 5 on. Measured on the demo (2024-07 … 2024-12, turnover cap
 * 0.02): γ 5 held the ex-ante volatility at ~12.5% and realised 19% (daily, annualised) in 2024Q4; γ 10 keeps the
 * ex-ante volatility at the band's floor (10%) and realised 11.8% (Q3) and 14.9% (Q4) while SPY realised 15.7% and
 * 26.5%. γ 20 gave the same book but twice the floor searches (slower).
 */
export const DEFAULT_RISK_AVERSION = 10;
/**
 * Default γ_trade: the modelled cost of a trade (slippage + half spread + impact) is charged 5× against one
 * horizon's α̂, i.e. a position is expected to be held about five horizons. Measured on the demo: γ_trade 1 traded
 * at the turnover cap every hour (17× a year one way, ~105 bps a year of costs); 3: 14.5×, 74 bps; 5: 4.9×, 23 bps
 * with a median of 4 fills per bar (127 before issue #13); 10: the costs outweighed the scores, the book stayed
 * ~44% invested and below the volatility band.
 */
export const DEFAULT_TRADE_AVERSION = 5;
/**
 * Default sector penalty λ of the hour's trade problem: λ × (deviation beyond the band)², in return per horizon. At
 * 0.1, a sector 10 pp beyond its band costs 1e-3 per horizon, the size of a strong score: the band leans against
 * concentration without overriding the scores. (λ 10, the old per-bar default, made the penalty four orders of
 * magnitude larger than every other term: the solver then failed to converge from cash in most hours.)
 */
export const DEFAULT_SECTOR_PENALTY = 0.1;

const isoDate = z.iso.date();
const fraction = z.number().min(0).max(1);

/** Which dataset to run on: its content id (`ds_…`, exact provenance) or its name (resolved by Prepare). */
export const DatasetRef = z.union([
  z
    .object({ id: z.string().regex(/^ds_[0-9a-f]{24}$/, 'a dataset id like ds_0123456789abcdef01234567') })
    .strict(),
  z.object({ name: z.string().min(1) }).strict(),
]);
export type DatasetRef = z.infer<typeof DatasetRef>;

export const BacktestSpec = z
  .object({
    specVersion: z.literal(SPEC_VERSION),
    dataset: DatasetRef,
    /** Local (America/New_York) dates, inclusive; the run's bar grid is every NYSE hourly bar between them. */
    period: z
      .object({ start: isoDate, end: isoDate })
      .strict()
      .refine((p) => p.end >= p.start, { message: 'end must be on or after start', path: ['end'] }),
    universe: z
      .object({
        /** Point-in-time index membership (the dataset's membership spells). Only the S&P 500 is supported. */
        index: z.literal('sp500').default('sp500'),
        /** A name is eligible at bar t only if its close at t is at least this price (currency units). */
        minPrice: z
          .number()
          .min(0)
          .max(1e6)
          .default(5)
          .describe('Minimum close at t (currency units), 0..1e6'),
        /** … and its average daily dollar volume (known at t) is at least this (currency units). */
        minAdvDollars: z
          .number()
          .min(0)
          .max(1e12)
          .default(1_000_000)
          .describe('Minimum average daily dollar volume known at t (currency units), 0..1e12'),
      })
      .strict()
      .prefault({}),
    /** A feature preset name from the feature registry, or an explicit list of registered feature names. */
    features: z
      .union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(512)])
      .default('default')
      .describe('A preset (default, all, a family) or 1..512 registered feature names'),
    labels: z
      .object({
        /** Forward horizon of the return label, in bars (open(t+1) → open(t+1+horizon)). */
        horizonBars: z
          .number()
          .int()
          .min(1)
          .max(MAX_HORIZON_BARS)
          .default(5)
          .describe(
            `Forward horizon of the return label in bars, 1..${MAX_HORIZON_BARS} (four sessions: a month's features read 12 days of bars past it)`,
          ),
        /**
         * The downside-event label (lib/labels): 1 when the forward excess return over the horizon is below
         * −k · σ · √horizon, σ = the std of 1-bar log returns over the last `volWindowBars` bars known at t.
         */
        downside: z
          .object({
            k: z.number().gt(0).max(10).default(1.5).describe('Downside threshold in σ·√horizon, (0, 10]'),
            volWindowBars: z
              .number()
              .int()
              .min(2)
              .max(2000)
              .default(35)
              .describe('Bars of the trailing volatility, 2..2,000'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    model: z
      .object({
        /** A: the multitask network; B: factor model + gradient-boosted trees; ensemble: both, scores averaged. */
        route: z.enum(['A', 'B', 'ensemble']).default('ensemble'),
        walkForward: z
          .object({
            /** Calendar months of training data per fold. */
            trainMonths: z
              .number()
              .int()
              .min(1)
              .max(MAX_TRAIN_MONTHS)
              .default(24)
              .describe(
                `Calendar months of training data per fold, 1..${MAX_TRAIN_MONTHS} (and the plan within its budget: lib/pipeline/admission.ts)`,
              ),
            /** A new fold (a refit) every this many months; each fold scores the months until the next. */
            retrainEveryMonths: z
              .number()
              .int()
              .min(1)
              .max(MAX_TRAIN_MONTHS)
              .default(1)
              .describe(`Months between refits (each fold scores them), 1..${MAX_TRAIN_MONTHS}`),
            /** Bars dropped between a fold's train window (already purged by the label horizon) and its test months. */
            embargoBars: z
              .number()
              .int()
              .min(0)
              .max(MAX_EMBARGO_BARS)
              .default(7)
              .describe(
                `Bars between a fold's purged train window and its test months, 0..${MAX_EMBARGO_BARS}`,
              ),
          })
          .strict()
          .prefault({}),
        /**
         * Route-specific hyper-parameters (opaque here, hashed with the spec as written), validated at submit against
         * the route's strict schema (`ROUTE_PARAMS`, lib/models/model-params.ts: every number bounded there).
         */
        params: z
          .record(z.string(), z.unknown())
          .default({})
          .describe(
            "The route's hyper-parameters, strict per route (lib/models/model-params.ts); checked at submit",
          ),
      })
      .strict()
      .prefault({}),
    portfolio: z
      .object({
        /** Largest weight of one name (fraction of NAV), before the risk state's name-cap scale. */
        maxWeight: z.number().gt(0).max(1).default(0.1).describe('Largest weight of one name, (0, 1]'),
        /** Annualised ex-ante volatility band the optimizer keeps the portfolio in (fractions). */
        targetVol: z
          .object({
            low: z.number().gt(0).max(5).default(0.1).describe('Lower annualised volatility, (0, 5]'),
            high: z.number().gt(0).max(5).default(0.15).describe('Upper annualised volatility, (0, 5]'),
          })
          .strict()
          .prefault({})
          .refine((v) => v.high >= v.low, { message: 'high must be >= low', path: ['high'] }),
        /**
         * Largest turnover per decision hour, `Σ|w_decided − w_held|` (two-way: a full rotation is 2), a hard
         * constraint of the hour's trade problem (`lib/backtest/decide.ts`). Relaxed only by what de-risking (a lower
         * gross or name cap from the risk state) and names losing eligibility force: risk_off liquidates at once.
         */
        turnoverCap: z
          .number()
          .gt(0)
          .max(2)
          .default(0.2)
          .describe('Largest two-way turnover per decision hour, (0, 2]'),
        /**
         * γ_risk of the hour's trade problem: the objective subtracts γ_risk · wᵀΣ_H w, with α̂ and Σ_H both per
         * decision horizon (`labels.horizonBars`). See `DEFAULT_RISK_AVERSION`.
         */
        riskAversion: z
          .number()
          .min(0)
          .max(1e6)
          .default(DEFAULT_RISK_AVERSION)
          .describe('γ_risk of the trade problem, 0..1e6'),
        /**
         * γ_trade of the hour's trade problem: the objective subtracts γ_trade × the modelled trading cost
         * (slippage + half spread + square-root impact, as a fraction of NAV). 1 charges each trade its expected
         * cost once; above 1 amortises it less generously (fewer, larger trades). See `DEFAULT_TRADE_AVERSION`.
         */
        tradeAversion: z
          .number()
          .min(0)
          .max(1e4)
          .default(DEFAULT_TRADE_AVERSION)
          .describe('γ_trade of the trade problem, 0..1e4'),
        sectors: z
          .object({
            /** Allowed deviation of each sector's weight from its benchmark weight (fraction of NAV). */
            band: fraction.default(0.05).describe('Allowed sector deviation from the benchmark, 0..1'),
            /**
             * Penalty per unit of squared deviation beyond the band (a soft constraint, in return per decision
             * horizon); 0: no sector term. See `DEFAULT_SECTOR_PENALTY`.
             */
            penalty: z
              .number()
              .min(0)
              .max(1e6)
              .default(DEFAULT_SECTOR_PENALTY)
              .describe('Penalty per squared deviation beyond the band, 0..1e6'),
          })
          .strict()
          .prefault({}),
        liquidity: z
          .object({
            /** A name's position may not exceed this fraction of its average daily volume (shares). */
            maxAdvFraction: z
              .number()
              .gt(0)
              .max(1)
              .default(0.05)
              .describe('Largest position as a share of average daily volume, (0, 1]'),
            /** Sessions of the average daily volume window (known at t). */
            advWindowSessions: z
              .number()
              .int()
              .min(1)
              .max(MAX_ADV_WINDOW_SESSIONS)
              .default(20)
              .describe(`Sessions of the average daily volume window, 1..${MAX_ADV_WINDOW_SESSIONS}`),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Costs, participation cap, remainder policy and lots of the fill model (`lib/execution`). */
    execution: ExecutionConfig.prefault({}),
    /** The drawdown governor (`lib/risk`). Its realised-volatility trigger is not supported by the engine yet. */
    risk: RiskConfig.prefault({}),
    /** Starting cash (currency units). */
    capital: z
      .number()
      .gt(0)
      .max(1e13)
      .default(10_000_000)
      .describe('Starting cash (currency units), (0, 1e13]'),
    /** Root seed: every stage derives its own named sub-stream (`Rng.derive(seed, name)`). */
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('Root seed, 0..4,294,967,295'),
    /** decision_time(t) = close(t) + decisionLagMs: only facts known by then may influence the decision at t. */
    decisionLagMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(0)
      .describe('Milliseconds after a bar close before its decision, 0..3,600,000'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.risk.volatility !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['risk', 'volatility'],
        message: 'the realised-volatility trigger is not supported by the simulation engine; remove it',
      });
    }
  });
export type BacktestSpec = z.infer<typeof BacktestSpec>;
export type BacktestSpecInput = z.input<typeof BacktestSpec>;

/**
 * Parses and validates a spec (defaults applied). On failure: `InvalidInputError` whose message and
 * `details.field` name the first offending path (e.g. `portfolio.maxWeight`).
 */
export function parseBacktestSpec(input: unknown): BacktestSpec {
  const parsed = BacktestSpec.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  throw new InvalidInputError(`spec.${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: parsed.error.issues
      .slice(0, 10)
      .map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

/** The spec's canonical form (what is stored as `spec.json` and hashed); it lives in `core/hash.ts`. */
export { canonicalJson };

/** sha256 (hex) of the canonical JSON of the parsed spec: defaults are filled first, so `{}` and explicit defaults hash alike. */
export function specHash(spec: BacktestSpec): string {
  return sha256Hex(canonicalJson(spec));
}
