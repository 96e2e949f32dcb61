import type { BarGrid, Rng, Session } from '../../core/index.ts';
import type { SyntheticMarketConfig } from './config.ts';
import type { PitBuffer } from './pit-buffer.ts';

/**
 * The synthetic market's state, one object passed through the stages of `generateSyntheticMarket`:
 * calendar and names → per-name parameters → event schedules → the session simulator (which mutates `sim`,
 * `events`, `pit` and `ic`) → the tables written at the end.
 */
export interface MarketState {
  readonly cfg: SyntheticMarketConfig;
  readonly calendar: SessionCalendar;
  readonly names: NameTable;
  readonly model: MarketModel;
  readonly events: EventSchedules;
  readonly pit: PitBuffers;
  readonly sim: SimulationState;
  readonly ic: IcTracker;
}

export interface GenerateProgress {
  readonly stage: 'bars' | 'series' | 'manifest';
  readonly done: number;
  readonly total: number;
}

/** Forward horizon of the planted signal's information coefficient, in bars. */
export const IC_HORIZON_BARS = 5;

/** Index of the first session on or after a New York date (`nS` when there is none). */
export type SessionLookup = (date: string) => number;

export interface SessionCalendar {
  readonly grid: BarGrid;
  readonly sessions: readonly Session[];
  readonly nS: number;
  readonly sessionDates: readonly string[];
  /** `YYYY-MM` of each session. */
  readonly monthOfSession: readonly string[];
  /** First bar of each session, and `grid.nT` at index `nS`. */
  readonly firstBarOfSession: Int32Array;
}

/** The names (sorted, with the benchmark), the sessions each trades and its index membership. */
export interface NameTable {
  readonly symbols: readonly string[];
  readonly nA: number;
  /** Index of the benchmark in `symbols` (−1 when absent). */
  readonly spyA: number;
  /** First and last session with bars per name (`nS` and −1 for a name without bars). */
  readonly firstS: Int32Array;
  readonly lastS: Int32Array;
  /** Index into GICS_SECTORS per name (−1 for the benchmark). */
  readonly sectorOf: Int16Array;
  /** 1 where name a is an index member in session s, at `s * nA + a`. */
  readonly memberS: Uint8Array;
  /** 1 where the name leaves the index inside the period. */
  readonly delisted: Uint8Array;
}

export interface NameParams {
  readonly beta: number;
  readonly sectorLoading: number;
  readonly idioVolDaily: number;
  readonly advDollars: number;
  readonly spreadBaseBps: number;
  readonly marketCap: number;
  readonly epsYield: number;
  readonly bookToPrice: number;
  readonly salesToPrice: number;
  readonly margin: number;
}

/** The fixed parameters drawn before the simulation. */
export interface MarketModel {
  readonly params: readonly NameParams[];
  /** Each name's price on its first bar. */
  readonly price: Float64Array;
  /** Loading of each hourly log return on α. */
  readonly kappa: number;
  /** AR(1) coefficient of α from one session to the next. */
  readonly alphaPhi: number;
}

export interface SplitEvent {
  readonly a: number;
  readonly ratio: number;
}

/** A delisting: the name's last session, and the session after whose close it is announced (< 0: before the period). */
export interface DelistingNotice {
  readonly a: number;
  readonly lastS: number;
  readonly noticeS: number;
}

export interface EarningsRelease {
  readonly a: number;
  readonly quarterEnd: string;
  readonly afterClose: boolean;
  readonly revise: boolean;
}

export interface EarningsRevision {
  readonly a: number;
  readonly quarterEnd: string;
  readonly eps: number;
  readonly row: Float64Array;
}

/** Events pending by session index; events outside the period are dropped when added. */
export class SessionSchedule<T> {
  private readonly bySession = new Map<number, T[]>();

  constructor(private readonly nS: number) {}

  add(s: number, event: T): void {
    if (s < 0 || s >= this.nS) return;
    const list = this.bySession.get(s);
    if (list) list.push(event);
    else this.bySession.set(s, [event]);
  }

  at(s: number): readonly T[] {
    return this.bySession.get(s) ?? [];
  }
}

export interface EventSchedules {
  /** Ex-dates of announced splits. */
  readonly splits: SessionSchedule<SplitEvent>;
  readonly earnings: SessionSchedule<EarningsRelease>;
  readonly revisions: SessionSchedule<EarningsRevision>;
  /** Log drop over the last five sessions of a name that leaves the index falling hard (0 otherwise). */
  readonly dropTotal: Float64Array;
  readonly delistings: number;
  readonly delistingsWithDrop: number;
  /** One per stock whose bars stop before the period's end, in symbol order. */
  readonly delistingNotices: readonly DelistingNotice[];
}

export interface PitBuffers {
  readonly fundamentals: PitBuffer;
  readonly macro: PitBuffer;
  readonly sentiment: PitBuffer;
  readonly analyst: PitBuffer;
  readonly corporate: PitBuffer;
  readonly trap: PitBuffer;
}

/** What the simulation carries from one bar and session to the next. */
export interface SimulationState {
  /** Draws of the bars, of the point-in-time series, of the corporate events. */
  readonly rngBars: Rng;
  readonly rngPit: Rng;
  readonly rngEvents: Rng;
  /** 0 calm, 1 stressed. */
  regime: number;
  mktLogVol: number;
  spyLevel: number;
  /** Log-return shock of the session's first bar from macro surprises released before the open. */
  macroShock: number;
  splitCount: number;
  /** Latent α per name (never published). */
  readonly alpha: Float64Array;
  readonly idioLogVol: Float64Array;
  readonly shares: Float64Array;
  /** Last close per name (NaN before its first bar). */
  readonly prevClose: Float64Array;
  /** Sum of the session's idiosyncratic returns per name (the trap's value). */
  readonly idioToday: Float64Array;
  readonly retBar: Float64Array;
  readonly openBar: Float64Array;
  /** Scratch: each sector's return in the current bar. */
  readonly sectorReturns: Float64Array;
  /** Consensus of each macro series. */
  readonly macroState: number[];
  /** Scratch row for pushes into the point-in-time buffers. */
  readonly rowValues: Float64Array;
}

/** A cross-section scored for the IC: α at the decision bar and the forward excess return of each member. */
export interface IcSample {
  readonly signal: number[];
  readonly forward: number[];
}

/** IC measurement: α at decision bar t vs open(t+1)→open(t+6) excess; a ring of the last opens. */
export interface IcTracker {
  readonly alphaSnap: Float64Array;
  readonly openRing: Float64Array[];
  readonly memberRing: Uint8Array;
  /** The decision bar awaiting its score (−1 when none). */
  snapT: number;
  readonly samples: IcSample[];
}
