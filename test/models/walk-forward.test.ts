import { describe, expect, it } from 'vitest';
import { barIndexAtOrBefore, buildBarGrid } from '../../lib/core/calendar.ts';
import { planFolds } from '../../lib/models/walk-forward.ts';

const SPEC = { trainMonths: 12, retrainEveryMonths: 3, embargoBars: 7, horizonBars: 5 };

describe('models: planFolds', () => {
  const folds = planFolds('2024-01-01', '2024-12-31', '2023-01-01', SPEC);
  const grid = buildBarGrid('2023-01-01', '2024-12-31');
  const idx = (ms: number): number => barIndexAtOrBefore(grid, ms);

  it('cuts the period into test blocks of retrainEveryMonths with the train months before each', () => {
    expect(folds.map((f) => f.id)).toEqual(['fold-00', 'fold-01', 'fold-02', 'fold-03']);
    expect(folds.map((f) => f.testMonths)).toEqual([
      ['2024-01', '2024-02', '2024-03'],
      ['2024-04', '2024-05', '2024-06'],
      ['2024-07', '2024-08', '2024-09'],
      ['2024-10', '2024-11', '2024-12'],
    ]);
    expect(folds[0]!.trainMonths).toHaveLength(12);
    expect(folds[0]!.trainMonths[0]).toBe('2023-01');
    expect(folds[0]!.trainMonths[11]).toBe('2023-12');
    expect(folds[3]!.trainMonths[0]).toBe('2023-10');
    expect(folds[3]!.trainMonths[11]).toBe('2024-09');
  });

  it('leaves purge (horizon + 1 bars) and embargo between the last training bar and the first test bar', () => {
    for (const f of folds) {
      const testFirst = idx(f.testStartMs);
      expect(grid.closeMs[testFirst]).toBe(f.testStartMs);
      // the first test bar is the first bar of its first month
      expect(new Date(grid.closeMs[testFirst - 1]!).toISOString() < `${f.testMonths[0]}-01`).toBe(true);
      expect(idx(f.cutoffMs)).toBe(testFirst - 1 - SPEC.embargoBars);
      expect(idx(f.lastTrainBarMs)).toBe(idx(f.cutoffMs) - 1 - SPEC.horizonBars);
      // a label of the last training bar is known (close of bar t + 1 + h) exactly at the cutoff
      expect(grid.closeMs[idx(f.lastTrainBarMs) + 1 + SPEC.horizonBars]).toBe(f.cutoffMs);
      expect(testFirst - idx(f.lastTrainBarMs)).toBe(SPEC.horizonBars + 1 + SPEC.embargoBars + 1);
      expect(f.purgeBars).toBe(6);
      expect(f.embargoBars).toBe(7);
      expect(f.cutoffMs).toBeLessThan(f.testStartMs);
      expect(f.iso.cutoff).toBe(new Date(f.cutoffMs).toISOString());
    }
  });

  it('folds follow each other without gap or overlap and are plain JSON', () => {
    for (let k = 1; k < folds.length; k++) {
      expect(idx(folds[k]!.testStartMs)).toBe(idx(folds[k - 1]!.testEndMs) + 1);
    }
    expect(folds[3]!.testEndMs).toBe(grid.closeMs[grid.nT - 1]);
    expect(JSON.parse(JSON.stringify(folds))).toEqual(folds);
  });

  it('an embargo of 0 puts the cutoff at the last close before the test', () => {
    const f = planFolds('2024-01-01', '2024-03-31', '2023-01-01', { ...SPEC, embargoBars: 0 })[0]!;
    expect(idx(f.cutoffMs)).toBe(idx(f.testStartMs) - 1);
  });

  it('clips the train window at the start of the data and fails when no training bar is left', () => {
    const f = planFolds('2023-03-01', '2023-05-31', '2023-01-01', SPEC)[0]!;
    expect(f.trainMonths).toEqual(['2023-01', '2023-02']);
    expect(f.trainStartMs).toBe(grid.closeMs[0]);
    expect(() => planFolds('2023-01-01', '2023-03-31', '2023-01-01', SPEC)).toThrow(
      /fold-00: no training bar/,
    );
    expect(() => planFolds('2024-01-01', '2024-03-31', '2023-01-01', { ...SPEC, trainMonths: 0 })).toThrow(
      /trainMonths must be an integer >= 1, received 0/,
    );
  });

  it('a last block shorter than retrainEveryMonths ends at the period end', () => {
    const fs = planFolds('2024-01-15', '2024-05-10', '2023-01-01', SPEC);
    expect(fs.map((f) => f.testMonths)).toEqual([
      ['2024-01', '2024-02', '2024-03'],
      ['2024-04', '2024-05'],
    ]);
    expect(new Date(fs[0]!.testStartMs).toISOString().slice(0, 10)).toBe('2024-01-16');
    expect(new Date(fs[1]!.testEndMs).toISOString().slice(0, 10)).toBe('2024-05-10');
  });
});
