import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = new URL('../../local/cli/main.ts', import.meta.url).pathname;
const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'hts-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hts(...args: string[]) {
  const r = spawnSync(tsx, [cli, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: hts data', () => {
  it('generates a dataset and describes it as JSON', () => {
    const out = join(tmp, 'ds');
    const gen = hts(
      'data',
      'generate',
      '--out',
      out,
      '--start',
      '2024-06-03',
      '--end',
      '2024-06-07',
      '--seed',
      '3',
      '--json',
    );
    expect(gen.code).toBe(0);
    const summary = JSON.parse(gen.stdout);
    expect(summary.bars).toBe(35); // five full sessions of seven bars
    expect(summary.membersAtStart).toBeGreaterThan(495);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.period).toEqual({ start: '2024-06-03', end: '2024-06-07' });
    const described = hts('data', 'describe', '--data', out, '--json');
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout).datasetId).toBe(summary.datasetId);
  });

  it('exits 2 with the field named for bad input', () => {
    const bad = hts('data', 'generate', '--out', join(tmp, 'x'), '--start', '2024-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--start must be a date YYYY-MM-DD, received '2024-02-30'");
    const missing = hts('data', 'generate');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out is required');
    const notDataset = hts('data', 'describe', '--data', tmp, '--json');
    expect(notDataset.code).toBe(2);
    expect(JSON.parse(notDataset.stdout).error.code).toBe('INVALID_INPUT');
    expect(notDataset.stdout).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('exits 2 on an unknown command', () => {
    expect(hts('frobnicate').code).toBe(2);
  });
});
