import { z } from 'zod';
import { InvalidInputError } from '../../core/index.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * Parameters of the synthetic market. Everything is deterministic in `seed`.
 *
 * The planted signal: every name carries a latent alpha α (unit variance, AR(1) across sessions with
 * `alphaHalfLifeSessions`) that adds `kappa·α` to each hourly log return, with kappa set so that the
 * cross-sectional information coefficient of α against the 5-bar forward excess return is `plantedIc`
 * (measured IC is reported in `generator-report.json`). α is never published; it leaks, with noise, into
 * sentiment scores (corr ≈ `sentimentLoading`), analyst revisions, and earnings surprises move it
 * (post-earnings drift). The trap: series `trap` whose event_time is a session's close but whose value is
 * the next session's idiosyncratic return, released two sessions later — it "predicts" returns perfectly when
 * joined on event_time, and carries nothing when joined on known_time.
 */
export const SyntheticMarketConfig = z
  .object({
    name: z.string().default('synthetic-sp500'),
    start: isoDate,
    end: isoDate,
    seed: z.number().int().nonnegative(),
    /** Sessions of bars before a name first joins the index (from the dataset start at the earliest). */
    leadInSessions: z.number().int().min(0).default(126),
    plantedIc: z.number().min(0).max(0.5).default(0.04),
    alphaHalfLifeSessions: z.number().positive().default(15),
    sentimentLoading: z.number().min(0).max(1).default(0.5),
    /** Share of names leaving the index that fall hard (−40% to −80%) in their last five sessions. */
    delistDropShare: z.number().min(0).max(1).default(0.3),
    /** Splits per name per year (only names above $120). */
    splitRatePerYear: z.number().min(0).default(0.04),
    /** Restrict to these symbols (tests and small demos); default: every name on the membership. */
    symbols: z.array(z.string()).optional(),
  })
  .strict();
export type SyntheticMarketConfig = z.infer<typeof SyntheticMarketConfig>;
export type SyntheticMarketInput = z.input<typeof SyntheticMarketConfig>;

/** The validated config. @throws InvalidInputError naming the field, or when `end` is before `start`. */
export function parseSyntheticMarketConfig(input: SyntheticMarketInput): SyntheticMarketConfig {
  const parsed = SyntheticMarketConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`synthetic market config: ${issue.path.join('.')}: ${issue.message}`, {
      field: issue.path.join('.'),
    });
  }
  const cfg = parsed.data;
  if (cfg.end < cfg.start) {
    throw new InvalidInputError(`end ${cfg.end} is before start ${cfg.start}`, { field: 'end' });
  }
  return cfg;
}
