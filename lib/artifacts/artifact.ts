/** What a run's artifacts are built from, and one built artifact (name, bytes, content type). */
import type { SimOutputs } from '../backtest/index.ts';
import type { BarGrid } from '../core/index.ts';

export interface ArtifactInput {
  /**
   * The whole run's outputs (chunks concatenated), bars 0..nT−1 of `grid` in order: record bar indices index
   * `grid` (a fill's time is `grid.openMs[bar]`, a delisting's `grid.closeMs[bar]`).
   */
  readonly outputs: SimOutputs;
  readonly grid: BarGrid;
  readonly symbols: readonly string[];
  readonly capital: number;
  readonly specHash: string;
  readonly datasetId: string;
  /** The code version that produced the run (e.g. a git commit), passed in by the caller. */
  readonly codeVersion: string;
}

export interface Artifact {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

const utf8 = new TextEncoder();

/** A JSON artifact: `value` pretty-printed (2 spaces) with a final newline. */
export function jsonArtifact(name: string, value: unknown): Artifact {
  return { name, bytes: utf8.encode(`${JSON.stringify(value, null, 2)}\n`), contentType: 'application/json' };
}
