import { describe, expect, it } from 'vitest';
import {
  buildReport,
  buildReportArtifact,
  CHART_IDS,
  CHARTS_ARTIFACT_NAME,
  parseChartPayload,
  REPORT_ARTIFACT_NAME,
  reportArtifacts,
} from '../../lib/report/index.ts';
import { smallRun } from './fixtures.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('report: buildReport / reportArtifacts', () => {
  it('returns the page and the payloads it draws: the page embeds exactly those payloads', () => {
    const { input } = smallRun({ diagnostics: 'synthetic', sectors: true });
    const report = buildReport(input);
    const embedded = /<script type="application\/json" id="hts-payloads">([\s\S]*?)<\/script>/.exec(
      report.html,
    );
    expect(embedded).not.toBeNull();
    expect(JSON.parse(embedded?.[1] ?? '')).toEqual(JSON.parse(JSON.stringify(report.payloads)));
    expect(text(buildReportArtifact(input))).toBe(report.html);
  });

  it('writes report.html, then charts.json: every chart id in display order, each valid against its schema', () => {
    const report = buildReport(smallRun({ diagnostics: 'synthetic', sectors: true }).input);
    const [page, charts, ...rest] = reportArtifacts(report);
    expect(rest).toEqual([]);
    expect(page?.name).toBe(REPORT_ARTIFACT_NAME);
    expect(text(page?.bytes ?? new Uint8Array())).toBe(report.html);
    expect(charts?.name).toBe(CHARTS_ARTIFACT_NAME);
    expect(charts?.contentType).toBe('application/json');
    const json = JSON.parse(text(charts?.bytes ?? new Uint8Array())) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([...CHART_IDS]);
    for (const id of CHART_IDS) expect(parseChartPayload(id, json[id])).toEqual(json[id]);
    expect(json).toEqual(JSON.parse(JSON.stringify(report.payloads)));
  });

  it('is deterministic: the same run gives the same charts.json bytes, another run other bytes', () => {
    const bytes = (seed: number) =>
      Buffer.from(reportArtifacts(buildReport(smallRun({ seed, diagnostics: 'synthetic' }).input))[1]!.bytes);
    expect(bytes(5).equals(bytes(5))).toBe(true);
    expect(bytes(5).equals(bytes(6))).toBe(false);
  });
});
