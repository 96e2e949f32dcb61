import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { loadBarPanels } from '../../lib/data/bar-panels.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { summarizeDataset } from '../../lib/data/dataset-summary.ts';
import { ACTION_DELISTING, ACTION_SPLIT } from '../../lib/data/schemas.ts';
import { type GenerateResult, generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import type { PitTable } from '../../lib/data/tables.ts';
import { validatePit } from '../../lib/data/validate.ts';
import { sp500Source } from '../support/sp500.ts';

// A small slice of the real membership around known events: AAL left on 2024-09-23; PLTR, DELL, ERIE joined
// on 2024-09-23; plus steady members.
const SYMBOLS = [
  'AAL',
  'PLTR',
  'DELL',
  'ERIE',
  'AAPL',
  'MSFT',
  'JPM',
  'XOM',
  'JNJ',
  'PG',
  'NVDA',
  'KO',
  'SPY',
];
const CONFIG = { start: '2024-08-01', end: '2024-10-31', seed: 11, symbols: SYMBOLS, splitRatePerYear: 3 };

async function generate(seed = CONFIG.seed): Promise<{ store: MemoryObjectStore; result: GenerateResult }> {
  const store = new MemoryObjectStore();
  const result = await generateSyntheticMarket({ ...CONFIG, seed }, sp500Source(), store);
  return { store, result };
}

describe('synthetic market: generateSyntheticMarket', () => {
  let store: MemoryObjectStore;
  let result: GenerateResult;
  let reader: DatasetReader;
  beforeAll(async () => {
    ({ store, result } = await generate());
    reader = await DatasetReader.open(store);
  });

  it('is deterministic: the same seed gives the same dataset id, another seed a different one', async () => {
    const again = await generate();
    expect(again.result.datasetId).toBe(result.datasetId);
    const other = await generate(12);
    expect(other.result.datasetId).not.toBe(result.datasetId);
  });

  it('writes a manifest whose hashes verify and whose id is reproduced on read', async () => {
    expect(reader.datasetId).toBe(result.datasetId);
    expect(reader.manifest.months).toEqual(['2024-08', '2024-09', '2024-10']);
    expect(reader.manifest.symbols).toEqual([...SYMBOLS].sort());
    for (const o of reader.manifest.objects) await reader.getVerified(o.key);
  });

  it('puts bars on the NYSE grid only while a name trades: lead-in before joining, none after leaving', async () => {
    const panels = await loadBarPanels(reader, CONFIG.start, CONFIG.end);
    const grid = buildBarGrid(CONFIG.start, CONFIG.end);
    expect(panels.nT).toBe(grid.nT);
    const a = (s: string) => panels.symbols.indexOf(s);
    const dateOf = (t: number) => grid.sessions[grid.sessionOfBar[t]!]!.date;
    for (let t = 0; t < panels.nT; t++) {
      const aal = panels.close[t * panels.nA + a('AAL')]!;
      expect(Number.isNaN(aal)).toBe(dateOf(t) >= '2024-09-23'); // delisted at its exit
      expect(Number.isNaN(panels.close[t * panels.nA + a('PLTR')]!)).toBe(false); // lead-in covers the period
      expect(panels.close[t * panels.nA + a('SPY')]!).toBeGreaterThan(0);
    }
  });

  it('makes bars that are internally consistent (high ≥ open, close ≥ low, volume > 0)', async () => {
    const panels = await loadBarPanels(reader, CONFIG.start, CONFIG.end);
    let checked = 0;
    for (let k = 0; k < panels.close.length; k++) {
      const c = panels.close[k]!;
      if (Number.isNaN(c)) continue;
      expect(panels.high[k]!).toBeGreaterThanOrEqual(Math.max(panels.open[k]!, c));
      expect(panels.low[k]!).toBeLessThanOrEqual(Math.min(panels.open[k]!, c));
      expect(panels.volume[k]!).toBeGreaterThan(0);
      expect(panels.vwap[k]!).toBeGreaterThanOrEqual(panels.low[k]!);
      checked++;
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('writes point-in-time series that pass validation, with the four timestamps consistent', async () => {
    for (const name of reader.manifest.series) {
      const t = await reader.readSeries(name as PitTable['name']);
      expect(() => validatePit(t, name)).not.toThrow();
      for (let i = 0; i < t.n; i++)
        expect(t.knownTime[i]).toBe(Math.max(t.publicReleaseTime[i]!, t.ingestTime[i]!));
    }
    const f = await reader.readSeries('fundamentals');
    expect(f.n).toBeGreaterThanOrEqual(6); // 12 names, a quarter and a half of releases inside the window
    // earnings come 3–8 weeks after the quarter's end
    for (let i = 0; i < f.n; i++) {
      if (f.fields.revision![i] !== 0) continue;
      const lagDays = (f.publicReleaseTime[i]! - f.eventTime[i]!) / 86_400_000;
      expect(lagDays).toBeGreaterThan(20);
      expect(lagDays).toBeLessThan(62);
    }
  });

  it('applies splits to raw prices at the ex-date open, announced beforehand', async () => {
    const ca = await reader.readSeries('corporate_actions');
    expect(ca.n).toBeGreaterThan(0);
    const panels = await loadBarPanels(reader, CONFIG.start, CONFIG.end);
    for (let i = 0; i < ca.n; i++) {
      if (ca.fields.action![i] !== ACTION_SPLIT) continue;
      expect(ca.knownTime[i]!).toBeLessThan(ca.eventTime[i]!); // announced before it takes effect
      const t = panels.grid.openMs.indexOf(ca.eventTime[i]!);
      expect(t).toBeGreaterThan(0);
      const a = ca.entity[i]!;
      const prev = panels.close[(t - 1) * panels.nA + a]!;
      const open = panels.open[t * panels.nA + a]!;
      expect(Math.abs(Math.log((open * ca.fields.ratio![i]!) / prev))).toBeLessThan(0.15);
    }
  });

  it('emits one delisting per name whose bars stop, announced 5–15 sessions ahead, none for the others', async () => {
    const ca = await reader.readSeries('corporate_actions');
    const panels = await loadBarPanels(reader, CONFIG.start, CONFIG.end);
    const { nT, nA, close, grid } = panels;
    const sessionCloses = grid.sessions.map((s) => s.closeMs);
    let stopping = 0;
    for (let a = 0; a < nA; a++) {
      const rows = [...Array(ca.n).keys()].filter(
        (i) => ca.entity[i] === a && ca.fields.action![i] === ACTION_DELISTING,
      );
      let last = nT - 1;
      while (last >= 0 && Number.isNaN(close[last * nA + a]!)) last--;
      if (last === nT - 1) {
        expect(rows, panels.symbols[a]).toEqual([]); // still trading at the end: no delisting
        continue;
      }
      stopping++;
      expect(rows).toHaveLength(1);
      const i = rows[0]!;
      expect(ca.eventTime[i]).toBe(grid.closeMs[last]); // effective at its last bar's close
      expect(ca.fields.last_price![i]).toBe(close[last * nA + a]); // paid out at its last close
      expect(Number.isNaN(ca.fields.ratio![i]!)).toBe(true);
      expect(Number.isNaN(ca.fields.delisting_return![i]!)).toBe(true);
      expect(ca.knownTime[i]!).toBeLessThan(ca.eventTime[i]!);
      // sessions from the announcement (after a close) to the last one
      const ahead = sessionCloses.filter((c) => c > ca.knownTime[i]! && c <= ca.eventTime[i]!).length;
      expect(ahead).toBeGreaterThanOrEqual(5);
      expect(ahead).toBeLessThanOrEqual(15);
    }
    expect(stopping).toBe(1); // AAL
    expect(panels.symbols.filter((_, a) => Number.isNaN(close[(nT - 1) * nA + a]!))).toEqual(['AAL']);
  });

  it('flags its sectors as static, in the manifest and the summary, and leaves no unexplained gap', async () => {
    expect(reader.manifest.sectorHistory).toBe('static');
    const panels = await loadBarPanels(reader, CONFIG.start, CONFIG.end);
    const summary = await summarizeDataset(reader, panels);
    expect(summary.sectorHistory).toBe('static');
    expect(summary.delistings).toBe(1);
    expect(summary.gaps).toEqual([]);
  });

  it('releases the trap only after the session it describes has closed', async () => {
    const trap = await reader.readSeries('trap');
    const grid = buildBarGrid(CONFIG.start, CONFIG.end);
    const closes = grid.sessions.map((s) => s.closeMs);
    expect(trap.n).toBeGreaterThan(100);
    for (let i = 0; i < trap.n; i++) {
      const s = closes.indexOf(trap.eventTime[i]!);
      expect(s).toBeGreaterThanOrEqual(0);
      // the value is about session s+1; it is known only after session s+2 closes
      expect(trap.knownTime[i]!).toBeGreaterThan(closes[s + 2]!);
    }
  });

  it('reports its planted signal and events', () => {
    expect(result.report.plantedIcTarget).toBe(0.04);
    expect(result.report.kappaPerBar).toBeGreaterThan(0);
    expect(result.report.delistings).toBe(1); // AAL
    expect(result.report.splits).toBeGreaterThan(0);
  });

  it('rejects a bad config with the field named', async () => {
    await expect(
      generateSyntheticMarket({ ...CONFIG, start: '2024-13-01' }, sp500Source(), new MemoryObjectStore()),
    ).rejects.toThrow(InvalidInputError);
    await expect(
      generateSyntheticMarket(
        { ...CONFIG, start: '2024-10-01', end: '2024-09-01' },
        sp500Source(),
        new MemoryObjectStore(),
      ),
    ).rejects.toThrow(/end 2024-09-01 is before start 2024-10-01/);
  });
});

describe('synthetic market: the planted signal on the full membership', () => {
  it('realises an information coefficient near its 0.04 target over a year', async () => {
    const store = new MemoryObjectStore();
    const r = await generateSyntheticMarket(
      { start: '2023-01-01', end: '2023-12-31', seed: 5 },
      sp500Source(),
      store,
    );
    expect(r.symbols).toBeGreaterThan(500);
    expect(r.report.icSamples).toBeGreaterThan(60);
    expect(r.report.realizedIc).toBeGreaterThan(0.025);
    expect(r.report.realizedIc).toBeLessThan(0.055);
  });
});
