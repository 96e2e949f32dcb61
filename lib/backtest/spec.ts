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

/**
 * Which dataset to run on: its content id (`ds_…`, exact provenance) or its name (resolved by Prepare).
 *
 * Every field of the spec carries its documentation here, once: `.describe()` (or `.meta({ description, unit })`
 * when the value has a unit). The OpenAPI document (`openapi.json`) and `docs/spec.md`
 * (`npx tsx local/cli/write-spec-docs.ts`) are generated from these schemas; tests keep both equal to the
 * generators' output and check that every property is documented.
 */
export const DatasetRef = z
  .union([
    z
      .object({
        id: z
          .string()
          .regex(/^ds_[0-9a-f]{24}$/, 'a dataset id like ds_0123456789abcdef01234567')
          .describe("The dataset's content id (`ds_` + 24 hex digits): pins the exact data (provenance)."),
      })
      .strict(),
    z
      .object({
        name: z
          .string()
          .min(1)
          .describe(
            'A dataset name (`demo`, `sp500-10y`, …), resolved to its current id when the run is prepared.',
          ),
      })
      .strict(),
  ])
  .describe('Which dataset to run on: exactly one of `{ "id": … }` or `{ "name": … }`.');
export type DatasetRef = z.infer<typeof DatasetRef>;

export const BacktestSpec = z
  .object({
    specVersion: z
      .literal(SPEC_VERSION)
      .describe(
        'Version of the spec format; must be 1. A spec of another version is refused, never guessed.',
      ),
    dataset: DatasetRef,
    period: z
      .object({
        start: isoDate.describe('First session date (YYYY-MM-DD, America/New_York), inclusive.'),
        end: isoDate.describe(
          'Last session date (YYYY-MM-DD, America/New_York), inclusive; on or after `start`.',
        ),
      })
      .strict()
      .refine((p) => p.end >= p.start, { message: 'end must be on or after start', path: ['end'] })
      .describe(
        "The simulated period: local (America/New_York) dates, inclusive; the run's bar grid is every NYSE hourly bar between them. The CLI's --start/--end override it.",
      ),
    universe: z
      .object({
        index: z
          .literal('sp500')
          .default('sp500')
          .describe(
            "Point-in-time index membership (the dataset's membership spells). Only the S&P 500 is supported.",
          ),
        minPrice: z.number().min(0).max(1e6).default(5).meta({
          description: 'A name is eligible at bar t only if its close at t is at least this price.',
          unit: 'currency units per share',
        }),
        minAdvDollars: z.number().min(0).max(1e12).default(1_000_000).meta({
          description: '… and its average daily dollar volume (known at t) is at least this.',
          unit: 'currency units per day',
        }),
      })
      .strict()
      .prefault({})
      .describe(
        'Which names may be held: index membership and price and liquidity floors (checked at every bar).',
      ),
    features: z
      .union([
        z
          .string()
          .min(1)
          .max(64)
          .describe(
            'A preset: `default` or `all` (every registered feature) or a family name (`momentum`, `volatility`, …).',
          ),
        z
          .array(z.string().min(1).max(64).describe('A registered feature name (see docs/features.md).'))
          .min(1)
          .max(512),
      ])
      .default('default')
      .describe(
        'A feature preset name, or an explicit list of registered feature names (docs/features.md, `hts features list`).',
      ),
    labels: z
      .object({
        horizonBars: z.number().int().min(1).max(MAX_HORIZON_BARS).default(5).meta({
          description: 'Forward horizon of the return label: open(t+1) → open(t+1+horizon).',
          unit: 'bars',
        }),
        downside: z
          .object({
            k: z.number().gt(0).max(10).default(1.5).meta({
              description:
                'Threshold multiple: the event is a forward excess return below −k · σ · √horizon.',
              unit: 'standard deviations',
            }),
            volWindowBars: z.number().int().min(2).max(2000).default(35).meta({
              description: 'Window of the σ of 1-bar log returns (known at t) that scales the threshold.',
              unit: 'bars',
            }),
          })
          .strict()
          .prefault({})
          .describe(
            'The downside-event label (lib/labels): 1 when the forward excess return over the horizon is below −k · σ · √horizon.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The training targets: forward excess return vs SPY and the downside event.'),
    model: z
      .object({
        route: z
          .enum(['A', 'B', 'ensemble'])
          .default('ensemble')
          .describe(
            'A: the multitask network; B: factor model + gradient-boosted trees; ensemble: both, scores averaged.',
          ),
        walkForward: z
          .object({
            trainMonths: z
              .number()
              .int()
              .min(1)
              .max(MAX_TRAIN_MONTHS)
              .default(24)
              .meta({ description: 'Training data per fold.', unit: 'calendar months' }),
            retrainEveryMonths: z.number().int().min(1).max(MAX_TRAIN_MONTHS).default(1).meta({
              description:
                'A new fold (a refit) every this many months; each fold scores the months until the next.',
              unit: 'calendar months',
            }),
            embargoBars: z.number().int().min(0).max(MAX_EMBARGO_BARS).default(7).meta({
              description:
                "Bars dropped between a fold's train window (already purged by the label horizon) and its test months.",
              unit: 'bars',
            }),
          })
          .strict()
          .prefault({})
          .describe(
            'Walk-forward folds: train window, refit cadence and embargo (the purge is the label horizon).',
          ),
        params: z
          .record(z.string(), z.unknown())
          .default({})
          .describe(
            'Route-specific hyper-parameters (e.g. `{"gbdt": {"numTrees": 50}}`), validated by the model stage; hashed with the spec.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The model route and its walk-forward schedule.'),
    portfolio: z
      .object({
        maxWeight: z.number().gt(0).max(1).default(0.1).meta({
          description: "Largest weight of one name, before the risk state's name-cap scale.",
          unit: 'fraction of NAV',
        }),
        targetVol: z
          .object({
            low: z.number().gt(0).max(5).default(0.1).meta({
              description: 'Floor of the ex-ante volatility band.',
              unit: 'annualised volatility (fraction)',
            }),
            high: z.number().gt(0).max(5).default(0.15).meta({
              description: 'Ceiling of the ex-ante volatility band; at least `low`.',
              unit: 'annualised volatility (fraction)',
            }),
          })
          .strict()
          .prefault({})
          .refine((v) => v.high >= v.low, { message: 'high must be >= low', path: ['high'] })
          .describe('Annualised ex-ante volatility band the optimizer keeps the portfolio in.'),
        turnoverCap: z.number().gt(0).max(2).default(0.2).meta({
          description:
            "Largest turnover per decision hour, Σ|w_decided − w_held| (two-way: a full rotation is 2), a hard constraint of the hour's trade problem. Relaxed only by what de-risking and names losing eligibility force (risk_off liquidates at once).",
          unit: 'fraction of NAV per bar (two-way)',
        }),
        riskAversion: z.number().min(0).max(1e6).default(DEFAULT_RISK_AVERSION).meta({
          description:
            "γ_risk of the hour's trade problem: the objective subtracts γ_risk · wᵀΣw, with α̂ and Σ both per decision horizon (`labels.horizonBars`).",
          unit: 'dimensionless',
        }),
        tradeAversion: z.number().min(0).max(1e4).default(DEFAULT_TRADE_AVERSION).meta({
          description:
            'γ_trade: the objective subtracts γ_trade × the modelled trading cost (slippage + half spread + impact, as a fraction of NAV); 1 charges each trade its expected cost once, more trades less often.',
          unit: 'dimensionless',
        }),
        sectors: z
          .object({
            band: fraction.default(0.05).meta({
              description: "Allowed deviation of each sector's weight from its benchmark weight.",
              unit: 'fraction of NAV',
            }),
            penalty: z.number().min(0).max(1e6).default(DEFAULT_SECTOR_PENALTY).meta({
              description:
                'λ of the soft sector constraint: λ × (deviation beyond the band)² is subtracted from the objective; 0: no sector term.',
              unit: 'return per decision horizon per unit² of deviation',
            }),
          })
          .strict()
          .prefault({})
          .describe("Soft sector bands around the benchmark's sector mix."),
        liquidity: z
          .object({
            maxAdvFraction: z.number().gt(0).max(1).default(0.05).meta({
              description: "A name's position may not exceed this fraction of its average daily volume.",
              unit: 'fraction of ADV (shares)',
            }),
            advWindowSessions: z
              .number()
              .int()
              .min(1)
              .max(MAX_ADV_WINDOW_SESSIONS)
              .default(20)
              .meta({ description: 'Window of the average daily volume (known at t).', unit: 'sessions' }),
          })
          .strict()
          .prefault({})
          .describe('Position limits from liquidity.'),
      })
      .strict()
      .prefault({})
      .describe(
        "Portfolio construction: the hour's trade problem (caps, volatility band, turnover, aversions, sectors, liquidity).",
      ),
    execution: ExecutionConfig.prefault({}).describe(
      "Costs, participation cap, remainder policy and lots of the fill model (lib/execution); orders fill at the next bar's open.",
    ),
    risk: RiskConfig.prefault({}).describe(
      'The drawdown governor (lib/risk): normal → conservative → risk_off with hysteresis and dwell. Its realised-volatility trigger is not supported by the engine yet.',
    ),
    capital: z
      .number()
      .gt(0)
      .max(1e13)
      .default(10_000_000)
      .meta({ description: 'Starting cash.', unit: 'currency units' }),
    seed: z.number().int().min(0).max(0xffffffff).default(0).meta({
      description: 'Root seed: every stage derives its own named sub-stream (`Rng.derive(seed, name)`).',
      unit: 'none (a seed)',
    }),
    decisionLagMs: z.number().int().min(0).max(3_600_000).default(0).meta({
      description:
        'decision_time(t) = close(t) + decisionLagMs: only facts known by then may influence the decision at t.',
      unit: 'ms',
    }),
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
  })
  .describe("A backtest run spec: everything that decides a run's result. Unknown fields are refused.");
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
