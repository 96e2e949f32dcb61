/**
 * The one definition of a stage's time, used by the API's run view (and through it the CLI and the dashboard) and
 * by report.html's Timings table: wall-clock seconds from the run's own events. The state machine runs the
 * stages one after another, so a stage runs from the end of the previous stage (Prepare: from the run's move to
 * RUNNING) to its own end (the report that completed its last item). The stages therefore partition the run:
 * their sum is the time from RUNNING to the end of the last finished stage, with no gap and no overlap.
 *
 * (A stage's `startedAtMs` is when its first item *reported*, i.e. finished: the span from it to `finishedAtMs`
 * misses the first item's work and the stage's start-up, so it is not used.)
 */
import { RUN_STAGES, type RunRecord, type RunStage } from './run-record.ts';

export interface StageSeconds {
  readonly stage: RunStage;
  readonly seconds: number;
}

/** Wall seconds of each finished stage, in pipeline order; stops at the first stage not finished. */
export function stageWallSeconds(record: Pick<RunRecord, 'stages' | 'timings'>): StageSeconds[] {
  const out: StageSeconds[] = [];
  let from = record.timings.startedAtMs;
  if (from === undefined) return out;
  for (const stage of RUN_STAGES) {
    const end = record.stages[stage].finishedAtMs;
    if (end === undefined) break;
    out.push({ stage, seconds: Math.max(0, end - from) / 1000 });
    from = Math.max(from, end);
  }
  return out;
}
