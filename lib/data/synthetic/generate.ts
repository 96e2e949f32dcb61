import {
  lowerBoundString as lowerBound,
  monthsBetween,
  pearson,
  Rng,
  ordinalRanks as ranks,
} from '../../core/index.ts';
import { DatasetWriter } from '../dataset.ts';
import type { ObjectStore } from '../object-store.ts';
import type { MembershipSource } from '../universe.ts';
import { parseSyntheticMarketConfig, type SyntheticMarketInput } from './config.ts';
import { createIcTracker } from './ic-tracker.ts';
import { buildNameTable, buildSessionCalendar } from './names.ts';
import { drawParameters } from './parameters.ts';
import { createPitBuffers, publishDelistings } from './pit-events.ts';
import { scheduleEvents } from './schedules.ts';
import { createSimulationState, simulateSessions } from './session-simulator.ts';
import type { GenerateProgress, IcSample, MarketState } from './state.ts';
import { writeMembership, writePitTables, writeSectors } from './write-tables.ts';

export interface GenerateResult {
  readonly datasetId: string;
  readonly symbols: number;
  readonly barRows: number;
  readonly seriesRows: Readonly<Record<string, number>>;
  readonly months: number;
  readonly report: GeneratorReport;
}

export interface GeneratorReport {
  readonly plantedIcTarget: number;
  readonly kappaPerBar: number;
  /** Mean cross-sectional Pearson and rank IC of α at decision bar t vs the open(t+1)→open(t+6) excess return. */
  readonly realizedIc: number;
  readonly realizedRankIc: number;
  readonly icSamples: number;
  readonly splits: number;
  readonly delistings: number;
  readonly delistingsWithDrop: number;
  readonly assignedSectors: readonly string[];
}

/**
 * Deterministic synthetic dataset on the real membership, written through `store` under `prefix` (see
 * `SyntheticMarketConfig` for the model). Stages: calendar and names → per-name parameters → event schedules →
 * the session simulator (bars by month, point-in-time rows) → the point-in-time tables, membership, sectors and
 * report → the manifest. Every draw comes from a named sub-stream of `seed`, so the bytes are a function of the
 * config and the membership.
 */
export async function generateSyntheticMarket(
  input: SyntheticMarketInput,
  source: MembershipSource,
  store: ObjectStore,
  prefix = '',
  onProgress?: (p: GenerateProgress) => void,
): Promise<GenerateResult> {
  const cfg = parseSyntheticMarketConfig(input);
  const calendar = buildSessionCalendar(cfg);
  const sessionAtOrAfter = (date: string): number => lowerBound(calendar.sessionDates, date);
  const names = buildNameTable(cfg, source, calendar, sessionAtOrAfter);
  const { model, shares, alpha } = drawParameters(cfg, names);
  const rngEvents = Rng.derive(cfg.seed, 'events');
  const state: MarketState = {
    cfg,
    calendar,
    names,
    model,
    events: scheduleEvents(cfg, calendar, names, rngEvents, sessionAtOrAfter),
    pit: createPitBuffers(),
    sim: createSimulationState(cfg, names.nA, shares, alpha, rngEvents),
    ic: createIcTracker(names.nA),
  };

  const months = monthsBetween(cfg.start, cfg.end);
  const writer = new DatasetWriter(store, prefix);
  const barRows = await simulateSessions(state, writer, months, onProgress);
  publishDelistings(state);

  onProgress?.({ stage: 'series', done: 0, total: 6 });
  const { tables, macroNames, seriesRows } = await writePitTables(writer, state.pit, names.symbols);
  await writeMembership(writer, source, names.symbols);
  const assignedSectors = await writeSectors(writer, source, names);
  const ic = realizedIc(state.ic.samples);
  const report: GeneratorReport = {
    plantedIcTarget: cfg.plantedIc,
    kappaPerBar: model.kappa,
    realizedIc: ic.n ? ic.pearsonSum / ic.n : Number.NaN,
    realizedRankIc: ic.n ? ic.rankSum / ic.n : Number.NaN,
    icSamples: ic.n,
    splits: state.sim.splitCount,
    delistings: state.events.delistings,
    delistingsWithDrop: state.events.delistingsWithDrop,
    assignedSectors,
  };
  await writer.putJson('generator-report.json', report);
  onProgress?.({ stage: 'manifest', done: 0, total: 1 });
  const { datasetId } = await writer.finish({
    name: cfg.name,
    source: { generator: 'hts synthetic market', config: { ...cfg } },
    period: { start: cfg.start, end: cfg.end },
    symbols: [...names.symbols],
    months,
    series: tables.map((t) => t.name),
    entityNames: { macro: macroNames },
    sectorHistory: 'static', // the membership source's snapshot of sectors, applied to every time
  });
  return { datasetId, symbols: names.nA, barRows, seriesRows, months: months.length, report };
}

/** Sums of the Pearson and rank IC over the scored cross-sections, in order. */
function realizedIc(samples: readonly IcSample[]): { pearsonSum: number; rankSum: number; n: number } {
  let pearsonSum = 0;
  let rankSum = 0;
  for (const { signal, forward } of samples) {
    pearsonSum += pearson(signal, forward);
    rankSum += pearson(ranks(signal), ranks(forward));
  }
  return { pearsonSum, rankSum, n: samples.length };
}
