import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { getChart } from '../../lib/api/charts.ts';
import { RunNotFinishedError } from '../../lib/api/errors.ts';
import { DataIntegrityError, InvalidInputError, NotFoundError } from '../../lib/core/errors.ts';
import { ulid } from '../../lib/core/ulid.ts';
import { buildReport, type ChartPayloads, chartsArtifact } from '../../lib/report/index.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { smallRun } from '../report/fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const RUN_ID = ulid(T0, new Uint8Array(10).fill(7));
const enc = (s: string) => new TextEncoder().encode(s);

let payloads: ChartPayloads;
let reportBytes: Uint8Array;
let chartsBytes: Uint8Array;

beforeAll(() => {
  const { input } = smallRun({ diagnostics: 'synthetic', sectors: true });
  const report = buildReport(input);
  payloads = report.payloads;
  reportBytes = enc(report.html);
  chartsBytes = chartsArtifact(payloads).bytes;
});

/** A run of tenant acme in `status`, with `artifacts` (name → bytes) stored and listed in its manifest. */
async function world(status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED', artifacts: Record<string, Uint8Array>) {
  const runs = new MemoryRunStore();
  const store = new MemoryObjectStore();
  const record = newRunRecord({
    tenantId: 'acme',
    runId: RUN_ID,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_0123456789abcdef01234567',
    codeVersion: 'test',
    nowMs: T0,
  });
  await runs.create(record);
  if (status !== 'QUEUED') {
    const running = await runs.transition('acme', RUN_ID, {
      from: 'QUEUED',
      to: 'RUNNING',
      expectedVersion: 1,
      nowMs: T0 + 1,
    });
    if (status === 'SUCCEEDED') {
      await runs.transition('acme', RUN_ID, {
        from: 'RUNNING',
        to: 'SUCCEEDED',
        expectedVersion: running.version,
        nowMs: T0 + 2,
      });
    }
  }
  const keys = runKeys('acme', RUN_ID);
  for (const [name, bytes] of Object.entries(artifacts)) await store.put(keys.artifact(name), bytes);
  const manifest = {
    schemaVersion: 1,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_0123456789abcdef01234567',
    codeVersion: 'test',
    artifacts: Object.entries(artifacts).map(([name, bytes]) => ({
      name,
      bytes: bytes.length,
      sha256: 'f'.repeat(64),
    })),
  };
  if (status === 'SUCCEEDED') await store.put(keys.artifact('manifest.json'), enc(JSON.stringify(manifest)));
  return { runs, store };
}

describe('api/charts: getChart', () => {
  it('serves a chart from charts.json, validated against its schema', async () => {
    const w = await world('SUCCEEDED', { 'report.html': reportBytes, 'charts.json': chartsBytes });
    const equity = await getChart(w, 'acme', RUN_ID, 'equity');
    expect(equity).toEqual(JSON.parse(JSON.stringify(payloads.equity)));
    expect(equity).toMatchObject({ schemaVersion: 1, chartId: 'equity', status: 'ok' });
    const decay = await getChart(w, 'acme', RUN_ID, 'ic-decay');
    expect(decay.chartId).toBe('ic-decay');
  });

  it('never reads report.html: a SUCCEEDED run without charts.json is a DataIntegrityError', async () => {
    const w = await world('SUCCEEDED', { 'report.html': reportBytes });
    await expect(getChart(w, 'acme', RUN_ID, 'drawdown')).rejects.toThrow(DataIntegrityError);
    await expect(getChart(w, 'acme', RUN_ID, 'drawdown')).rejects.toThrow(/has no charts.json/);
  });

  it('400 for a bad run id or chart id before anything is read; 404 for another tenant', async () => {
    const w = await world('SUCCEEDED', { 'charts.json': chartsBytes });
    await expect(getChart(w, 'acme', '../x', 'equity')).rejects.toMatchObject({
      details: { field: 'runId' },
    });
    const bad = await getChart(w, 'acme', RUN_ID, 'pie').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidInputError);
    expect(bad).toMatchObject({ details: { field: 'chartId' } });
    await expect(getChart(w, 'globex', RUN_ID, 'equity')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('409 RUN_NOT_FINISHED for a run that has not SUCCEEDED', async () => {
    for (const status of ['QUEUED', 'RUNNING'] as const) {
      const w = await world(status, {});
      const e = await getChart(w, 'acme', RUN_ID, 'equity').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RunNotFinishedError);
      expect((e as RunNotFinishedError).apiCode).toBe('RUN_NOT_FINISHED');
    }
  });

  it('a SUCCEEDED run with broken chart artifacts is a DataIntegrityError, not a 404', async () => {
    const noManifest = await world('SUCCEEDED', {});
    await noManifest.store.delete(runKeys('acme', RUN_ID).artifact('manifest.json'));
    await expect(getChart(noManifest, 'acme', RUN_ID, 'equity')).rejects.toBeInstanceOf(DataIntegrityError);
    const listedMissing = await world('SUCCEEDED', { 'charts.json': enc('{}') });
    await listedMissing.store.delete(runKeys('acme', RUN_ID).artifact('charts.json'));
    await expect(getChart(listedMissing, 'acme', RUN_ID, 'equity')).rejects.toBeInstanceOf(
      DataIntegrityError,
    );
    const corrupt = await world('SUCCEEDED', { 'charts.json': enc('{"equity":{"chartId":"equity"}}') });
    await expect(getChart(corrupt, 'acme', RUN_ID, 'equity')).rejects.toThrow(/does not match its schema/);
    const nothing = await world('SUCCEEDED', { 'metrics.json': enc('{}') });
    await expect(getChart(nothing, 'acme', RUN_ID, 'equity')).rejects.toThrow(/has no charts.json/);
  });
});
