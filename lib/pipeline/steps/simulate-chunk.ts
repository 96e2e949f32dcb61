import {
  delistingEventsKnownAt,
  delistingsActedOn,
  hourChunk,
  initialSimState,
  parseSimState,
  simulateChunk,
  splitEventsForRows,
} from '../../backtest/index.ts';
import { buildBarGrid, DataIntegrityError } from '../../core/index.ts';
import { getJson, loadBarPanels, putJsonOnce } from '../../data/index.ts';
import { encodeRecords } from '../codecs/sim-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { monthGrid, monthRange } from '../month-grid.ts';
import { loadRun } from '../run-io.ts';
import { readMonthInputs } from './optimize.ts';

export interface SimulateOutput extends RunRef {
  readonly chunk: number;
  readonly nChunks: number;
  readonly done: boolean;
}

/**
 * Simulate (a loop over chunks, one calendar month each): reads the state saved by chunk i−1, runs the hour loop
 * over the month's bars, deciding each hour from the held book with the month's decision inputs (written by
 * Optimize), saves state i and the chunk's records (write-once). Only the month's bars are read (nothing after its
 * last hour); delistings come from the `corporate_actions` rows known at each hour. A retried chunk produces the
 * same bytes; a chunked run equals an unchunked one (the engine's property).
 */
export async function simulateChunkStep(
  ctx: WorkflowContext,
  item: RunRef & { chunk: number },
): Promise<SimulateOutput> {
  const { spec, plan, keys, reader } = await loadRun(ctx, item);
  const chunk = plan.chunks[item.chunk];
  if (!chunk) {
    throw new DataIntegrityError(
      `Simulate: chunk ${item.chunk} is not in the plan (0..${plan.chunks.length - 1})`,
      {
        dataset: 'plan.json',
        rule: 'plan_chunk',
      },
    );
  }
  const state =
    item.chunk === 0
      ? initialSimState(spec.capital)
      : await getJson(ctx.store, keys.simState(item.chunk - 1), parseSimState);
  const range = monthRange(chunk.month, plan.period);
  const grid = monthGrid(chunk.month, plan.period);
  const bars = await loadBarPanels(reader, range.start, range.end);
  const { symbols } = bars;
  const nT = grid.nT;
  if (nT !== chunk.endBar - chunk.startBar || bars.nT !== nT || bars.grid.closeMs[0] !== grid.closeMs[0]) {
    throw new DataIntegrityError(`Simulate ${chunk.month}: bars do not cover the chunk's ${nT} bars`, {
      dataset: plan.datasetId,
      rule: 'month_coverage',
    });
  }
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  const splits = splitEventsForRows(actions, grid, 0, nT, chunk.startBar);
  // delistings on the run's grid through the month (bar 0 = the run's first bar), acted on when known
  const runGrid = buildBarGrid(plan.period.start, range.end);
  const delistings = delistingsActedOn(
    delistingEventsKnownAt(actions, runGrid, symbols, spec.decisionLagMs),
    chunk.startBar,
    chunk.endBar,
  );
  const month = await readMonthInputs(ctx, item, chunk.month, symbols);
  const result = simulateChunk(
    state,
    hourChunk({
      spec,
      bars,
      fromRow: 0,
      toRow: nT,
      startBar: chunk.startBar,
      month,
      splits,
      delistings,
    }),
  );
  const parquet = { contentType: 'application/vnd.apache.parquet', tags: { 'hts:stage': 'sim' } };
  await ctx.store.putOnce(keys.simOutputs(item.chunk, 'bars'), encodeRecords(result.outputs.bars), parquet);
  await ctx.store.putOnce(keys.simOutputs(item.chunk, 'fills'), encodeRecords(result.outputs.fills), parquet);
  await ctx.store.putOnce(
    keys.simOutputs(item.chunk, 'weights'),
    encodeRecords(result.outputs.weights),
    parquet,
  );
  await ctx.store.putOnce(
    keys.simOutputs(item.chunk, 'decisions'),
    encodeRecords(result.outputs.decisions),
    parquet,
  );
  await ctx.store.putOnce(keys.simOutputs(item.chunk, 'gaps'), encodeRecords(result.outputs.gaps), parquet);
  await putJsonOnce(ctx.store, keys.simTransitions(item.chunk), result.outputs.transitions);
  // the state last: its presence marks the chunk complete
  await putJsonOnce(ctx.store, keys.simState(item.chunk), result.state);
  const now = ctx.nowMs();
  try {
    await ctx.runs.updateProgress(item.tenantId, item.runId, 'simulate', {
      done: item.chunk + 1,
      total: plan.chunks.length,
      nowMs: now,
    });
  } catch (e) {
    if ((e as { code?: string }).code !== 'CONFLICT') throw e;
  }
  const next = item.chunk + 1;
  return {
    tenantId: item.tenantId,
    runId: item.runId,
    chunk: next,
    nChunks: plan.chunks.length,
    done: next >= plan.chunks.length,
  };
}
