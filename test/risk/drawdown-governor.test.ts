import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.ts';
import {
  ALLOWED_TRANSITIONS,
  initialRiskState,
  RiskConfig,
  type RiskConfigInput,
  RiskState,
  type RiskStateName,
  type RiskTransition,
  riskScales,
  stepRiskState,
} from '../../lib/risk/index.ts';

const DEFAULT = RiskConfig.parse({});
/** Dyadic thresholds so drawdowns hit them exactly in binary floating point. */
const EXACT = RiskConfig.parse({
  thresholds: { conservative: 0.125, riskOff: 0.25 },
  hysteresis: { conservativeExit: 0.0625, riskOffExit: 0.1875 },
  dwell: { conservativeBars: 3, riskOffBars: 5 },
  reentry: { maxRiskOffBars: 10 },
});

interface Trace {
  states: RiskStateName[];
  transitions: RiskTransition[];
  final: RiskState;
}

function run(
  config: RiskConfig,
  navs: readonly number[],
  vols?: readonly (number | undefined)[],
  start = initialRiskState(100),
): Trace {
  let state = start;
  const states: RiskStateName[] = [];
  const transitions: RiskTransition[] = [];
  navs.forEach((nav, i) => {
    const step = stepRiskState(config, state, { nav, realizedVol: vols?.[i], barIndex: i });
    state = step.state;
    states.push(state.state);
    if (step.transition) transitions.push(step.transition);
  });
  return { states, transitions, final: state };
}

const repeat = (x: number, n: number): number[] => Array.from({ length: n }, () => x);

describe('drawdown-governor: RiskConfig', () => {
  it('fills the documented defaults', () => {
    expect(DEFAULT).toEqual({
      enabled: true,
      thresholds: { conservative: 0.08, riskOff: 0.15 },
      hysteresis: { conservativeExit: 0.05, riskOffExit: 0.1 },
      dwell: { conservativeBars: 7, riskOffBars: 35 },
      reentry: { maxRiskOffBars: 140 },
      scales: {
        normal: { gross: 1, nameCap: 1 },
        conservative: { gross: 0.5, nameCap: 0.5 },
        riskOff: { gross: 0, nameCap: 0 },
      },
    });
  });

  it.each<[string, RiskConfigInput]>([
    ['an unknown key', { thresholds: { conservative: 0.08, riskOff: 0.15, extra: 1 } } as RiskConfigInput],
    ['riskOff below conservative', { thresholds: { conservative: 0.2, riskOff: 0.15 } }],
    ['a conservative exit at the entry level', { hysteresis: { conservativeExit: 0.08, riskOffExit: 0.1 } }],
    ['a risk_off exit at the entry level', { hysteresis: { conservativeExit: 0.05, riskOffExit: 0.15 } }],
    [
      'a risk_off exit below the conservative exit',
      { hysteresis: { conservativeExit: 0.05, riskOffExit: 0.04 } },
    ],
    ['maxRiskOffBars below the risk_off dwell', { reentry: { maxRiskOffBars: 10 } }],
    ['maxRiskOffBars of 0', { reentry: { maxRiskOffBars: 0 } }],
    ['a scale above 1', { scales: { normal: { gross: 1.5, nameCap: 1 } } }],
    [
      'conservative scaled above normal',
      { scales: { conservative: { gross: 1, nameCap: 1 }, normal: { gross: 0.5, nameCap: 1 } } },
    ],
    ['a volatility exit above its entry', { volatility: { conservativeAbove: 0.3, exitBelow: 0.4 } }],
  ])('rejects %s', (_label, input) => {
    expect(RiskConfig.safeParse(input).success).toBe(false);
  });

  it('accepts a volatility trigger and keeps it', () => {
    const c = RiskConfig.parse({ volatility: { conservativeAbove: 0.3, riskOffAbove: 0.6, exitBelow: 0.2 } });
    expect(c.volatility).toEqual({ conservativeAbove: 0.3, riskOffAbove: 0.6, exitBelow: 0.2 });
  });
});

describe('drawdown-governor: initialRiskState and riskScales', () => {
  it('starts normal at the starting NAV', () => {
    expect(initialRiskState(1e6)).toEqual({
      state: 'normal',
      peakNav: 1e6,
      barsInState: 0,
      lastBarIndex: null,
      rebaseCount: 0,
    });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a starting NAV of %s', (nav) => {
    expect(() => initialRiskState(nav)).toThrow(InvalidInputError);
  });

  it('scales gross exposure and the name cap per state', () => {
    expect(riskScales(DEFAULT, 'normal')).toEqual({ gross: 1, nameCap: 1 });
    expect(riskScales(DEFAULT, 'conservative')).toEqual({ gross: 0.5, nameCap: 0.5 });
    expect(riskScales(DEFAULT, 'risk_off')).toEqual({ gross: 0, nameCap: 0 });
    const off = RiskConfig.parse({ enabled: false });
    expect(riskScales(off, 'risk_off')).toEqual({ gross: 1, nameCap: 1 });
  });
});

describe('drawdown-governor: stepRiskState edges', () => {
  it('normal → conservative exactly at the threshold, not below', () => {
    expect(run(EXACT, [100, 87.6]).states).toEqual(['normal', 'normal']);
    const t = run(EXACT, [100, 87.5]);
    expect(t.states).toEqual(['normal', 'conservative']);
    expect(t.transitions).toEqual([
      {
        from: 'normal',
        to: 'conservative',
        reason: 'drawdown_breach',
        detail: 'drawdown 12.50% >= conservative threshold 12.50%',
        barIndex: 1,
        drawdown: 0.125,
        nav: 87.5,
      },
    ]);
  });

  it('normal → risk_off directly on a gap through both thresholds', () => {
    const t = run(EXACT, [100, 75]);
    expect(t.states).toEqual(['normal', 'risk_off']);
    expect(t.transitions[0]).toMatchObject({ from: 'normal', to: 'risk_off', reason: 'drawdown_breach' });
  });

  it('conservative → risk_off at once, without waiting for the dwell', () => {
    const t = run(EXACT, [100, 87.5, 75]);
    expect(t.states).toEqual(['normal', 'conservative', 'risk_off']);
    expect(t.transitions[1]).toMatchObject({
      from: 'conservative',
      to: 'risk_off',
      drawdown: 0.25,
      barIndex: 2,
    });
  });

  it('conservative → normal only after the dwell and at or below the exit level', () => {
    // Enter at bar 1; recovered to the exit level (6.25%) at once; dwell 3 ⇒ leaves on the 3rd bar in the state.
    const t = run(EXACT, [100, 87.5, 93.75, 93.75, 93.75, 93.75]);
    expect(t.states).toEqual(['normal', 'conservative', 'conservative', 'conservative', 'normal', 'normal']);
    expect(t.transitions[1]).toMatchObject({
      from: 'conservative',
      to: 'normal',
      reason: 'recovered',
      barIndex: 4,
    });
  });

  it('stays conservative inside the hysteresis band however long it waits', () => {
    const t = run(EXACT, [100, 87.5, ...repeat(90, 50)]);
    expect(t.final.state).toBe('conservative');
    expect(t.transitions).toHaveLength(1);
  });

  it('risk_off → conservative after the dwell once the drawdown is at or below the exit level', () => {
    // Enter risk_off at bar 1, recovered (18.75%) immediately; dwell 5 ⇒ leaves at bar 6.
    const t = run(EXACT, [100, 75, ...repeat(81.25, 6)]);
    expect(t.states).toEqual([
      'normal',
      'risk_off',
      'risk_off',
      'risk_off',
      'risk_off',
      'risk_off',
      'conservative',
      'conservative',
    ]);
    expect(t.transitions[1]).toMatchObject({
      from: 'risk_off',
      to: 'conservative',
      reason: 'recovered',
      barIndex: 6,
    });
  });

  it('never goes risk_off → normal directly, even at a new NAV high', () => {
    const t = run(EXACT, [100, 75, ...repeat(120, 12)]);
    const edges = t.transitions.map((x) => `${x.from}>${x.to}`);
    expect(edges).toEqual(['normal>risk_off', 'risk_off>conservative', 'conservative>normal']);
    expect(t.transitions[1]?.barIndex).toBe(6);
    expect(t.transitions[2]?.barIndex).toBe(9);
  });

  it('does not escalate further from risk_off on a deeper drawdown', () => {
    const t = run(EXACT, [100, 75, 50, 40]);
    expect(t.transitions).toHaveLength(1);
    expect(t.final).toMatchObject({ state: 'risk_off', barsInState: 2, peakNav: 100 });
  });

  it('tracks the peak and counts bars in state', () => {
    const t = run(EXACT, [100, 110, 105, 96.25]);
    // 1 - 96.25/110 = 0.125 exactly
    expect(t.final).toMatchObject({ state: 'conservative', peakNav: 110, barsInState: 0, lastBarIndex: 3 });
    expect(run(EXACT, [100, 110, 105]).final).toMatchObject({
      state: 'normal',
      barsInState: 3,
      peakNav: 110,
    });
  });
});

describe('drawdown-governor: re-entry (the LEAN bug class)', () => {
  it('a flat NAV in risk_off resumes after maxRiskOffBars by re-basing the peak', () => {
    // Liquidated at bar 1 with a 30% drawdown; flat afterwards (nothing held, NAV cannot recover).
    const t = run(EXACT, [100, 70, ...repeat(70, 30)]);
    const reentry = t.transitions.find((x) => x.reason === 'reentry_timeout');
    expect(reentry).toMatchObject({ from: 'risk_off', to: 'conservative', barIndex: 11, nav: 70 });
    expect(reentry?.drawdown).toBeCloseTo(0.3, 12);
    // Re-based: drawdown is now 0, so after the conservative dwell (3) it is back to normal.
    expect(t.transitions.at(-1)).toMatchObject({ from: 'conservative', to: 'normal', barIndex: 14 });
    expect(t.final).toMatchObject({ state: 'normal', peakNav: 70, rebaseCount: 1 });
    expect(riskScales(EXACT, t.final.state).gross).toBe(1);
  });

  it('with the default config a liquidation on a 20% drawdown then a flat NAV ends within 140 + 7 bars', () => {
    const t = run(DEFAULT, [100, 80, ...repeat(80, 400)]);
    const back = t.transitions.find((x) => x.to === 'normal');
    expect(back?.barIndex).toBe(1 + 140 + 7);
    expect(t.states.slice(150).every((s) => s === 'normal')).toBe(true);
  });

  it('a further loss after re-entry counts from the re-based peak', () => {
    // Re-based at 70 on bar 11: 52.5 is a 25% drawdown from 70 (risk_off again), though only 47.5% from 100.
    const t = run(EXACT, [100, 70, ...repeat(70, 10), 52.5]);
    expect(t.transitions.at(-1)).toMatchObject({
      from: 'conservative',
      to: 'risk_off',
      drawdown: 0.25,
      barIndex: 12,
    });
    // Back to normal at bar 14; 61.25 is 12.5% below the re-based peak ⇒ conservative.
    const t2 = run(EXACT, [100, 70, ...repeat(70, 13), 61.25]);
    expect(t2.transitions.at(-1)).toMatchObject({
      from: 'normal',
      to: 'conservative',
      drawdown: 0.125,
      barIndex: 15,
    });
  });

  it('recovery inside the window resumes without re-basing', () => {
    const t = run(EXACT, [100, 70, 70, 70, 70, 70, 85]);
    expect(t.transitions.at(-1)).toMatchObject({ to: 'conservative', reason: 'recovered', barIndex: 6 });
    expect(t.final).toMatchObject({ peakNav: 100, rebaseCount: 0 });
  });
});

describe('drawdown-governor: shadow exit from risk_off (the benchmark recovers while the book is flat)', () => {
  /** Runs `navs` with a benchmark return per bar. */
  function runBench(config: RiskConfig, navs: readonly number[], bench: readonly number[]): Trace {
    let state = initialRiskState(100);
    const states: RiskStateName[] = [];
    const transitions: RiskTransition[] = [];
    navs.forEach((nav, i) => {
      const step = stepRiskState(config, state, { nav, barIndex: i, benchmarkReturn: bench[i] });
      state = RiskState.parse(JSON.parse(JSON.stringify(step.state)));
      states.push(state.state);
      if (step.transition) transitions.push(step.transition);
    });
    return { states, transitions, final: state };
  }

  it('a flat book leaves risk_off after the dwell once the shadow NAV is back within the exit level', () => {
    // Liquidated at 75 (25% drawdown); flat afterwards; the benchmark gains 2^(1/8) − 1 per bar, so the shadow
    // (75 compounded) reaches 75 · 2^(k/8): 81.25 (18.75%) needs k ≥ 8·log2(81.25/75) ≈ 0.92 → bar 2 on.
    const g = 2 ** (1 / 8) - 1;
    const t = runBench(EXACT, [100, 75, ...repeat(75, 8)], [0, 0, ...repeat(g, 8)]);
    const exit = t.transitions[1];
    // dwell 5 from bar 1: the first bar that may leave is bar 6
    expect(exit).toMatchObject({
      from: 'risk_off',
      to: 'conservative',
      reason: 'shadow_recovered',
      barIndex: 6,
    });
    // the peak is re-based so that the book's drawdown equals the shadow's: 75 / (shadow / 100)
    const shadow = 75 * (1 + g) ** 5;
    expect(t.states[6]).toBe('conservative');
    expect(t.final.shadowNav).toBeUndefined();
    const rebased = 75 / (1 - Math.max(0, 1 - shadow / 100));
    expect(t.transitions[1]?.detail).toContain(String(rebased));
    // …and the book does not re-escalate on its own 25% drawdown (here the shadow is above the old peak: the
    // re-based drawdown is 0, so conservative steps down to normal after its dwell)
    expect(t.transitions.map((x) => x.to)).toEqual(['risk_off', 'conservative', 'normal']);
  });

  it('without a benchmark (or a falling one) only the re-entry rule ends a flat risk_off', () => {
    const flat = runBench(EXACT, [100, 70, ...repeat(70, 12)], []);
    expect(flat.transitions[1]).toMatchObject({ reason: 'reentry_timeout', barIndex: 11 });
    const falling = runBench(EXACT, [100, 70, ...repeat(70, 12)], [0, 0, ...repeat(-0.01, 12)]);
    expect(falling.transitions[1]).toMatchObject({ reason: 'reentry_timeout', barIndex: 11 });
  });

  it('keeps the shadow NAV in the state while in risk_off (JSON round trip), compounding each bar', () => {
    const t = runBench(EXACT, [100, 75, 75, 75], [0, 0.5, 0.5, 0.5]);
    // entry at bar 1: the shadow starts at 75, the entry bar's own return does not compound it
    expect(t.final).toMatchObject({ state: 'risk_off', shadowNav: 75 * 1.5 * 1.5 });
  });
});

describe('drawdown-governor: hysteresis and dwell (no flapping)', () => {
  it('a drawdown oscillating around 8% enters conservative once and does not flip back every bar', () => {
    const navs = [100];
    for (let i = 0; i < 200; i++) navs.push(i % 2 === 0 ? 91.9 : 92.1);
    const t = run(DEFAULT, navs);
    expect(t.transitions).toHaveLength(1);
    expect(t.transitions[0]).toMatchObject({ from: 'normal', to: 'conservative', barIndex: 1 });
  });

  it('a drawdown oscillating around the 5% exit leaves conservative once, after the dwell', () => {
    const navs = [100, 91];
    for (let i = 0; i < 100; i++) navs.push(i % 2 === 0 ? 95.1 : 94.9);
    const t = run(DEFAULT, navs);
    expect(t.transitions.map((x) => x.to)).toEqual(['conservative', 'normal']);
    // Dwell 7 bars from bar 1 ⇒ the first bar that may leave is 8 (nav 95.1, 4.9%); bar 7 had 94.9 (5.1%).
    expect(t.transitions[1]?.barIndex).toBe(8);
  });

  it('a drawdown oscillating around 15% enters risk_off once and holds it for the dwell', () => {
    const navs = [100];
    for (let i = 0; i < 60; i++) navs.push(i % 2 === 0 ? 84.9 : 85.1);
    const t = run(DEFAULT, navs);
    expect(t.transitions[0]).toMatchObject({ from: 'normal', to: 'risk_off' });
    expect(t.transitions).toHaveLength(1);
  });

  it('a zero dwell allows leaving on the next bar', () => {
    const c = RiskConfig.parse({ dwell: { conservativeBars: 0, riskOffBars: 0 } });
    const t = run(c, [100, 91, 96]);
    expect(t.states).toEqual(['normal', 'conservative', 'normal']);
  });
});

describe('drawdown-governor: volatility trigger', () => {
  const VOL = RiskConfig.parse({ volatility: { conservativeAbove: 0.3, riskOffAbove: 0.6, exitBelow: 0.2 } });

  it('escalates on volatility alone and logs the reason', () => {
    const t = run(VOL, [100, 100], [0.1, 0.35]);
    expect(t.transitions[0]).toMatchObject({
      to: 'conservative',
      reason: 'volatility_breach',
      realizedVol: 0.35,
      drawdown: 0,
    });
    expect(run(VOL, [100, 100], [0.1, 0.6]).transitions[0]).toMatchObject({
      to: 'risk_off',
      reason: 'volatility_breach',
    });
  });

  it('holds conservative while volatility is above the exit level', () => {
    const vols = [0.1, 0.35, ...repeat(0.25, 20), 0.19];
    const t = run(VOL, repeat(100, vols.length), vols);
    expect(t.transitions.map((x) => x.to)).toEqual(['conservative', 'normal']);
    expect(t.transitions[1]?.barIndex).toBe(vols.length - 1);
  });

  it('ignores a missing or NaN volatility', () => {
    const t = run(VOL, [100, 100, 100], [undefined, Number.NaN, undefined]);
    expect(t.transitions).toHaveLength(0);
  });

  it('never liquidates on volatility without riskOffAbove', () => {
    const c = RiskConfig.parse({ volatility: { conservativeAbove: 0.3, exitBelow: 0.2 } });
    const t = run(c, repeat(100, 10), repeat(5, 10));
    expect(t.final.state).toBe('conservative');
  });

  it('a disabled governor never leaves normal', () => {
    const c = RiskConfig.parse({ enabled: false });
    const t = run(c, [100, 50, 10]);
    expect(t.states).toEqual(['normal', 'normal', 'normal']);
    expect(t.final.peakNav).toBe(100);
  });
});

describe('drawdown-governor: contract', () => {
  it('refuses a bar index that does not increase, and a bad NAV', () => {
    const s = stepRiskState(DEFAULT, initialRiskState(100), { nav: 100, barIndex: 5 }).state;
    expect(() => stepRiskState(DEFAULT, s, { nav: 100, barIndex: 5 })).toThrow(InvalidInputError);
    expect(() => stepRiskState(DEFAULT, s, { nav: 100, barIndex: 4 })).toThrow(/barIndex/);
    expect(() => stepRiskState(DEFAULT, s, { nav: Number.NaN, barIndex: 6 })).toThrow(/nav/);
    expect(() => stepRiskState(DEFAULT, s, { nav: -1, barIndex: 6 })).toThrow(InvalidInputError);
    expect(() => stepRiskState(DEFAULT, s, { nav: 100, barIndex: 6.5 })).toThrow(InvalidInputError);
  });

  it('does not mutate its inputs', () => {
    const state = Object.freeze(initialRiskState(100));
    const config = structuredClone(EXACT);
    const step = stepRiskState(EXACT, state, { nav: 75, barIndex: 0 });
    expect(state).toEqual(initialRiskState(100));
    expect(EXACT).toEqual(config);
    expect(step.state).not.toBe(state);
  });

  it('is deterministic and survives a JSON round trip of its state at every bar', () => {
    const navs = [100, 95, 91, 86, 80, 80, 80, 82, 90, 99, 101, 92, 70, ...repeat(70, 20), 75, 80];
    const straight = run(EXACT, navs);
    expect(run(EXACT, navs)).toEqual(straight);
    let state = initialRiskState(100);
    const states: RiskStateName[] = [];
    navs.forEach((nav, i) => {
      const revived = RiskState.parse(JSON.parse(JSON.stringify(state)));
      expect(revived).toEqual(state);
      state = stepRiskState(EXACT, revived, { nav, barIndex: i }).state;
      states.push(state.state);
    });
    expect(states).toEqual(straight.states);
    expect(state).toEqual(straight.final);
  });
});

describe('drawdown-governor: properties', () => {
  const configArb = fc
    .record({
      conservative: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
      gap: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
      consExitFrac: fc.double({ min: 0, max: 0.99, noNaN: true }),
      offExitFrac: fc.double({ min: 0, max: 0.99, noNaN: true }),
      conservativeBars: fc.integer({ min: 0, max: 10 }),
      riskOffBars: fc.integer({ min: 0, max: 10 }),
      extra: fc.integer({ min: 1, max: 20 }),
      consGross: fc.double({ min: 0, max: 1, noNaN: true }),
      withVol: fc.boolean(),
    })
    .map((r) => {
      const riskOff = r.conservative + r.gap;
      const conservativeExit = r.conservative * r.consExitFrac;
      const riskOffExit = conservativeExit + (riskOff - conservativeExit) * r.offExitFrac;
      return RiskConfig.parse({
        thresholds: { conservative: r.conservative, riskOff },
        hysteresis: { conservativeExit, riskOffExit },
        dwell: { conservativeBars: r.conservativeBars, riskOffBars: r.riskOffBars },
        reentry: { maxRiskOffBars: r.riskOffBars + r.extra },
        scales: { conservative: { gross: r.consGross, nameCap: r.consGross } },
        ...(r.withVol ? { volatility: { conservativeAbove: 0.3, riskOffAbove: 0.6, exitBelow: 0.2 } } : {}),
      });
    });
  const pathArb = fc.array(
    fc.record({
      ret: fc.oneof(fc.double({ min: -0.2, max: 0.2, noNaN: true }), fc.constant(0)),
      vol: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 300 },
  );

  it('moves only along allowed edges, keeps scales in [0, 1] and never stays risk_off past maxRiskOffBars', () => {
    fc.assert(
      fc.property(configArb, pathArb, (config, path) => {
        let state = initialRiskState(100);
        let nav = 100;
        let offRun = 0;
        path.forEach((p, i) => {
          nav = Math.max(nav * (1 + p.ret), 1e-6);
          const step = stepRiskState(config, state, { nav, realizedVol: p.vol, barIndex: i });
          if (step.transition) {
            expect(ALLOWED_TRANSITIONS[state.state]).toContain(step.transition.to);
            expect(step.transition.from).toBe(state.state);
            expect(step.state.barsInState).toBe(0);
          } else {
            expect(step.state.state).toBe(state.state);
            expect(step.state.barsInState).toBe(state.barsInState + 1);
          }
          expect(step.state.peakNav).toBeGreaterThanOrEqual(nav * (1 - 1e-12));
          const sc = riskScales(config, step.state.state);
          expect(sc.gross).toBeGreaterThanOrEqual(0);
          expect(sc.gross).toBeLessThanOrEqual(1);
          expect(sc.nameCap).toBeGreaterThanOrEqual(0);
          expect(sc.nameCap).toBeLessThanOrEqual(1);
          offRun = step.state.state === 'risk_off' ? offRun + 1 : 0;
          expect(offRun).toBeLessThanOrEqual(config.reentry.maxRiskOffBars);
          state = step.state;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('from any state, a flat NAV without volatility resumes trading within maxRiskOffBars bars', () => {
    fc.assert(
      fc.property(configArb, pathArb, (config, path) => {
        let state = initialRiskState(100);
        let nav = 100;
        path.forEach((p, i) => {
          nav = Math.max(nav * (1 + p.ret), 1e-6);
          state = stepRiskState(config, state, { nav, barIndex: i }).state;
        });
        for (let k = 0; k < config.reentry.maxRiskOffBars; k++) {
          state = stepRiskState(config, state, { nav, barIndex: path.length + k }).state;
        }
        expect(state.state).not.toBe('risk_off');
      }),
      { numRuns: 300 },
    );
  });
});
