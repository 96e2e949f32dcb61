/**
 * Drawdown governance: a three-state machine (normal → conservative → risk_off) driven by the running drawdown
 * of NAV from its peak and, optionally, by realised volatility. Each state scales gross exposure and the
 * per-name cap. The step function is a pure reducer `(config, state, observation) → {state, transition?}` over
 * plain-JSON state, so a simulation chunk can save it and the next chunk resume it bit for bit.
 *
 * Rules (one observation per bar, `barsInState` counts the observations spent in the current state):
 * - The peak is updated first: `peakNav = max(peakNav, nav)`, `drawdown = 1 - nav / peakNav`.
 * - Escalation is immediate (no dwell): normal → conservative at `drawdown >= thresholds.conservative`
 *   (or volatility ≥ `volatility.conservativeAbove`); normal/conservative → risk_off at
 *   `drawdown >= thresholds.riskOff` (or volatility ≥ `volatility.riskOffAbove`). A gap can go normal → risk_off.
 * - De-escalation needs hysteresis and the state's minimum dwell: conservative → normal only when
 *   `barsInState >= dwell.conservativeBars` and `drawdown <= hysteresis.conservativeExit` (and volatility, when
 *   observed, ≤ `volatility.exitBelow`); risk_off → conservative only when `barsInState >= dwell.riskOffBars`
 *   and `drawdown <= hysteresis.riskOffExit` (and volatility below `volatility.riskOffAbove` when both are set).
 *   There is no direct risk_off → normal edge: re-entry always passes through conservative.
 * - Shadow exit (risk_off can end on recovery although the book is flat): on entering risk_off the governor starts
 *   a shadow NAV at the observed NAV and, at every later risk_off observation, compounds it by the benchmark's
 *   return of the bar (`observation.benchmarkReturn`; missing or NaN: unchanged) — what the book would be worth had
 *   it stayed invested like the benchmark. The exit test uses the lower of the book's drawdown and the shadow's
 *   (`1 − shadowNav / peakNav`, floored at 0): after the dwell, `min(drawdown, shadowDrawdown) <=
 *   hysteresis.riskOffExit` steps to conservative. When it is the shadow that recovered (reason
 *   `shadow_recovered`), the peak is re-based to `nav / (1 − shadowDrawdown)`, so that the book's drawdown after the
 *   exit equals the shadow's (the flat book resumes where the invested one would stand) instead of re-escalating
 *   at once on its own, unrecovered drawdown.
 * - Re-entry rule (the LEAN bug class: a strategy liquidated on drawdown is flat, its NAV cannot recover, so a
 *   rule that waits for recovery never trades again): after `reentry.maxRiskOffBars` in risk_off the peak is
 *   re-based to the current NAV (drawdown becomes 0) and the state steps to conservative. A liquidation
 *   therefore never lasts more than `maxRiskOffBars` observations, whatever the NAV and the benchmark do.
 * - A missing (undefined or NaN) realised volatility never triggers and never blocks an exit.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/index.ts';

/** Bound of the governor's bar counts: about ten years of hourly bars. */
export const MAX_STATE_BARS = 20_000;

export const RISK_STATE_NAMES = ['normal', 'conservative', 'risk_off'] as const;
export const RiskStateName = z.enum(RISK_STATE_NAMES);
export type RiskStateName = z.infer<typeof RiskStateName>;

const fraction = z.number().min(0).max(1);
const StateScale = z
  .object({
    gross: fraction.meta({ description: 'Multiplier of gross exposure in this state.', unit: 'fraction' }),
    nameCap: fraction.meta({
      description: 'Multiplier of the per-name weight cap in this state.',
      unit: 'fraction',
    }),
  })
  .strict();

/**
 * Defaults (hourly bars, ≈7 a session): conservative at an 8% drawdown, risk_off at 15%; leave conservative at
 * ≤5%, leave risk_off at ≤10%; stay at least 7 bars (one session) in conservative and 35 bars (one week) in
 * risk_off; force re-entry after 140 bars (about four weeks) flat. Conservative halves gross exposure and the
 * name cap; risk_off is flat.
 */
export const RiskConfig = z
  .object({
    enabled: z.boolean().default(true).describe('false: the governor stays `normal` forever (scales 1).'),
    thresholds: z
      .object({
        conservative: fraction.default(0.08).meta({
          description: 'Drawdown from the NAV peak at or above which normal escalates to conservative; > 0.',
          unit: 'fraction of peak NAV',
        }),
        riskOff: fraction.default(0.15).meta({
          description:
            'Drawdown at or above which the state escalates to risk_off (flat); > thresholds.conservative.',
          unit: 'fraction of peak NAV',
        }),
      })
      .strict()
      .default({ conservative: 0.08, riskOff: 0.15 })
      .describe('Drawdowns from the NAV peak at or above which the state escalates (immediately, no dwell).'),
    hysteresis: z
      .object({
        conservativeExit: fraction.default(0.05).meta({
          description:
            'conservative → normal when the drawdown is at or below this; < thresholds.conservative.',
          unit: 'fraction of peak NAV',
        }),
        riskOffExit: fraction.default(0.1).meta({
          description:
            'risk_off → conservative when the drawdown (or the shadow drawdown) is at or below this; < thresholds.riskOff and >= conservativeExit.',
          unit: 'fraction of peak NAV',
        }),
      })
      .strict()
      .default({ conservativeExit: 0.05, riskOffExit: 0.1 })
      .describe(
        'Drawdowns at or below which a state steps down (below the entry thresholds: the hysteresis band).',
      ),
    dwell: z
      .object({
        conservativeBars: z
          .number()
          .int()
          .min(0)
          .max(MAX_STATE_BARS)
          .default(7)
          .meta({ description: 'Minimum bars in conservative before it may step down.', unit: 'bars' }),
        riskOffBars: z
          .number()
          .int()
          .min(0)
          .max(MAX_STATE_BARS)
          .default(35)
          .meta({ description: 'Minimum bars in risk_off before it may step down.', unit: 'bars' }),
      })
      .strict()
      .default({ conservativeBars: 7, riskOffBars: 35 })
      .describe('Minimum observations in a state before it may step down (escalation is never delayed).'),
    reentry: z
      .object({
        maxRiskOffBars: z.number().int().min(1).max(MAX_STATE_BARS).default(140).meta({
          description:
            'After this many bars in risk_off the peak is re-based to the current NAV and the state steps to conservative; >= dwell.riskOffBars.',
          unit: 'bars',
        }),
      })
      .strict()
      .default({ maxRiskOffBars: 140 })
      .describe('The forced re-entry rule: a liquidation never lasts longer than maxRiskOffBars.'),
    volatility: z
      .object({
        conservativeAbove: z.number().positive().max(100).meta({
          description: 'Realised volatility at or above which the state escalates to conservative.',
          unit: 'annualised volatility (fraction)',
        }),
        riskOffAbove: z.number().positive().max(100).optional().meta({
          description:
            'Realised volatility at or above which the state escalates to risk_off; absent: volatility alone never liquidates.',
          unit: 'annualised volatility (fraction)',
        }),
        exitBelow: z.number().positive().max(100).meta({
          description:
            'Realised volatility at or below which a volatility-driven state may step down; < conservativeAbove.',
          unit: 'annualised volatility (fraction)',
        }),
      })
      .strict()
      .optional()
      .describe(
        'Optional realised-volatility trigger. Absent: off. Not supported by the backtest engine yet (a spec with it is refused).',
      ),
    scales: z
      .object({
        normal: StateScale.default({ gross: 1, nameCap: 1 }).describe('Scales in the normal state.'),
        conservative: StateScale.default({ gross: 0.5, nameCap: 0.5 }).describe(
          'Scales in the conservative state.',
        ),
        riskOff: StateScale.default({ gross: 0, nameCap: 0 }).describe(
          'Scales in the risk_off state (0: flat).',
        ),
      })
      .strict()
      .default({
        normal: { gross: 1, nameCap: 1 },
        conservative: { gross: 0.5, nameCap: 0.5 },
        riskOff: { gross: 0, nameCap: 0 },
      })
      .describe('Multipliers of gross exposure and of the per-name weight cap in each state.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const { thresholds: t, hysteresis: h, volatility: v, scales: s } = c;
    if (!(t.conservative > 0))
      issue(['thresholds', 'conservative'], `must be > 0, received ${t.conservative}`);
    if (!(t.riskOff > t.conservative)) {
      issue(
        ['thresholds', 'riskOff'],
        `must be > thresholds.conservative (${t.conservative}), received ${t.riskOff}`,
      );
    }
    if (!(h.conservativeExit < t.conservative)) {
      issue(
        ['hysteresis', 'conservativeExit'],
        `must be < thresholds.conservative (${t.conservative}), received ${h.conservativeExit}`,
      );
    }
    if (!(h.riskOffExit < t.riskOff)) {
      issue(
        ['hysteresis', 'riskOffExit'],
        `must be < thresholds.riskOff (${t.riskOff}), received ${h.riskOffExit}`,
      );
    }
    if (!(h.riskOffExit >= h.conservativeExit)) {
      issue(
        ['hysteresis', 'riskOffExit'],
        `must be >= hysteresis.conservativeExit (${h.conservativeExit}), received ${h.riskOffExit}`,
      );
    }
    if (!(c.reentry.maxRiskOffBars >= c.dwell.riskOffBars)) {
      issue(
        ['reentry', 'maxRiskOffBars'],
        `must be >= dwell.riskOffBars (${c.dwell.riskOffBars}), received ${c.reentry.maxRiskOffBars}`,
      );
    }
    if (v !== undefined) {
      if (!(v.exitBelow < v.conservativeAbove)) {
        issue(
          ['volatility', 'exitBelow'],
          `must be < volatility.conservativeAbove (${v.conservativeAbove}), received ${v.exitBelow}`,
        );
      }
      if (v.riskOffAbove !== undefined && !(v.riskOffAbove > v.conservativeAbove)) {
        issue(
          ['volatility', 'riskOffAbove'],
          `must be > volatility.conservativeAbove (${v.conservativeAbove}), received ${v.riskOffAbove}`,
        );
      }
    }
    for (const key of ['gross', 'nameCap'] as const) {
      if (!(s.normal[key] >= s.conservative[key] && s.conservative[key] >= s.riskOff[key])) {
        issue(
          ['scales'],
          `${key} scales must satisfy normal >= conservative >= riskOff, received ` +
            `${s.normal[key]}, ${s.conservative[key]}, ${s.riskOff[key]}`,
        );
      }
    }
  });
export type RiskConfig = z.infer<typeof RiskConfig>;
export type RiskConfigInput = z.input<typeof RiskConfig>;

export const TransitionReason = z.enum([
  'drawdown_breach',
  'volatility_breach',
  'recovered',
  'shadow_recovered',
  'reentry_timeout',
]);
export type TransitionReason = z.infer<typeof TransitionReason>;

export const RiskTransition = z
  .object({
    from: RiskStateName,
    to: RiskStateName,
    reason: TransitionReason,
    /** Human-readable: the values and the threshold that decided. */
    detail: z.string(),
    barIndex: z.number().int(),
    /** Drawdown at the observation, before any re-basing of the peak. */
    drawdown: z.number(),
    nav: z.number(),
    realizedVol: z.number().optional(),
  })
  .strict();
export type RiskTransition = z.infer<typeof RiskTransition>;

/** The governor's state: plain JSON, saved with a simulation chunk. */
export const RiskState = z
  .object({
    state: RiskStateName,
    peakNav: z.number().positive(),
    /** Observations spent in the current state (0 right after entering it). */
    barsInState: z.number().int().min(0),
    /** The last observation's bar index (null before the first). Observations must strictly increase. */
    lastBarIndex: z.number().int().nullable(),
    /** Number of times the peak was re-based by the re-entry rule. */
    rebaseCount: z.number().int().min(0),
    /**
     * In risk_off only: the shadow NAV (the NAV at entry compounded by the benchmark's returns since), whose
     * drawdown can end risk_off (module comment).
     */
    shadowNav: z.number().positive().optional(),
    lastTransition: RiskTransition.optional(),
  })
  .strict();
export type RiskState = z.infer<typeof RiskState>;

export interface RiskObservation {
  /** Net asset value at the bar (after the bar's marks). Finite and >= 0. */
  readonly nav: number;
  /** Realised volatility in the units of `RiskConfig.volatility`; undefined or NaN: not observed. */
  readonly realizedVol?: number | undefined;
  readonly barIndex: number;
  /**
   * The benchmark's return over this bar (a fraction, e.g. SPY close to close); compounds the shadow NAV in risk_off.
   * Undefined or NaN: not observed (the shadow stays put).
   */
  readonly benchmarkReturn?: number | undefined;
}

export interface RiskStep {
  readonly state: RiskState;
  readonly transition?: RiskTransition;
}

export interface RiskScales {
  readonly gross: number;
  readonly nameCap: number;
}

/** Every edge the machine may take. Staying put is always allowed. */
export const ALLOWED_TRANSITIONS: Readonly<Record<RiskStateName, readonly RiskStateName[]>> = {
  normal: ['conservative', 'risk_off'],
  conservative: ['normal', 'risk_off'],
  risk_off: ['conservative'],
};

/** The state at the start of a run: normal, with the peak at the starting NAV. */
export function initialRiskState(nav: number): RiskState {
  if (!(Number.isFinite(nav) && nav > 0)) {
    throw new InvalidInputError(`initial nav must be a finite number > 0, received ${nav}`, { field: 'nav' });
  }
  return { state: 'normal', peakNav: nav, barsInState: 0, lastBarIndex: null, rebaseCount: 0 };
}

/** Gross-exposure and name-cap multipliers of a state. */
export function riskScales(config: RiskConfig, state: RiskStateName): RiskScales {
  if (!config.enabled) return config.scales.normal;
  switch (state) {
    case 'normal':
      return config.scales.normal;
    case 'conservative':
      return config.scales.conservative;
    case 'risk_off':
      return config.scales.riskOff;
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * Advance the governor by one observation. Pure: neither argument is mutated; the same inputs give the same
 * output. Throws `InvalidInputError` on a non-finite or negative NAV or a bar index that does not increase.
 */
export function stepRiskState(config: RiskConfig, state: RiskState, obs: RiskObservation): RiskStep {
  const { nav, barIndex } = obs;
  if (!(Number.isFinite(nav) && nav >= 0)) {
    throw new InvalidInputError(`observation nav must be a finite number >= 0, received ${nav}`, {
      field: 'nav',
      barIndex,
    });
  }
  if (!Number.isInteger(barIndex) || (state.lastBarIndex !== null && barIndex <= state.lastBarIndex)) {
    throw new InvalidInputError(
      `observation barIndex must be an integer > ${state.lastBarIndex ?? '-inf'}, received ${barIndex}`,
      { field: 'barIndex' },
    );
  }
  const vol = obs.realizedVol !== undefined && !Number.isNaN(obs.realizedVol) ? obs.realizedVol : undefined;
  const peakNav = Math.max(nav, state.peakNav);
  const drawdown = 1 - nav / peakNav;
  const barsInState = state.barsInState + 1;
  const stay: RiskState = { ...state, peakNav, barsInState, lastBarIndex: barIndex };
  if (!config.enabled) return { state: stay };
  const benchRet = obs.benchmarkReturn;
  const shadowNav =
    state.shadowNav !== undefined &&
    benchRet !== undefined &&
    benchRet > -1 &&
    benchRet < Number.POSITIVE_INFINITY
      ? state.shadowNav * (1 + benchRet)
      : state.shadowNav;

  const { thresholds, hysteresis, dwell, reentry } = config;
  const volCfg = config.volatility;
  const volRiskOff = volCfg?.riskOffAbove !== undefined && vol !== undefined && vol >= volCfg.riskOffAbove;
  const volConservative = volCfg !== undefined && vol !== undefined && vol >= volCfg.conservativeAbove;
  const volCalm = volCfg === undefined || vol === undefined || vol <= volCfg.exitBelow;
  const volBelowRiskOff = !volRiskOff;

  const move = (
    to: RiskStateName,
    reason: TransitionReason,
    detail: string,
    newPeak: number = peakNav,
    rebased = false,
  ): RiskStep => {
    const transition: RiskTransition = {
      from: state.state,
      to,
      reason,
      detail,
      barIndex,
      drawdown,
      nav,
      ...(vol !== undefined ? { realizedVol: vol } : {}),
    };
    return {
      state: {
        state: to,
        peakNav: newPeak,
        barsInState: 0,
        lastBarIndex: barIndex,
        rebaseCount: state.rebaseCount + (rebased ? 1 : 0),
        ...(to === 'risk_off' && nav > 0 ? { shadowNav: nav } : {}),
        lastTransition: transition,
      },
      transition,
    };
  };

  const escalate = (): RiskStep | undefined => {
    if (drawdown >= thresholds.riskOff) {
      return move(
        'risk_off',
        'drawdown_breach',
        `drawdown ${pct(drawdown)} >= risk_off threshold ${pct(thresholds.riskOff)}`,
      );
    }
    if (volRiskOff) {
      return move(
        'risk_off',
        'volatility_breach',
        `realised vol ${vol} >= risk_off level ${volCfg?.riskOffAbove}`,
      );
    }
    return undefined;
  };

  switch (state.state) {
    case 'normal': {
      const off = escalate();
      if (off !== undefined) return off;
      if (drawdown >= thresholds.conservative) {
        return move(
          'conservative',
          'drawdown_breach',
          `drawdown ${pct(drawdown)} >= conservative threshold ${pct(thresholds.conservative)}`,
        );
      }
      if (volConservative) {
        return move(
          'conservative',
          'volatility_breach',
          `realised vol ${vol} >= conservative level ${volCfg?.conservativeAbove}`,
        );
      }
      return { state: stay };
    }
    case 'conservative': {
      const off = escalate();
      if (off !== undefined) return off;
      if (barsInState >= dwell.conservativeBars && drawdown <= hysteresis.conservativeExit && volCalm) {
        return move(
          'normal',
          'recovered',
          `drawdown ${pct(drawdown)} <= exit level ${pct(hysteresis.conservativeExit)} after ${barsInState} bars`,
        );
      }
      return { state: stay };
    }
    case 'risk_off': {
      const inRiskOff: RiskState = shadowNav === undefined ? stay : { ...stay, shadowNav };
      if (barsInState < dwell.riskOffBars) return { state: inRiskOff };
      if (drawdown <= hysteresis.riskOffExit && volBelowRiskOff) {
        return move(
          'conservative',
          'recovered',
          `drawdown ${pct(drawdown)} <= exit level ${pct(hysteresis.riskOffExit)} after ${barsInState} bars`,
        );
      }
      const shadowDrawdown = shadowNav === undefined ? 1 : Math.max(0, 1 - shadowNav / peakNav);
      if (shadowDrawdown <= hysteresis.riskOffExit && volBelowRiskOff && nav > 0) {
        return move(
          'conservative',
          'shadow_recovered',
          `shadow NAV ${shadowNav} (the book at entry compounded by the benchmark) is ${pct(shadowDrawdown)} below ` +
            `the peak <= exit level ${pct(hysteresis.riskOffExit)} after ${barsInState} bars: ` +
            `peak re-based from ${peakNav} to ${nav / (1 - shadowDrawdown)} (book drawdown was ${pct(drawdown)})`,
          nav / (1 - shadowDrawdown),
        );
      }
      if (barsInState >= reentry.maxRiskOffBars) {
        return move(
          'conservative',
          'reentry_timeout',
          `${barsInState} bars in risk_off >= maxRiskOffBars ${reentry.maxRiskOffBars}: ` +
            `peak re-based from ${peakNav} to ${nav} (drawdown was ${pct(drawdown)})`,
          nav > 0 ? nav : peakNav,
          nav > 0,
        );
      }
      return { state: inRiskOff };
    }
  }
}
