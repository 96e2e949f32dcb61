import { type EngineConfig, type EngineMarket, simulateChunk } from '../../backtest/engine.ts';
import { delistingsFromPanel, splitEventsFromActions } from '../../backtest/market.ts';
import { initialSimState, parseSimState } from '../../backtest/sim-state.ts';
import { DataIntegrityError } from '../../core/errors.ts';
import { addDays } from '../../core/ny-time.ts';
import { loadBarPanels } from '../../data/bar-panels.ts';
import { getJson, putJsonOnce } from '../../data/object-store.ts';
import { BENCHMARK_SYMBOL } from '../../data/universe.ts';
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
  const splits = splitEventsFromActions(actions, grid).map((e) => ({ ...e, bar: e.bar + chunk.startBar }));
  const targets = await decodeSparsePanel(
    await ctx.store.get(keys.targets(chunk.month)),
    grid,
    symbols,
    ['weight'],
    0,
    keys.targets(chunk.month),
  );
  const membership = await reader.readMembership();
  const member = new Uint8Array(nT * nA);
  for (let i = 0; i < membership.symbol.length; i++) {
    const a = membership.symbol[i]!;
    if (a < 0) continue;
    for (let t = 0; t < nT; t++) {
      const ms = grid.closeMs[t]!;
      if (membership.startMs[i]! <= ms && ms < membership.endMs[i]!) member[t * nA + a] = 1;
    }
  }
  const rows = nT * nA;
  const market: EngineMarket = {
    barOffset: chunk.startBar,
    nT,
    nA,
    symbols,
    openMs: grid.openMs,
    closeMs: grid.closeMs,
    open: bars.open.subarray(0, rows),
    close: bars.close.subarray(0, rows),
    volume: bars.volume.subarray(0, rows),
    spreadBps: bars.spreadBps.subarray(0, rows),
    target: targets.fields.weight!,
    member,
    splits,
    delistings,
    benchmarkAsset: symbols.indexOf(BENCHMARK_SYMBOL),
  };
  const config: EngineConfig = {
    execution: spec.execution,
    risk: spec.risk,
    turnoverCap: spec.portfolio.turnoverCap,
    maxWeight: spec.portfolio.maxWeight,
  };
  const result = simulateChunk(state, { config, market, startBar: chunk.startBar, endBar: chunk.endBar });
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
