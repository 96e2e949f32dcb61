/**
 * manifest.json of a run's artifacts: the name, size and sha256 of every artifact, the spec hash, the dataset id
 * and the code version. Written last, it is the commit marker of Finalize. One zod schema (what readers such as
 * the API validate a stored manifest against) and its inferred type (what the writer builds).
 */
import { z } from 'zod';
import { sha256Hex } from '../core/index.ts';
import { type Artifact, type ArtifactInput, jsonArtifact } from './artifact.ts';

export const ARTIFACT_SCHEMA_VERSION = 1;
export const MANIFEST_ARTIFACT_NAME = 'manifest.json';

/** Artifact names a manifest may list (`equity_curve.parquet`, `metrics.json`, `report.html`, ...). */
export const ARTIFACT_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}\.(parquet|csv|json|html)$/;

export const ArtifactManifestEntry = z
  .object({
    name: z.string().regex(ARTIFACT_NAME_PATTERN),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type ArtifactManifestEntry = z.infer<typeof ArtifactManifestEntry>;

export const ArtifactManifest = z
  .object({
    schemaVersion: z.number().int().min(1),
    specHash: z.string().min(1).max(256),
    datasetId: z.string().min(1).max(256),
    codeVersion: z.string().min(1).max(256),
    artifacts: z.array(ArtifactManifestEntry).max(64),
  })
  .strict();
export type ArtifactManifest = z.infer<typeof ArtifactManifest>;

/** manifest.json of a set of artifacts (listed in the given order). */
export function artifactManifest(
  input: Pick<ArtifactInput, 'specHash' | 'datasetId' | 'codeVersion'>,
  artifacts: readonly Artifact[],
): ArtifactManifest {
  return {
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    specHash: input.specHash,
    datasetId: input.datasetId,
    codeVersion: input.codeVersion,
    artifacts: artifacts.map((a) => ({ name: a.name, bytes: a.bytes.length, sha256: sha256Hex(a.bytes) })),
  };
}

/** The manifest as its artifact (`manifest.json`, pretty-printed JSON). */
export const manifestArtifact = (manifest: ArtifactManifest): Artifact =>
  jsonArtifact(MANIFEST_ARTIFACT_NAME, manifest);
