/**
 * The state machine definition as data: extracted from the synthesised stack (deterministic placeholders),
 * pinned by a committed snapshot, checked state by state, localised for aws-local-stepfunctions and executed
 * there with stand-in handlers keyed by the step names (the way the local runtime runs it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Asl,
  extractStateMachineAsl,
  localFunctionArn,
  localizeDefinition,
  synthesizeBacktestAsl,
} from '../../cdk/asl.ts';
import { MAP_STATE_NAMES, TRANSIENT_ERRORS } from '../../cdk/state-machine.ts';
import { DataIntegrityError, UpstreamError } from '../../lib/core/errors.ts';
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/backtest-state-machine.asl.json', import.meta.url));

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

// aws-local-stepfunctions calls Promise.withResolvers (Node >= 22) in every Task.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

type State = Record<string, unknown> & { Type: string };

let synthesized: Asl | undefined;
/** One synthesis per file (~2 s); callers get a copy. */
const backtestAsl = (): Asl => {
  synthesized ??= synthesizeBacktestAsl();
  return structuredClone(synthesized);
};

/** Every state, nested ones included, with whether it sits inside a Map's item processor. */
function allStates(asl: Asl, nested = false): { name: string; state: State; nested: boolean }[] {
  const out: { name: string; state: State; nested: boolean }[] = [];
  for (const [name, state] of Object.entries(asl.States as Record<string, State>)) {
    out.push({ name, state, nested });
    if (state.ItemProcessor) out.push(...allStates(state.ItemProcessor as Asl, true));
  }
  return out;
}

describe('cdk/asl: extractStateMachineAsl / synthesizeBacktestAsl', () => {
  let asl: Asl;
  beforeAll(() => {
    asl = backtestAsl();
  }, 60_000);

  it('resolves every intrinsic to a placeholder and names step functions by their step', () => {
    const text = JSON.stringify(asl);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    const tasks = allStates(asl).filter((s) => s.state.Type === 'Task');
    expect(tasks.map((t) => t.name).sort()).toEqual(Object.values(STEP_NAMES).sort());
    for (const t of tasks) expect(t.state.Resource).toBe(localFunctionArn(t.name));
  });

  it('equals the committed snapshot (HTS_UPDATE_SNAPSHOTS=1 rewrites it)', () => {
    // compared as data, not text, so the formatter may lay the committed file out as it likes
    if (process.env.HTS_UPDATE_SNAPSHOTS === '1')
      writeFileSync(SNAPSHOT, `${JSON.stringify(asl, null, 2)}\n`);
    expect(existsSync(SNAPSHOT), `${SNAPSHOT} is missing: run with HTS_UPDATE_SNAPSHOTS=1`).toBe(true);
    expect(asl).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });

  it('is deterministic', () => {
    expect(synthesizeBacktestAsl()).toEqual(asl);
  });

  it('chains Prepare → three Distributed Maps → the Simulate loop → Finalize → Succeeded', () => {
    const states = asl.States as Record<string, State>;
    expect(asl.StartAt).toBe(STEP_NAMES.prepare);
    expect(states.Prepare?.Next).toBe(MAP_STATE_NAMES.buildFeatures);
    expect(states[MAP_STATE_NAMES.buildFeatures]?.Next).toBe(MAP_STATE_NAMES.trainScore);
    expect(states[MAP_STATE_NAMES.trainScore]?.Next).toBe(MAP_STATE_NAMES.optimize);
    expect(states[MAP_STATE_NAMES.optimize]?.Next).toBe('ChunksLeft');
    expect(states.ChunksLeft).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.chunk', NumericLessThanPath: '$.nChunks', Next: 'SimulateChunk' }],
      Default: 'Finalize',
    });
    expect(states.SimulateChunk?.Next).toBe('ChunksLeft');
    expect(states.SimulateChunk?.Parameters).toEqual({
      'tenantId.$': '$.tenantId',
      'runId.$': '$.runId',
      'chunk.$': '$.chunk',
    });
    expect(states.Finalize?.Next).toBe('Succeeded');
    expect(states.MarkFailed).toMatchObject({ ResultPath: null, Next: 'Failed' });
    expect(states.Failed).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('fans out with Distributed Maps reading Prepare’s item lists from S3, tolerating no failure', () => {
    const maps = allStates(asl).filter((s) => s.state.Type === 'Map');
    expect(maps.map((m) => m.name).sort()).toEqual(Object.values(MAP_STATE_NAMES).sort());
    const lists = { BuildFeaturesMap: 'featureMonths', TrainScoreMap: 'folds', OptimizeMap: 'testMonths' };
    for (const { name, state } of maps) {
      expect(state.ToleratedFailurePercentage).toBe(0);
      expect(state.ResultPath).toBeNull();
      expect(state.MaxConcurrency).toBeGreaterThan(0);
      expect(state.ItemProcessor).toMatchObject({
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      });
      expect(state.ItemReader).toMatchObject({
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': `$.itemKeys.${lists[name as keyof typeof lists]}` },
      });
      // an item returns only its own small input: the Map's result stays far below 256 KB
      const inner = Object.values((state.ItemProcessor as Asl).States as Record<string, State>);
      expect(inner).toHaveLength(1);
      expect(inner[0]?.ResultPath).toBeNull();
    }
  });

  it('gives every Task a timeout and retries only transient errors, with backoff and full jitter', () => {
    for (const { name, state } of allStates(asl).filter((s) => s.state.Type === 'Task')) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(state.TimeoutSeconds, name).toBeLessThanOrEqual(930);
      const retry = state.Retry as Record<string, unknown>[];
      expect(retry, name).toHaveLength(1);
      expect(retry[0]?.ErrorEquals).toEqual([...TRANSIENT_ERRORS]);
      expect(retry[0]).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
      expect(retry[0]?.MaxAttempts).toBeGreaterThanOrEqual(3);
      expect(retry[0]?.MaxAttempts).toBeLessThanOrEqual(6);
    }
  });

  it('catches every error of every top-level Task and Map into MarkFailed, keeping the input', () => {
    const catching = allStates(asl).filter(
      (s) =>
        !s.nested && (s.state.Type === 'Task' || s.state.Type === 'Map') && s.name !== STEP_NAMES.markFailed,
    );
    expect(catching.map((c) => c.name)).toEqual([
      'Prepare',
      'BuildFeaturesMap',
      'TrainScoreMap',
      'OptimizeMap',
      'SimulateChunk',
      'Finalize',
    ]);
    for (const { name, state } of catching) {
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' },
      ]);
    }
  });
});

describe('cdk/asl: extractStateMachineAsl on hand-written templates', () => {
  it('refuses a template without exactly one state machine, and unknown intrinsics', () => {
    expect(() => extractStateMachineAsl({ Resources: {} })).toThrow(/found 0/);
    const withSub = {
      Resources: {
        M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Sub': 'x' } } },
      },
    };
    expect(() => extractStateMachineAsl(withSub)).toThrow(/unsupported intrinsic Fn::Sub/);
  });
});

describe('cdk/asl: localizeDefinition', () => {
  let asl: Asl;
  beforeAll(() => {
    asl = backtestAsl();
  }, 60_000);

  it('replaces each ItemReader by the ItemsPath of the inline list and changes nothing else', () => {
    const before = structuredClone(asl);
    const local = localizeDefinition(asl);
    expect(asl).toEqual(before); // pure
    const expected = structuredClone(asl) as { States: Record<string, State> };
    for (const [name, list] of [
      ['BuildFeaturesMap', 'featureMonths'],
      ['TrainScoreMap', 'folds'],
      ['OptimizeMap', 'testMonths'],
    ] as const) {
      const map = expected.States[name]!;
      delete map.ItemReader;
      map.ItemsPath = `$.${list}`;
    }
    expect(local).toEqual(expected);
    expect(JSON.stringify(local)).not.toContain('ItemReader');
  });

  it('can set the Maps’ concurrency for a local worker pool', () => {
    const local = localizeDefinition(asl, { maxConcurrency: 2 });
    const maps = allStates(local).filter((s) => s.state.Type === 'Map');
    expect(maps.map((m) => m.state.MaxConcurrency)).toEqual([2, 2, 2]);
  });

  it('refuses an ItemReader that does not read $.itemKeys.<list>', () => {
    const odd = structuredClone(asl) as { States: Record<string, State> };
    (odd.States.TrainScoreMap!.ItemReader as { Parameters: Record<string, unknown> }).Parameters = {
      Bucket: 'b',
      Key: 'fixed.json',
    };
    expect(() => localizeDefinition(odd)).toThrow(/TrainScoreMap/);
  });
});

describe('cdk/asl: the localised definition on aws-local-stepfunctions', () => {
  let local: Asl;
  beforeAll(() => {
    local = localizeDefinition(backtestAsl());
  }, 60_000);

  const ref = { tenantId: 'tenant-a', runId: 'run-1' };
  const prepareOutput = {
    ...ref,
    itemKeys: { featureMonths: 'k1', folds: 'k2', testMonths: 'k3' },
    featureMonths: ['2023-04', '2023-05', '2023-06'].map((month) => ({ ...ref, month })),
    folds: [0, 1].map((fold) => ({ ...ref, fold })),
    testMonths: ['2023-06'].map((month) => ({ ...ref, month })),
    nChunks: 2,
    chunk: 0,
  };

  /** Stand-in handlers that record their calls; `fail` lets a test make one step throw. */
  function handlers(
    fail: (step: string, input: Record<string, unknown>) => Error | undefined = () => undefined,
  ) {
    const calls: [string, Record<string, unknown>][] = [];
    const h =
      (step: string, out: (input: Record<string, unknown>) => unknown) =>
      async (input: Record<string, unknown>) => {
        calls.push([step, input]);
        const error = fail(step, input);
        if (error) throw error;
        return out(input);
      };
    const chunkOut = (i: Record<string, unknown>) => {
      const chunk = (i.chunk as number) + 1;
      return { ...ref, chunk, nChunks: 2, done: chunk >= 2 };
    };
    return {
      calls,
      taskResourceLocalHandlers: {
        Prepare: h('Prepare', () => prepareOutput),
        BuildFeatures: h('BuildFeatures', (i) => ({ key: `features/${i.month}` })),
        TrainScore: h('TrainScore', () => ({ modelKey: 'm', scoreKeys: [] })),
        Optimize: h('Optimize', () => ({ key: 't' })),
        SimulateChunk: h('SimulateChunk', chunkOut),
        Finalize: h('Finalize', () => ({ ...ref, manifestKey: 'manifest.json', artifacts: 3 })),
        MarkFailed: h('MarkFailed', () => ({ ...ref, status: 'FAILED' })),
      },
    };
  }

  const run = (h: ReturnType<typeof handlers>) =>
    new StateMachine(local as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    }).run(ref, {
      overrides: {
        taskResourceLocalHandlers: h.taskResourceLocalHandlers as unknown as LocalHandlers,
        retryIntervalOverrides: { BuildFeatures: 0, TrainScore: 0, Optimize: 0, SimulateChunk: 0 },
      },
    }).result;

  it('runs every step in order with small, strict inputs', async () => {
    const h = handlers();
    const out = await run(h);
    expect(out).toEqual({ ...ref, manifestKey: 'manifest.json', artifacts: 3 });
    const order = h.calls.map(([s]) => s);
    expect(order[0]).toBe('Prepare');
    expect(order.filter((s) => s === 'BuildFeatures')).toHaveLength(3);
    expect(order.filter((s) => s === 'TrainScore')).toHaveLength(2);
    expect(order.slice(6)).toEqual(['Optimize', 'SimulateChunk', 'SimulateChunk', 'Finalize']);
    expect(h.calls[0]![1]).toEqual(ref);
    expect(h.calls.find(([s]) => s === 'TrainScore')![1]).toEqual({ ...ref, fold: 0 });
    expect(h.calls.filter(([s]) => s === 'SimulateChunk').map(([, i]) => i)).toEqual([
      { ...ref, chunk: 0 },
      { ...ref, chunk: 1 },
    ]);
    expect(h.calls.at(-1)![1]).toEqual(ref);
  });

  it('retries an UpstreamError inside a Map item, then carries on', async () => {
    let failures = 0;
    const h = handlers((step, input) =>
      step === 'BuildFeatures' && input.month === '2023-05' && failures++ < 2
        ? new UpstreamError('S3 GetObject failed transiently (SlowDown, HTTP 503)')
        : undefined,
    );
    await expect(run(h)).resolves.toMatchObject({ manifestKey: 'manifest.json' });
    expect(h.calls.filter(([s, i]) => s === 'BuildFeatures' && i.month === '2023-05')).toHaveLength(3);
    expect(h.calls.some(([s]) => s === 'MarkFailed')).toBe(false);
  });

  it('does not retry a data error: MarkFailed gets its name and cause, the execution fails with it', async () => {
    const h = handlers((step, input) =>
      step === 'SimulateChunk' && input.chunk === 1
        ? new DataIntegrityError('Simulate 2023-06: bars do not cover the chunk', { dataset: 'x', rule: 'r' })
        : undefined,
    );
    await expect(run(h)).rejects.toThrow();
    expect(h.calls.filter(([s]) => s === 'SimulateChunk')).toHaveLength(2);
    const marked = h.calls.filter(([s]) => s === 'MarkFailed');
    expect(marked).toHaveLength(1);
    const input = marked[0]![1] as {
      tenantId: string;
      runId: string;
      error: { Error: string; Cause: string };
    };
    expect(Object.keys(input).sort()).toEqual(['error', 'runId', 'tenantId']);
    expect(input.error.Error).toBe('DataIntegrityError');
    expect(input.error.Cause).toContain('bars do not cover');
    expect(h.calls.some(([s]) => s === 'Finalize')).toBe(false);
  });

  it('marks the run failed when a Map item fails (no tolerated failures)', async () => {
    const h = handlers((step) => (step === 'TrainScore' ? new Error('boom') : undefined));
    await expect(run(h)).rejects.toThrow();
    expect(h.calls.filter(([s]) => s === 'MarkFailed')).toHaveLength(1);
    expect(h.calls.some(([s]) => s === 'Optimize')).toBe(false);
  });
});
