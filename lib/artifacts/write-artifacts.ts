/**
 * A run's artifacts from the simulation's outputs: the tables (tables.ts), `metrics.json` and
 * `portfolio_diagnostics.json`, built in a fixed order, written write-once with `manifest.json` last. Same inputs ⇒
 * same bytes: nothing here reads a clock.
 */
import { InvalidInputError } from '../core/index.ts';
import type { ObjectStore } from '../data/index.ts';
import { type Artifact, type ArtifactInput, jsonArtifact } from './artifact.ts';
import { type ArtifactManifest, artifactManifest, manifestArtifact } from './manifest.ts';
import { portfolioDiagnostics, portfolioDiagnosticsArtifact } from './portfolio-diagnostics.ts';
import { runMetrics } from './run-metrics.ts';
import {
  equityCurveTable,
  fillsTable,
  monthlyReturnsTable,
  riskHistoryTable,
  targetsTable,
  weightsTable,
} from './tables.ts';

/** Every artifact but the manifest, in a fixed order. */
export function buildArtifacts(input: ArtifactInput): Artifact[] {
  if (input.outputs.bars.n === 0) {
    throw new InvalidInputError('outputs have no bars: nothing to report', { field: 'outputs' });
  }
  return [
    ...equityCurveTable(input),
    ...fillsTable(input),
    ...weightsTable(input),
    ...riskHistoryTable(input),
    ...monthlyReturnsTable(input),
    ...targetsTable(input),
    jsonArtifact('metrics.json', runMetrics(input)),
    portfolioDiagnosticsArtifact(portfolioDiagnostics(input)),
  ];
}

/**
 * Writes artifacts write-once (`putOnce`) under `prefix` (e.g. `tenants/{t}/runs/{r}/artifacts/`) in the given
 * order, then `manifest.json` listing them. A retry that writes the same bytes is a no-op; different bytes fail
 * with `NonDeterminismError`. Returns the manifest.
 */
export async function putArtifacts(
  store: ObjectStore,
  prefix: string,
  input: Pick<ArtifactInput, 'specHash' | 'datasetId' | 'codeVersion'>,
  artifacts: readonly Artifact[],
): Promise<ArtifactManifest> {
  for (const a of artifacts) await store.putOnce(prefix + a.name, a.bytes, { contentType: a.contentType });
  const manifest = artifactManifest(input, artifacts);
  const m = manifestArtifact(manifest);
  await store.putOnce(prefix + m.name, m.bytes, { contentType: m.contentType });
  return manifest;
}

/** Builds the artifacts (`buildArtifacts`) and writes them with `putArtifacts`. Returns the manifest. */
export async function writeArtifacts(
  store: ObjectStore,
  prefix: string,
  input: ArtifactInput,
): Promise<ArtifactManifest> {
  return putArtifacts(store, prefix, input, buildArtifacts(input));
}
