import { describe, expect, it } from 'vitest';
import { RUN_STAGES, type RunRecord } from '../../lib/runs/run-record.ts';
import { stageWallSeconds } from '../../lib/runs/stage-seconds.ts';

const T = 1_700_000_000_000;

/** Stages and timings of a record: `ends[stage]` = finishedAtMs, `firstReport[stage]` = startedAtMs. */
function record(
  startedAtMs: number | undefined,
  ends: Partial<Record<(typeof RUN_STAGES)[number], number>>,
  firstReport: Partial<Record<(typeof RUN_STAGES)[number], number>> = {},
): Pick<RunRecord, 'stages' | 'timings'> {
  const stages = Object.fromEntries(
    RUN_STAGES.map((s) => [
      s,
      {
        done: ends[s] === undefined ? 0 : 1,
        total: 1,
        ...(firstReport[s] !== undefined && { startedAtMs: firstReport[s] }),
        ...(ends[s] !== undefined && { finishedAtMs: ends[s] }),
      },
    ]),
  ) as RunRecord['stages'];
  return { stages, timings: startedAtMs === undefined ? {} : { startedAtMs } };
}

describe('runs: stageWallSeconds', () => {
  it('a stage runs from the end of the previous one (Prepare: the run start) to its own end', () => {
    const r = record(
      T,
      {
        prepare: T + 1_000,
        buildFeatures: T + 21_000,
        trainScore: T + 42_500,
        optimize: T + 50_000,
        simulate: T + 60_000,
        finalize: T + 63_000,
      },
      // first item reports: a stage's startedAtMs comes late, after its first item finished, and is not used
      { buildFeatures: T + 20_000, trainScore: T + 42_000 },
    );
    expect(stageWallSeconds(r)).toEqual([
      { stage: 'prepare', seconds: 1 },
      { stage: 'buildFeatures', seconds: 20 },
      { stage: 'trainScore', seconds: 21.5 },
      { stage: 'optimize', seconds: 7.5 },
      { stage: 'simulate', seconds: 10 },
      { stage: 'finalize', seconds: 3 },
    ]);
    // the stages partition the run: their sum is run start → last stage's end
    expect(stageWallSeconds(r).reduce((a, s) => a + s.seconds, 0)).toBeCloseTo(63, 9);
  });

  it('stops at the first unfinished stage; nothing before the run started', () => {
    expect(stageWallSeconds(record(T, { prepare: T + 500, buildFeatures: T + 1_500 }))).toEqual([
      { stage: 'prepare', seconds: 0.5 },
      { stage: 'buildFeatures', seconds: 1 },
    ]);
    expect(stageWallSeconds(record(undefined, { prepare: T }))).toEqual([]);
  });
});
