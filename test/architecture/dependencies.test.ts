import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, checkDependencies, type ImportGraph, readImportGraph } from './dependency-rules.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('architecture: dependency rules between the folders of lib/', () => {
  const graph = readImportGraph(ROOT, ['lib', 'cdk']);

  it('reads the real tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('lib/core/errors.ts')).toBeDefined();
  });

  it('has no violation in the tree', () => {
    expect(checkDependencies(graph).map((v) => `${v.file}: ${v.specifier} (${v.rule})`)).toEqual([]);
  });

  it('lists every lib folder in the rules', () => {
    const modules = new Set(
      [...graph.keys()].filter((f) => f.startsWith('lib/')).map((f) => f.split('/')[1]!),
    );
    expect([...modules].filter((m) => ALLOWED[m] === undefined)).toEqual([]);
  });

  it('has no cycle between modules (the rules form a DAG)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const visit = (m: string): void => {
      if (state.get(m) === 'done') return;
      expect(state.get(m), `cycle through lib/${m}`).not.toBe('open');
      state.set(m, 'open');
      for (const d of ALLOWED[m] ?? []) visit(d);
      state.set(m, 'done');
    };
    for (const m of Object.keys(ALLOWED)) visit(m);
    expect(Object.values(ALLOWED).some((deps) => deps.includes('api'))).toBe(false);
  });

  /** The violations of one planted file, on top of the real tree. */
  const plant = (file: string, spec: string) =>
    checkDependencies(new Map([...graph, [file, [spec]]]) as ImportGraph).filter((v) => v.file === file);

  it('fails when an upward import is added', () => {
    expect(plant('lib/core/upward.ts', '../data/index.ts')).toEqual([
      { file: 'lib/core/upward.ts', specifier: '../data/index.ts', rule: 'lib/core may not import lib/data' },
    ]);
    expect(plant('lib/pipeline/x.ts', '../api/index.ts')[0]?.rule).toBe(
      'lib/pipeline may not import lib/api',
    );
    expect(plant('lib/data/x.ts', '../runs/keys.ts')[0]?.rule).toBe('lib/data may not import lib/runs');
  });

  it('fails when a sibling bypasses a module’s index.ts, or lib imports an AWS SDK or node:fs', () => {
    expect(plant('lib/features/x.ts', '../data/parquet.ts')[0]?.rule).toBe(
      'lib/features imports lib/data through its index.ts',
    );
    expect(plant('lib/runs/x.ts', '@aws-sdk/client-s3')[0]?.rule).toMatch(/only lib\/adapters/);
    expect(plant('lib/adapters/x.ts', '@aws-sdk/client-s3')).toEqual([]);
    expect(plant('lib/core/x.ts', 'node:fs')[0]?.rule).toMatch(/only lib\/adapters/);
  });

  it('lets cdk/ read only the plain-data tables of lib', () => {
    expect(plant('cdk/x.ts', '../lib/api/routes.ts')).toEqual([]);
    expect(plant('cdk/x.ts', '../lib/api/backtests.ts')[0]?.rule).toMatch(/plain|only/);
  });
});
