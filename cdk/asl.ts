/**
 * The state machine's Amazon States Language as data, for the local runtime and the tests:
 * - `synthesizeBacktestAsl()` synthesises the stacks in process (bundling skipped) and returns the ASL;
 * - `extractStateMachineAsl(template)` pulls it out of a synthesised template, resolving the intrinsics in its
 *   `DefinitionString` to deterministic placeholders (a step's Lambda ARN becomes
 *   `arn:aws:lambda:local:000000000000:function:<StepName>`);
 * - `localizeDefinition(asl)` rewrites it for aws-local-stepfunctions, which ignores `ItemReader`: each
 *   Distributed Map reads its items from the inline list Prepare also returns (`ItemsPath`).
 */
import { App, type Stack } from 'aws-cdk-lib';
import { STEP_NAMES } from '../lib/pipeline/step-names.ts';
import { buildStacks } from './stacks.ts';
import { STEP_TAG } from './stateless-stack.ts';

/** An ASL document (JSON). */
export type Asl = Record<string, unknown>;

export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';
/** The placeholder ARN of a step's function in the extracted ASL. */
export const localFunctionArn = (name: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

const tagValue = (resource: CfnResource, key: string): string | undefined => {
  const tags = resource.Properties?.Tags;
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t: { Key?: unknown }) => t.Key === key) as { Value?: unknown } | undefined;
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
};

/** Resolves `Ref`, `Fn::GetAtt`, `Fn::ImportValue` and `Fn::Join` to strings; anything else is an error. */
function resolveIntrinsic(value: unknown, resources: Readonly<Record<string, CfnResource>>): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`cannot resolve ${JSON.stringify(value)} in the state machine definition`);
  }
  const [fn, arg] = Object.entries(value)[0] ?? [];
  const lambdaName = (logicalId: string): string | undefined => {
    const r = resources[logicalId];
    return r?.Type === 'AWS::Lambda::Function' ? (tagValue(r, STEP_TAG) ?? logicalId) : undefined;
  };
  switch (fn) {
    case 'Ref': {
      const name = String(arg);
      if (PSEUDO[name] !== undefined) return PSEUDO[name];
      const lambda = lambdaName(name);
      return lambda ?? `local-${name}`;
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
      const lambda = lambdaName(logicalId);
      if (lambda !== undefined && attribute === 'Arn') return localFunctionArn(lambda);
      return `local-${logicalId}-${attribute}`;
    }
    case 'Fn::ImportValue':
      return `local-import-${resolveIntrinsic(arg, resources).replace(/[^A-Za-z0-9-]/g, '-')}`;
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => resolveIntrinsic(p, resources)).join(sep);
    }
    default:
      throw new Error(`unsupported intrinsic ${fn} in the state machine definition`);
  }
}

/**
 * The ASL of the (single) `AWS::StepFunctions::StateMachine` in a synthesised template, with every intrinsic in
 * its `DefinitionString` resolved to a deterministic placeholder (see the module comment).
 */
export function extractStateMachineAsl(template: object): Asl {
  const resources = (template as CfnTemplate).Resources ?? {};
  const machines = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) {
    throw new Error(
      `expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`,
    );
  }
  const definition = machines[0]!.Properties?.DefinitionString;
  return JSON.parse(resolveIntrinsic(definition, resources)) as Asl;
}

type States = Record<string, Record<string, unknown>>;

const forEachState = (asl: Asl, visit: (name: string, state: Record<string, unknown>) => void): void => {
  for (const [name, state] of Object.entries((asl.States ?? {}) as States)) {
    visit(name, state);
    const processor = (state.ItemProcessor ?? state.Iterator) as Asl | undefined;
    if (processor) forEachState(processor, visit);
    for (const branch of (state.Branches ?? []) as Asl[]) forEachState(branch, visit);
  }
};

export interface LocalizeOptions {
  /** Replaces every Map's `MaxConcurrency` (e.g. the size of the local worker pool). */
  readonly maxConcurrency?: number;
}

/**
 * The definition the local runtime (aws-local-stepfunctions) runs: every Map whose `ItemReader` reads the JSON
 * list at `$.itemKeys.<list>` gets `ItemsPath: $.<list>` (Prepare returns each list inline as well) and loses
 * the `ItemReader`. Nothing else changes (the runtime ignores ToleratedFailurePercentage and ProcessorConfig;
 * they stay for fidelity). Pure: `asl` is not modified.
 */
export function localizeDefinition(asl: Asl, options: LocalizeOptions = {}): Asl {
  const out = structuredClone(asl);
  forEachState(out, (name, state) => {
    if (state.Type !== 'Map') return;
    if (options.maxConcurrency !== undefined) state.MaxConcurrency = options.maxConcurrency;
    const reader = state.ItemReader as { Parameters?: Record<string, unknown> } | undefined;
    if (reader === undefined) return;
    const keyPath = reader.Parameters?.['Key.$'];
    const match = typeof keyPath === 'string' ? /^\$\.itemKeys\.([A-Za-z][A-Za-z0-9]*)$/.exec(keyPath) : null;
    if (!match) {
      throw new Error(
        `Map ${name}: expected an ItemReader reading the key at $.itemKeys.<list>, received ${JSON.stringify(keyPath)}`,
      );
    }
    if (state.ItemsPath !== undefined) throw new Error(`Map ${name} has both ItemReader and ItemsPath`);
    delete state.ItemReader;
    state.ItemsPath = `$.${match[1]}`;
  });
  return out;
}

/** Context that skips asset bundling in every stack (synthesis needs no esbuild run and takes ~1 s). */
export const SKIP_BUNDLING_CONTEXT = { 'aws:cdk:bundling-stacks': [] } as const;

/** The synthesised template of `stack` (its app is synthesised). */
export function templateOf(stack: Stack): object {
  const assembly = (stack.node.root as App).synth();
  return assembly.getStackArtifact(stack.artifactId).template as object;
}

/**
 * Synthesises the stateless stack in process with bundling skipped and returns its state machine's ASL (with
 * placeholder ARNs; see `extractStateMachineAsl`). The definition does not depend on the JWT settings or the
 * code version, so fixed placeholders are used for them.
 */
export function synthesizeBacktestAsl(): Asl {
  const app = new App({ context: SKIP_BUNDLING_CONTEXT });
  const { stateless } = buildStacks(app, {
    jwtIssuer: 'https://issuer.invalid',
    jwtAudience: ['hts-local'],
    codeVersion: 'local',
  });
  return extractStateMachineAsl(templateOf(stateless));
}

/** The Task state names the local runtime needs a handler for (the step names of lib/pipeline). */
export const TASK_STATE_NAMES: readonly string[] = Object.values(STEP_NAMES);
