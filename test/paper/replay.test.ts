import { describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../lib/backtest/spec.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { planFolds } from '../../lib/models/walk-forward.ts';
import { driveReplay, replayHours, replayTrainingSpec } from '../../lib/paper/replay.ts';

describe('workflow: paper replay helpers', () => {
  it('trains one fold whose cutoff precedes --from, covering the whole replay', () => {
    const spec = parseBacktestSpec({
      specVersion: 1,
      dataset: { name: 'demo' },
      period: { start: '2024-01-02', end: '2024-12-31' },
      model: { walkForward: { trainMonths: 6 } },
    });
    const training = replayTrainingSpec(spec, '2024-03-04', '2024-05-17');
    expect(training.period).toEqual({ start: '2024-03-04', end: '2024-05-17' });
    const folds = planFolds(training.period.start, training.period.end, '2023-01-03', {
      ...training.model.walkForward,
      horizonBars: training.labels.horizonBars,
    });
    expect(folds).toHaveLength(1);
    const from = buildBarGrid('2024-03-04', '2024-03-04').closeMs[0]!;
    expect(folds[0]!.cutoffMs).toBeLessThan(from);
    expect(() => replayTrainingSpec(spec, '2024-05-01', '2024-04-01')).toThrow(/--to/);
  });

  it('drives every bar close in order', async () => {
    const hours = replayHours('2024-07-03', '2024-07-05'); // early close, holiday, full day
    expect(hours).toHaveLength(4 + 7);
    const seen: number[] = [];
    const progress: number[] = [];
    await driveReplay(
      hours,
      async (h) => seen.push(h),
      (done) => progress.push(done),
    );
    expect(seen).toEqual(hours);
    expect(progress.at(-1)).toBe(11);
  });
});
