/**
 * The documented row schemas of a dataset: what a user's CSV/Parquet files must hold, one strict zod schema per
 * dataset (unknown columns fail). The importer parses rows with these, then builds the columnar tables of
 * `tables.ts` and runs the cross-row rules of `validate.ts` (sortedness, grid, price consistency).
 *
 * Conventions shared by every schema:
 * - Times are epoch milliseconds UTC as integers (`ts`, and the four point-in-time columns).
 * - Numbers are finite (zod 4 `z.number()` rejects NaN and ±Infinity). A `null` value column means the source did
 *   not report the field; it becomes NaN in the table. Never a silent 0.
 * - Symbols are the dataset's tickers as in the S&P 500 membership file (`BRK.B`, not `BRK-B`).
 *
 * Point-in-time rows (every dataset other than bars, membership and sectors) carry four times:
 * `event_time` (the end of the period the fact is about), `public_release_time` (when the world could know it),
 * `ingest_time` (when we received it) and `known_time = max(public_release_time, ingest_time)`.
 * A revision is another row with the same entity and `event_time` and a later `known_time`.
 */
import { z } from 'zod';
import type { PitSeriesName } from './tables.ts';

const epochMs = z.int().nonnegative();
const positivePrice = z.number().positive();
const ticker = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[A-Z][A-Z0-9.-]*$/, 'a ticker in upper case (A-Z, 0-9, ".", "-")');
const isoDate = z.iso.date();
/** A value the source may not report: null becomes NaN in the table. */
const reported = z.number().nullable();

/**
 * One hourly bar of one symbol, stamped at its close (`bars/month=YYYY-MM/part-0.parquet`).
 * - `ts`: bar close, epoch ms UTC, on the NYSE hourly grid (10:30 … 15:30, 16:00 ET; 13:00 on early closes).
 * - `open`, `high`, `low`, `close`: raw (not split-adjusted) prices, > 0; `low <= min(open, close)` and
 *   `high >= max(open, close)` are checked on the table (`validateBars`).
 * - `volume`: shares traded in the bar, > 0 (a zero-volume bar is rejected: leave the bar out instead).
 * - `vwap` (optional for the whole file): volume-weighted price within [low, high].
 * - `spread_bps` (optional for the whole file): quoted bid-ask spread in basis points, >= 0.
 */
export const BarRow = z
  .object({
    ts: epochMs,
    symbol: ticker,
    open: positivePrice,
    high: positivePrice,
    low: positivePrice,
    close: positivePrice,
    volume: z.number().positive(),
    vwap: positivePrice.optional(),
    spread_bps: z.number().nonnegative().optional(),
  })
  .strict();
export type BarRow = z.infer<typeof BarRow>;

/**
 * One spell of S&P 500 membership (`membership.parquet`, the format of `shared/data/sp500/membership_spells.csv`):
 * the ticker is a member from `start_date` (inclusive) until `end_date` (exclusive; the date it left), `null`
 * while still a member. Dates are `YYYY-MM-DD` (America/New_York calendar dates).
 */
export const MembershipSpellRow = z
  .object({
    ticker,
    start_date: isoDate,
    end_date: isoDate.nullable(),
  })
  .strict()
  .refine((r) => r.end_date === null || r.end_date > r.start_date, {
    message: 'end_date must be after start_date',
    path: ['end_date'],
  });
export type MembershipSpellRow = z.infer<typeof MembershipSpellRow>;

/**
 * The GICS sector of a symbol (`sectors.parquet`). `assigned` is true when the source had no sector and one was
 * assigned deterministically (reported, never hidden). `effective_date` (a New York date, in every row or in
 * none): the sector applies from that date until the symbol's next row; without it the table is one snapshot
 * applied to all times (`static`, see `sectors.ts`).
 */
export const SectorRow = z
  .object({
    symbol: ticker,
    sector: z.string().min(1),
    assigned: z.boolean(),
    effective_date: isoDate.optional(),
  })
  .strict();
export type SectorRow = z.infer<typeof SectorRow>;

/** The four point-in-time columns of every PIT row. */
export const PIT_TIME_COLUMNS = ['event_time', 'public_release_time', 'ingest_time', 'known_time'] as const;

const pitTimes = {
  event_time: epochMs,
  public_release_time: epochMs,
  ingest_time: epochMs,
  known_time: epochMs,
};

interface PitTimes {
  readonly public_release_time: number;
  readonly ingest_time: number;
  readonly known_time: number;
}
const knownIsMax = (r: PitTimes): boolean => r.known_time === Math.max(r.public_release_time, r.ingest_time);
const knownIsMaxIssue = {
  message: 'known_time must equal max(public_release_time, ingest_time)',
  path: ['known_time'],
};

/**
 * Company fundamentals, one row per (symbol, fiscal period, revision). `event_time` is the end of the fiscal
 * period; `public_release_time` the filing or earnings release. Per-share figures in the reporting currency;
 * `roe`, `gross_margin` and `accruals` as fractions (0.12 = 12%). `eps_consensus` is the analysts' consensus
 * for the period just before the release (for surprise features). `revision` is 0 for the first publication and
 * counts restatements. `fiscal_period` (`2023Q1`) is kept for audit; it is not a numeric column of the table.
 */
export const FundamentalsRow = z
  .object({
    symbol: ticker,
    fiscal_period: z.string().regex(/^\d{4}Q[1-4]$/, 'a fiscal period like 2023Q1'),
    ...pitTimes,
    eps: reported,
    book_value_per_share: reported,
    sales_per_share: reported,
    roe: reported,
    gross_margin: reported,
    accruals: reported,
    eps_consensus: reported,
    shares_outstanding: z.number().positive().nullable(),
    revision: z.int().nonnegative(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue);
export type FundamentalsRow = z.infer<typeof FundamentalsRow>;

/**
 * A macro release (CPI, payrolls, ...), one row per (series, reference period, revision). `event_time` is the end
 * of the reference period; `consensus` the economists' median before the release (null when none);
 * `revision` 0 for the first print.
 */
export const MacroRow = z
  .object({
    series: z.string().min(1),
    ...pitTimes,
    actual: z.number(),
    consensus: reported,
    revision: z.int().nonnegative(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue);
export type MacroRow = z.infer<typeof MacroRow>;

/**
 * News sentiment of a symbol over a window ending at `event_time` (daily in the synthetic data): `score` in
 * [-1, 1], `news_count` articles in the window (an integer >= 0).
 */
export const SentimentRow = z
  .object({
    symbol: ticker,
    ...pitTimes,
    score: z.number().min(-1).max(1),
    news_count: z.int().nonnegative(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue);
export type SentimentRow = z.infer<typeof SentimentRow>;

/**
 * A snapshot of analysts' views on a symbol. `event_time` is the date the snapshot describes (the consensus as of
 * that date), never the fiscal period being forecast, so the snapshot cannot be released before its event time.
 * `eps_estimate_std` is null with fewer than two estimates; `n_up`/`n_down` count estimate revisions up/down
 * since the previous snapshot; `rating` is the mean rating, 1 (strong buy) … 5 (strong sell);
 * `rating_change` its change since the previous snapshot.
 */
export const AnalystRow = z
  .object({
    symbol: ticker,
    ...pitTimes,
    eps_estimate_mean: z.number(),
    eps_estimate_std: z.number().nonnegative().nullable(),
    n_up: z.int().nonnegative(),
    n_down: z.int().nonnegative(),
    rating: z.number().min(1).max(5),
    rating_change: z.number(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue);
export type AnalystRow = z.infer<typeof AnalystRow>;

/** The kinds of corporate action, in code order: `PitTable.fields.action` holds the index into this list. */
export const CORPORATE_ACTIONS = ['split', 'delisting'] as const;
export type CorporateAction = (typeof CORPORATE_ACTIONS)[number];
/** `fields.action` of a split row. */
export const ACTION_SPLIT = 0;
/** `fields.action` of a delisting row. */
export const ACTION_DELISTING = 1;

/**
 * A corporate action, discriminated by `action` (a file without an `action` column holds splits only; the
 * column's former name `kind` is still read, see `PIT_COLUMN_ALIASES`). Announcements normally come BEFORE the
 * event: this is the one series whose release may precede its event time
 * (`PIT_SERIES.corporate_actions.releaseMayPrecedeEvent`).
 * - `split`: `ratio` new shares per old share (2 for a 2-for-1 split, 0.1 for a 1-for-10 reverse split), > 0;
 *   `event_time` is the ex-date (the open of the first bar on the new share basis). `last_price` and
 *   `delisting_return` are left empty.
 * - `delisting`: the name stops trading. `event_time` is its effective time, the close of the name's last bar;
 *   `public_release_time` the announcement. Optional `last_price` (> 0, the price holders are paid out at) and
 *   `delisting_return` (>= -1, the return from the last close to the payout); empty when not given (NaN in the
 *   table, never 0). `ratio` is left empty.
 */
export const CorporateActionRow = z
  .object({
    symbol: ticker,
    ...pitTimes,
    action: z.enum(CORPORATE_ACTIONS).default('split'),
    ratio: z.number().positive().nullable().optional(),
    last_price: z.number().positive().nullable().optional(),
    delisting_return: z.number().min(-1).nullable().optional(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue)
  .refine((r) => r.action !== 'split' || typeof r.ratio === 'number', {
    message: 'a split needs a ratio > 0',
    path: ['ratio'],
  })
  .refine((r) => r.action !== 'split' || (r.last_price == null && r.delisting_return == null), {
    message: 'a split carries no last_price or delisting_return (leave them empty)',
    path: ['last_price'],
  })
  .refine((r) => r.action !== 'delisting' || r.ratio == null, {
    message: 'a delisting carries no ratio (leave it empty)',
    path: ['ratio'],
  });
export type CorporateActionRow = z.infer<typeof CorporateActionRow>;

/**
 * A lookahead trap: a value that is strongly informative about the future but only known late. A system that
 * respects point in time gains nothing from it; a leaky one shows an implausible edge.
 */
export const TrapRow = z
  .object({
    symbol: ticker,
    ...pitTimes,
    value: z.number(),
  })
  .strict()
  .refine(knownIsMax, knownIsMaxIssue);
export type TrapRow = z.infer<typeof TrapRow>;

/** The row schema of each point-in-time series. */
export const PIT_ROW_SCHEMAS = {
  fundamentals: FundamentalsRow,
  macro: MacroRow,
  sentiment: SentimentRow,
  analyst: AnalystRow,
  corporate_actions: CorporateActionRow,
  trap: TrapRow,
} as const satisfies Record<PitSeriesName, z.ZodType>;

/** What the columnar layer (Parquet decode, `PitTable`) needs to know about a point-in-time series. */
export interface PitSeriesMeta {
  /** The column naming the entity: a ticker, or for macro the series name. */
  readonly entityColumn: 'symbol' | 'series';
  /** Numeric value columns, in order; these are the keys of `PitTable.fields`. */
  readonly valueColumns: readonly string[];
  /**
   * True when a row may legitimately be published before its `event_time` (a scheduled event announced ahead,
   * such as a split's ex-date). False for facts about a completed period, where `validatePit` rejects
   * `public_release_time < event_time`.
   */
  readonly releaseMayPrecedeEvent: boolean;
  /**
   * Value columns that are text in files (CSV, Parquet) and a code in the table: `fields[column][i]` is the index
   * of the row's label in `labels`. A file without the column holds `labels[0]` in every row.
   */
  readonly codedColumns?: Readonly<Record<string, readonly string[]>>;
}

export const PIT_SERIES: Readonly<Record<PitSeriesName, PitSeriesMeta>> = {
  fundamentals: {
    entityColumn: 'symbol',
    valueColumns: [
      'eps',
      'book_value_per_share',
      'sales_per_share',
      'roe',
      'gross_margin',
      'accruals',
      'eps_consensus',
      'shares_outstanding',
      'revision',
    ],
    releaseMayPrecedeEvent: false,
  },
  macro: {
    entityColumn: 'series',
    valueColumns: ['actual', 'consensus', 'revision'],
    releaseMayPrecedeEvent: false,
  },
  sentiment: { entityColumn: 'symbol', valueColumns: ['score', 'news_count'], releaseMayPrecedeEvent: false },
  analyst: {
    entityColumn: 'symbol',
    valueColumns: ['eps_estimate_mean', 'eps_estimate_std', 'n_up', 'n_down', 'rating', 'rating_change'],
    releaseMayPrecedeEvent: false,
  },
  corporate_actions: {
    entityColumn: 'symbol',
    valueColumns: ['action', 'ratio', 'last_price', 'delisting_return'],
    releaseMayPrecedeEvent: true,
    codedColumns: { action: CORPORATE_ACTIONS },
  },
  trap: { entityColumn: 'symbol', valueColumns: ['value'], releaseMayPrecedeEvent: false },
};

/** The series names in a fixed order (for iteration that must be deterministic). */
export const PIT_SERIES_NAMES: readonly PitSeriesName[] = [
  'fundamentals',
  'macro',
  'sentiment',
  'analyst',
  'corporate_actions',
  'trap',
];

/**
 * Former names of columns, still read by the importer: a file with the old name and not the new one is read as
 * if it had the new one.
 */
export const PIT_COLUMN_ALIASES: Readonly<Partial<Record<PitSeriesName, Readonly<Record<string, string>>>>> =
  {
    corporate_actions: { kind: 'action' },
  };
