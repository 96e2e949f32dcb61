/**
 * `hts audit lookahead --spec FILE --at T [--data DIR] [--json]`: the future-perturbation test on a spec's
 * features (`lib/lookahead`). The spec's features are computed over its period (with their look-back warm-up) on
 * the dataset, then again after every bar after the cut bar T and every point-in-time row known after
 * decision_time(T) has been garbled; every feature value at or before T must be identical, bit for bit. Exit 0
 * when they are, 1 on any difference (the first ones are listed), 2 for bad input.
 *
 * `--at` is an ISO-8601 time with an offset or `Z` (the cut is the last bar closing at or before it), a date
 * (the last bar of that session) or epoch milliseconds. Labels look forward by design and are not audited.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DiskObjectStore } from '../../../lib/adapters/disk-object-store.ts';
import { parseBacktestSpec } from '../../../lib/backtest/spec.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { DatasetReader } from '../../../lib/data/dataset.ts';
import { loadFeatureInputs, warmupStartDate } from '../../../lib/features/build.ts';
import { computeFeatures } from '../../../lib/features/compute-features.ts';
import type { FeatureInputs } from '../../../lib/features/context.ts';
import { warmupBarsFor } from '../../../lib/features/registry.ts';
import { auditLookahead } from '../../../lib/lookahead/perturb.ts';
import { resolveFeatureNames } from '../../../lib/pipeline/feature-set.ts';
import { readDatasetManifest } from '../../stack/publish-dataset.ts';
import { flagString, type ParsedArgs, requireFlag, resolveDataFlag } from '../args.ts';
import { int, table } from '../output.ts';
import { readSpecFile } from './backtest.ts';

/** The cut bar of `at` on `closeMs` (see the module comment); -1 when it is before the first bar. */
export function cutBarOf(at: string, closeMs: Float64Array, sessionDate: (bar: number) => string): number {
  let cutMs: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) {
    let last = -1;
    for (let t = 0; t < closeMs.length; t++) if (sessionDate(t) <= at) last = t;
    return last;
  }
  if (/^\d{10,}$/.test(at)) cutMs = Number(at);
  else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(at)) cutMs = Date.parse(at);
  else cutMs = Number.NaN;
  if (!Number.isFinite(cutMs)) {
    throw new InvalidInputError(
      `--at must be an ISO-8601 time with an offset (2024-03-04T15:30:00-05:00), a date or epoch ms, received '${at}'`,
      { field: 'at' },
    );
  }
  let last = -1;
  for (let t = 0; t < closeMs.length; t++) if (closeMs[t]! <= cutMs) last = t;
  return last;
}

export async function auditCommand(args: ParsedArgs, json: boolean, root: string): Promise<number> {
  const what = args.positionals[1];
  if (what !== 'lookahead') {
    throw new InvalidInputError(`unknown command 'audit ${what ?? ''}', expected 'audit lookahead'`, {
      field: 'command',
    });
  }
  const specFile = resolve(requireFlag(args, 'spec'));
  const at = requireFlag(args, 'at');
  const raw = readSpecFile(specFile);
  const spec = parseBacktestSpec(raw);
  const dataFlag = flagString(args, 'data');
  const dir =
    dataFlag !== undefined
      ? resolveDataFlag(dataFlag, root, existsSync)
      : 'name' in spec.dataset
        ? join(root, 'datasets', spec.dataset.name)
        : undefined;
  if (dir === undefined) {
    throw new InvalidInputError('the spec names its dataset by id: pass the dataset folder with --data DIR', {
      field: 'data',
    });
  }
  const manifest = await readDatasetManifest(dir);
  const reader = await DatasetReader.open(new DiskObjectStore(dir));
  const features = resolveFeatureNames(spec.features);
  const warm = warmupStartDate(spec.period.start, warmupBarsFor(features));
  const start = warm < manifest.period.start ? manifest.period.start : warm;
  const end = spec.period.end > manifest.period.end ? manifest.period.end : spec.period.end;
  const inputs = await loadFeatureInputs(reader, start, end, spec.decisionLagMs);
  const grid = inputs.grid;
  const cut = cutBarOf(at, grid.closeMs, (t) => grid.sessions[grid.sessionOfBar[t]!]!.date);
  const firstRunBar = grid.sessions.findIndex((s) => s.date >= spec.period.start);
  const firstBar = firstRunBar < 0 ? grid.nT : grid.sessionOfBar.indexOf(firstRunBar);
  if (cut < firstBar || cut >= grid.nT - 1) {
    throw new InvalidInputError(
      `--at ${at} must fall inside the spec's period ${spec.period.start} → ${spec.period.end} on the dataset, before its last bar`,
      { field: 'at' },
    );
  }
  const compute = (x: FeatureInputs) => {
    const r = computeFeatures(x, { features });
    return Object.fromEntries(r.names.map((n, k) => [n, r.values[k]!]));
  };
  const t0 = performance.now();
  const audit = auditLookahead(inputs, compute, cut, { seed: spec.seed });
  const seconds = (performance.now() - t0) / 1000;
  const cutMs = grid.closeMs[cut]!;
  const decisionMs = cutMs + spec.decisionLagMs;
  let pitRows = 0;
  let pitGarbled = 0;
  for (const table of Object.values(inputs.series)) {
    if (table === undefined) continue;
    pitRows += table.n;
    for (let i = 0; i < table.n; i++) if (table.knownTime[i]! > decisionMs) pitGarbled++;
  }
  const cellsCompared = audit.compared * (cut + 1) * inputs.nA;
  const differences = audit.differences.slice(0, 20).map((d) => ({
    feature: d.output,
    bar: d.bar,
    time: d.bar >= 0 ? new Date(grid.closeMs[d.bar]!).toISOString() : null,
    symbol: d.asset >= 0 ? (inputs.symbols[d.asset] ?? null) : null,
    original: Number.isNaN(d.original) ? 'NaN' : d.original,
    perturbed: Number.isNaN(d.perturbed) ? 'NaN' : d.perturbed,
  }));
  const result = {
    ok: audit.ok,
    spec: specFile,
    dataset: dir,
    cutBar: cut,
    cutTime: new Date(cutMs).toISOString(),
    decisionTime: new Date(decisionMs).toISOString(),
    bars: grid.nT,
    barsPerturbed: grid.nT - cut - 1,
    pitRows,
    pitRowsPerturbed: pitGarbled,
    features: audit.compared,
    symbols: inputs.nA,
    cellsCompared,
    differences,
    seconds: Number(seconds.toFixed(3)),
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `${table([
        ['spec', specFile],
        ['dataset', dir],
        ['cut', `bar ${cut} of ${grid.nT}, closing ${result.cutTime} (decision time ${result.decisionTime})`],
        [
          'perturbed',
          `${int(result.barsPerturbed)} bars after the cut (prices, volumes, membership; holes and invented bars), ${int(pitGarbled)} of ${int(pitRows)} point-in-time rows known after the decision time`,
        ],
        [
          'compared',
          `${audit.compared} features × ${inputs.nA} symbols × ${cut + 1} bars = ${int(cellsCompared)} values, bit for bit`,
        ],
        ['result', audit.ok ? 'identical: no look-ahead' : `${audit.differences.length} feature(s) differ`],
      ])}\n`,
    );
    for (const d of differences) {
      process.stdout.write(
        `  ${d.feature} at ${d.time ?? '?'} ${d.symbol ?? '?'}: ${d.original} before, ${d.perturbed} after perturbing the future\n`,
      );
    }
  }
  return audit.ok ? 0 : 1;
}
