/** SimulateChunk (the Simulate loop's Task): `{ tenantId, runId, chunk }` → `{ …, chunk: next, nChunks, done }`. */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { simulateChunkStep } from '../../lib/pipeline/steps/simulate-chunk.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { ChunkItemInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createSimulateChunkHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.simulateChunk, ChunkItemInput, deps, simulateChunkStep);

export const handler = createSimulateChunkHandler(workflowDeps());
