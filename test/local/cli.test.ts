import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../lib/features/registry.ts';
import { COMMANDS, commandName, flagsOf } from '../../local/cli/command-table.ts';

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

/** Runs the CLI without blocking the event loop (several at once). */
function htsAsync(
  args: readonly string[],
  cwd = tmp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(tsx, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('cli: help and flags', () => {
  it('hts --help, hts help and hts help CMD exit 0', async () => {
    const [long, word, cmd] = await Promise.all([
      htsAsync(['--help']),
      htsAsync(['help']),
      htsAsync(['help', 'data', 'generate']),
    ]);
    for (const r of [long, word, cmd]) expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(long.stdout).toContain(commandName(c));
    expect(cmd.stdout).toContain('usage: hts data generate --out DIR');
    expect(cmd.stdout).toContain('--seed N');
  });

  it("every command's --help exits 0 and lists each of its flags", async () => {
    const results = await Promise.all(COMMANDS.map((c) => htsAsync([...c.words, '--help'])));
    COMMANDS.forEach((c, i) => {
      const r = results[i]!;
      expect(r.code, commandName(c)).toBe(0);
      expect(r.stdout).toContain(`usage: hts ${commandName(c)}`);
      for (const f of flagsOf(c)) expect(r.stdout, `${commandName(c)} --${f.name}`).toContain(`--${f.name}`);
    });
  }, 120_000);

  it('an unknown flag exits 2 naming it and the nearest valid flag; the run never starts', async () => {
    const r = await htsAsync(['backtest', '--spec', 'x.json', '--strat', '2024-07-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --strat');
    expect(r.stderr).toContain('did you mean --start?');
    const json = await htsAsync(['data', 'list', '--jsn']);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('unknown flag --jsn');
    expect(json.stderr).toContain('--json');
  });

  it('a flag without its value, a stray argument and an unknown command exit 2 naming them', async () => {
    const [noValue, stray, unknown] = await Promise.all([
      htsAsync(['data', 'generate', '--out']),
      htsAsync(['data', 'list', 'extra']),
      htsAsync(['data', 'lst']),
    ]);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--out expects a value');
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("unexpected argument 'extra'");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'data lst'; nearest: data list");
  });

  it('--start/--end errors blame the flag, not the spec file', async () => {
    const spec = join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        specVersion: 1,
        dataset: { name: 'demo' },
        period: { start: '2024-07-01', end: '2024-12-31' },
      }),
    );
    const [start, end] = await Promise.all([
      htsAsync(['backtest', '--spec', spec, '--start', '2025-03-01']),
      htsAsync(['backtest', '--spec', spec, '--end', '2024-01-01']),
    ]);
    expect(start.code).toBe(2);
    expect(start.stderr).toContain("--start 2025-03-01 is after the period's end 2024-12-31");
    expect(start.stderr).not.toContain('spec.json');
    expect(end.code).toBe(2);
    expect(end.stderr).toContain("--end 2024-01-01 is before the period's start 2024-07-01");
  });

  it('an unknown feature in a spec exits 2 with the 3 nearest registered names', async () => {
    const spec = join(tmp, 'typo.json');
    writeFileSync(
      spec,
      JSON.stringify({
        specVersion: 1,
        dataset: { name: 'demo' },
        period: { start: '2024-07-01', end: '2024-12-31' },
        features: ['ret_1', 'ret_01'],
      }),
    );
    const r = await htsAsync(['backtest', '--spec', spec, '--json']);
    expect(r.code).toBe(2);
    const error = JSON.parse(r.stdout).error;
    expect(error.message).toContain('spec.features.1: unknown feature "ret_01"');
    expect(error.details.nearest).toHaveLength(3);
    expect(error.details.nearest).toContain('ret_1');
  });
});

describe('cli: hts data list, --data NAME, hts features list', () => {
  it('lists the datasets of the root as JSON, and --data NAME resolves a dataset by name', async () => {
    const root = join(tmp, 'root');
    const gen = hts(
      'data',
      'generate',
      '--out',
      join(root, 'datasets', 'tiny'),
      '--start',
      '2024-06-03',
      '--end',
      '2024-06-04',
      '--json',
    );
    expect(gen.code).toBe(0);
    const id = JSON.parse(gen.stdout).datasetId;
    const [list, described, missing] = await Promise.all([
      htsAsync(['data', 'list', '--root', root, '--json']),
      htsAsync(['data', 'describe', '--data', 'tiny', '--root', root, '--json']),
      htsAsync(['data', 'describe', '--data', 'nosuch', '--root', root]),
    ]);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout);
    expect(parsed.datasets).toHaveLength(1);
    expect(parsed.datasets[0]).toMatchObject({
      name: 'tiny',
      datasetId: id,
      period: { start: '2024-06-03', end: '2024-06-04' },
    });
    expect(parsed.datasets[0].symbols).toBeGreaterThan(495);
    expect(parsed.datasets[0].series).toContain('fundamentals');
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout).datasetId).toBe(id);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--data nosuch: no such folder, and no dataset named 'nosuch'");
  }, 120_000);

  it('hts features list --json parses, one entry per registered feature; --family filters', async () => {
    const [all, vol] = await Promise.all([
      htsAsync(['features', 'list', '--json']),
      htsAsync(['features', 'list', '--family', 'volatility', '--json']),
    ]);
    expect(all.code).toBe(0);
    const entries = JSON.parse(all.stdout).features as { name: string; family: string }[];
    expect(entries.map((e) => e.name)).toEqual(FEATURE_NAMES);
    expect(vol.code).toBe(0);
    const v = JSON.parse(vol.stdout).features as { family: string }[];
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((e) => e.family === 'volatility')).toBe(true);
  });
});

describe('cli: hts logs', () => {
  const root = join(tmp, 'logs-root');
  const line = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`;

  it("prints only the run's JSON lines, formatted, or raw with --json; exit 2 for a run with no lines", async () => {
    mkdirSync(join(root, 'logs'), { recursive: true });
    writeFileSync(
      join(root, 'logs', 'lambda.log'),
      line({ level: 'INFO', message: 'step start', runId: 'RUNA', stage: 'prepare', timestamp: 't1' }) +
        'a line that is not JSON\n' +
        line({ level: 'INFO', message: 'step end', runId: 'RUNB', stage: 'prepare', seconds: 2 }) +
        line({
          level: 'INFO',
          message: 'step end',
          runId: 'RUNA',
          stage: 'buildFeatures',
          item: '2024-07',
          seconds: 1.5,
        }),
    );
    const [text, json, none] = await Promise.all([
      htsAsync(['logs', 'RUNA', '--root', root]),
      htsAsync(['logs', 'RUNA', '--root', root, '--json']),
      htsAsync(['logs', 'RUNC', '--root', root]),
    ]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/buildFeatures {2}2024-07 {2}step end {2}1.5 s/);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).runId),
    ).toEqual(['RUNA', 'RUNA']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no log lines of run RUNC');
  });

  it('--follow prints lines appended after it started', async () => {
    const file = join(root, 'logs', 'lambda.log');
    const child = spawn(tsx, [cli, 'logs', 'RUNF', '--follow', '--root', root], { cwd: tmp });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    await new Promise((r) => setTimeout(r, 2500));
    appendFileSync(
      file,
      line({ level: 'INFO', message: 'step end', runId: 'RUNF', stage: 'finalize', seconds: 3 }),
    );
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('finalize') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    expect(stdout).toContain('finalize  step end  3 s');
  }, 30_000);
});
