import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunView } from '../../local/cli/api-client.ts';
import { formatDuration, Progress, progressText } from '../../local/cli/output.ts';
import { ProgressPrinter, STAGES, stageSeconds } from '../../local/cli/run-view.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const view = (
  status: RunView['status'],
  progress: Record<string, { done: number; total: number; seconds?: number }>,
): RunView => ({
  runId: 'R',
  status,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  progress: Object.fromEntries(STAGES.map((s) => [s, progress[s] ?? { done: 0, total: 0 }])),
  metrics: null,
  provenance: { datasetId: 'd', specHash: 'h', codeVersion: 'c' },
});

function stderrLines(fn: () => void): string[] {
  const out: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  fn();
  vi.restoreAllMocks();
  return out
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

describe('cli: progressText', () => {
  it('shows i/n, the percentage, elapsed and the stage ETA from its pace', () => {
    expect(progressText('optimize, month', 3, 6, 12_400, 6_000)).toBe(
      'optimize, month  3/6  50%  elapsed 12 s  ETA 6.0 s',
    );
    // no ETA before the first item nor after the last; no count without a total
    expect(progressText('optimize, month', 0, 6, 1_000, 1_000)).toBe(
      'optimize, month  0/6  0%  elapsed 1.0 s',
    );
    expect(progressText('prepare', 0, 0, 500)).toBe('prepare  elapsed 0.5 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
  });
});

describe('cli: ProgressPrinter (piped)', () => {
  it('prints every count of every stage once, even when a poll skips counts or whole stages', () => {
    const printer = new ProgressPrinter(true, false);
    const lines = stderrLines(() => {
      printer.update(view('QUEUED', {}));
      printer.update(
        view('RUNNING', { prepare: { done: 1, total: 1 }, buildFeatures: { done: 2, total: 4 } }),
      );
      printer.update(
        view('RUNNING', { prepare: { done: 1, total: 1 }, buildFeatures: { done: 2, total: 4 } }),
      );
      // one poll later: buildFeatures finished and trainScore went 0 → 2 of 2 in between
      printer.update(
        view('RUNNING', {
          prepare: { done: 1, total: 1 },
          buildFeatures: { done: 4, total: 4 },
          trainScore: { done: 2, total: 2 },
          optimize: { done: 0, total: 3 },
        }),
      );
    });
    const counted = lines.map((l) => /^(.+?) {2}(\d+)\/(\d+) {2}\d+%/.exec(l)).filter((m) => m !== null);
    expect(counted.map((m) => `${m[1]} ${m[2]}/${m[3]}`)).toEqual([
      'prepare 1/1',
      'build features, month 1/4',
      'build features, month 2/4',
      'build features, month 3/4',
      'build features, month 4/4',
      'train + score, fold 1/2',
      'train + score, fold 2/2',
    ]);
    expect(lines[0]).toMatch(/^queued {2}elapsed/);
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
  });

  it('on a terminal rewrites one line in place', () => {
    const printer = new ProgressPrinter(true, true);
    const out = stderrLines(() => {
      printer.update(
        view('RUNNING', { prepare: { done: 1, total: 1 }, buildFeatures: { done: 1, total: 4 } }),
      );
    });
    const text = out.join('');
    expect(text.startsWith('\r\u001b[2K')).toBe(true); // carriage return + erase line: rewritten in place
    expect(text).toContain('build features, month  1/4  25%');
  });
});

describe('cli: stageSeconds', () => {
  it("reads the API's per-stage wall seconds, in pipeline order, up to the first unfinished stage", () => {
    expect(
      stageSeconds(
        view('RUNNING', {
          prepare: { done: 1, total: 1, seconds: 0.4 },
          buildFeatures: { done: 4, total: 4, seconds: 18 },
          trainScore: { done: 1, total: 2 },
        }),
      ),
    ).toEqual({ prepare: 0.4, buildFeatures: 18 });
  });
});

describe('cli: Progress (piped, local jobs)', () => {
  it('prints each count once and completes a stage the job moved on from', () => {
    const progress = new Progress(true, false);
    const lines = stderrLines(() => {
      progress.update('bars', 0, 3);
      progress.update('bars', 2, 3); // a count skipped by the job's callback
      progress.update('series', 0, 2); // the job moved on without reporting bars 3/3
    });
    expect(lines.map((l) => l.split('  ').slice(0, 2).join(' '))).toEqual([
      'bars 0/3',
      'bars 1/3',
      'bars 2/3',
      'bars 3/3',
      'series 0/2',
    ]);
  });
});
