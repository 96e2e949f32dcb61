import {
  delistingsFromPanel,
  hourChunk,
  initialSimState,
  parseSimState,
  simulateChunk,
  splitEventsForRows,
} from '../../backtest/index.ts';
import { addDays, DataIntegrityError } from '../../core/index.ts';
import { getJson, loadBarPanels, putJsonOnce } from '../../data/index.ts';
import { decodeSparsePanel } from '../codecs/panel-files.ts';
import { encodeRecords } from '../codecs/sim-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { monthGrid, monthRange } from '../month-grid.ts';
import { loadRun } from '../run-io.ts';

export interface SimulateOutput extends RunRef {
  readonly chunk: number;
  readonly nChunks: number;
  readonly done: boolean;
}

/** Days after a month read to tell a name that stops trading (delisted) from one that continues. */
const DELISTING_LOOKAHEAD_DAYS = 7;

/**
 * Simulate (a loop over chunks, one calendar month each): reads the state saved by chunk i−1, runs the hour
 * loop over the month's bars with the month's targets, saves state i and the chunk's records (write-once).
 * A retried chunk produces the same bytes; a chunked run equals an unchunked one (the engine's property).
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
  // bars a little past the month, to see which names stop trading inside it (delistings)
  const dataEnd = reader.manifest.period.end;
  const aheadEnd = addDays(range.end, DELISTING_LOOKAHEAD_DAYS);
  const bars = await loadBarPanels(reader, range.start, aheadEnd > dataEnd ? dataEnd : aheadEnd);
  const { nA, symbols } = bars;
  const nT = grid.nT;
  if (nT !== chunk.endBar - chunk.startBar || bars.grid.closeMs[0] !== grid.closeMs[0]) {
    throw new DataIntegrityError(`Simulate ${chunk.month}: bars do not cover the chunk's ${nT} bars`, {
      dataset: plan.datasetId,
      rule: 'month_coverage',
    });
  }
  const delistings = delistingsFromPanel(bars.close, bars.nT, nA)
    .filter((d) => d.bar < nT)
    .map((d) => ({ bar: d.bar + chunk.startBar, asset: d.asset }));
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  const splits = splitEventsForRows(actions, grid, 0, nT, chunk.startBar);
  const targets = await decodeSparsePanel(
    await ctx.store.get(keys.targets(chunk.month)),
    grid,
    symbols,
    ['weight'],
    0,
    keys.targets(chunk.month),
  );
  const result = simulateChunk(
    state,
    hourChunk({
      spec,
      bars,
      fromRow: 0,
      toRow: nT,
      startBar: chunk.startBar,
      target: targets.fields.weight!,
      membership: await reader.readMembership(),
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
