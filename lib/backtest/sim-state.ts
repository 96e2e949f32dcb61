/**
 * The simulation state carried between chunks: plain JSON, so a chunk can stop in one Lambda and the next resume
 * it bit for bit (a JSON number round-trips a double exactly). Everything the hour loop reads from the past is
 * here and nothing else: positions (sparse by symbol, integer shares, with the price they are marked at), cash,
 * the orders waiting for the next open, the governor's state, the previous NAV, the SPY benchmark's book and
 * cumulative counters. The engine draws no random numbers, so there is no RNG state.
 *
 * Version 3 adds the open data gaps of held names (`gaps`), the governor's shadow NAV (in `risk`), the decider's
 * warm start (`decisionWarm`) and the decision's counters (fees, tickets, skipped tickets, failed decisions, gaps).
 *
 * Version 2 stores the book by column (`positions: { symbol: [...], shares: [...], mark: [...] }`) rather than as
 * one object per name (version 1): the same numbers, but the JSON of a 500-name book is ~2.5× smaller and parses
 * ~3× faster (no key per value, no object per name), which matters when a run passes it 120 times.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/index.ts';
import { initialRiskState, RiskState } from '../risk/index.ts';

export const SIM_STATE_VERSION = 3;

const finite = z.number();
const nonNegative = z.number().min(0);

export const SimCounters = z
  .object({
    bars: z.number().int().min(0),
    orders: z.number().int().min(0),
    fills: z.number().int().min(0),
    /** Σ |order| × open over orders with a valid open (currency). */
    requestedNotional: nonNegative,
    filledNotional: nonNegative,
    slippageCost: nonNegative,
    spreadCost: nonNegative,
    impactCost: nonNegative,
    feeCost: nonNegative,
    cashInLieu: nonNegative,
    delistProceeds: nonNegative,
    transitions: z.number().int().min(0),
    /** Orders sent, and orders not sent for being below `minTicketDollars`. */
    tickets: z.number().int().min(0),
    skippedTickets: z.number().int().min(0),
    /** Decision hours whose solve failed (the book was held). */
    failedDecisions: z.number().int().min(0),
    /** Data gaps of held names opened (`GapRecords` rows). */
    gaps: z.number().int().min(0),
  })
  .strict();
export type SimCounters = z.infer<typeof SimCounters>;

export const SimState = z
  .object({
    stateVersion: z.literal(SIM_STATE_VERSION),
    /** The run-grid index of the next bar to simulate (the first bar of the next chunk). */
    nextBar: z.number().int().min(0),
    cash: nonNegative,
    /** NAV at the last simulated close (the starting capital before the first bar). */
    prevNav: nonNegative,
    /** Highest NAV at any close so far (never re-based; the governor keeps its own peak). */
    navPeak: nonNegative,
    /**
     * Holdings by column (row i: one name), ascending by symbol: integer shares > 0 and the last price they
     * were marked at.
     */
    positions: z
      .object({
        symbol: z.array(z.string()),
        shares: z.array(z.number().int().positive()),
        mark: z.array(z.number().positive()),
      })
      .strict()
      .refine(
        (p) => p.shares.length === p.symbol.length && p.mark.length === p.symbol.length,
        'columns of unequal length',
      ),
    /**
     * Orders decided at the last simulated bar (plus carried remainders), to execute at the next open, by column
     * (signed shares, non-zero), ascending by symbol.
     */
    pending: z
      .object({
        symbol: z.array(z.string()),
        shares: z.array(finite.refine((x) => x !== 0, 'non-zero')),
      })
      .strict()
      .refine((p) => p.shares.length === p.symbol.length, 'columns of unequal length'),
    /**
     * Held names without a price since run-grid bar `since` (data gaps, no delisting known), ascending by symbol:
     * held at their last price, never sold; a gap ends when the name trades again or is closed.
     */
    gaps: z
      .object({ symbol: z.array(z.string()), since: z.array(z.number().int().min(0)) })
      .strict()
      .refine((g) => g.since.length === g.symbol.length, 'columns of unequal length'),
    risk: RiskState,
    /**
     * The decider's warm start for the next hour's decision (opaque numbers: the trade optimizer's multipliers,
     * `decide.ts`); null: the next decision starts cold. Saved so that a chunk or a paper tick in a fresh process
     * decides exactly as a long-running process would.
     */
    decisionWarm: z.array(z.number()).nullable(),
    benchmark: z
      .object({
        /** waiting: no decision yet; pending: the buy executes at the next valid open; invested: bought. */
        status: z.enum(['waiting', 'pending', 'invested']),
        shares: z.number().int().min(0),
        cash: nonNegative,
        /** Last price of the benchmark (null before it was first priced). */
        mark: z.number().positive().nullable(),
        prevNav: nonNegative,
      })
      .strict(),
    counters: SimCounters,
  })
  .strict();
export type SimState = z.infer<typeof SimState>;

/** The state before a run's first bar: all cash, normal risk state, nothing pending. */
export function initialSimState(capital: number): SimState {
  if (!(Number.isFinite(capital) && capital > 0)) {
    throw new InvalidInputError(`capital must be a finite number > 0, received ${capital}`, {
      field: 'capital',
    });
  }
  return {
    stateVersion: SIM_STATE_VERSION,
    nextBar: 0,
    cash: capital,
    prevNav: capital,
    navPeak: capital,
    positions: { symbol: [], shares: [], mark: [] },
    pending: { symbol: [], shares: [] },
    gaps: { symbol: [], since: [] },
    risk: initialRiskState(capital),
    decisionWarm: null,
    benchmark: { status: 'waiting', shares: 0, cash: capital, mark: null, prevNav: capital },
    counters: {
      bars: 0,
      orders: 0,
      fills: 0,
      requestedNotional: 0,
      filledNotional: 0,
      slippageCost: 0,
      spreadCost: 0,
      impactCost: 0,
      feeCost: 0,
      cashInLieu: 0,
      delistProceeds: 0,
      transitions: 0,
      tickets: 0,
      skippedTickets: 0,
      failedDecisions: 0,
      gaps: 0,
    },
  };
}

/** Validates a loaded state (e.g. `sim/chunk-NNN.state.json`); `InvalidInputError` names the first bad path. */
export function parseSimState(value: unknown): SimState {
  const parsed = SimState.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new InvalidInputError(`simulation state: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, {
    field,
  });
}
