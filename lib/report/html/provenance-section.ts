/** The provenance section: run id, period, dataset, spec hash, code version, walk-forward folds, stage timings, spec. */
import type { ChartPayloads } from '../charts/chart-payloads.ts';
import { esc, fixed, nyDate } from './format.ts';

/** A walk-forward fold's boundaries as the report shows them (ISO-8601 instants or dates). */
export interface ReportFold {
  readonly id: string;
  readonly trainStart: string;
  readonly cutoff: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly purgeBars?: number;
  readonly embargoBars?: number;
}

export interface StageTiming {
  readonly stage: string;
  readonly seconds: number;
}

export interface ReportProvenance {
  readonly runId: string;
  /** The parsed run spec (shown as JSON, collapsed). */
  readonly spec: unknown;
  readonly specHash: string;
  readonly datasetId: string;
  readonly codeVersion: string;
  /** Walk-forward folds (absent: the run had no model stage). */
  readonly folds?: readonly ReportFold[];
  /** Wall-clock seconds of each stage before Finalize (`stageWallSeconds`, lib/runs: the CLI's and the API's figures). */
  readonly timings?: readonly StageTiming[];
}

/** A fold boundary for people: `2024-01-31 21:00Z` from an ISO instant (dates pass through). */
const instant = (iso: string): string => iso.replace('T', ' ').replace(/:00(\.000)?Z$/, 'Z');

export function provenanceSection(prov: ReportProvenance, payloads: ChartPayloads): string {
  const eq = payloads.equity;
  const period =
    eq.status === 'ok' && eq.x.length > 0 ? `${nyDate(eq.x[0]!)} → ${nyDate(eq.x[eq.x.length - 1]!)}` : 'n/a';
  const dl = [
    ['Run id', prov.runId],
    ['Period (sessions)', period],
    ['Dataset id', prov.datasetId],
    ['Spec hash', prov.specHash],
    ['Code version', prov.codeVersion],
  ]
    .map(([k, v]) => `<dt>${esc(k!)}</dt><dd><code>${esc(v!)}</code></dd>`)
    .join('');
  const folds =
    prov.folds === undefined || prov.folds.length === 0
      ? '<p class="unavailable">No walk-forward folds: the run had no model stage.</p>'
      : `<div class="table-wrap"><table><thead><tr><th scope="col">Fold</th><th scope="col">Train start</th><th scope="col">Training cutoff</th><th scope="col">Test start</th><th scope="col">Test end</th><th scope="col">Purge + embargo (bars)</th></tr></thead><tbody>${prov.folds
          .map(
            (f) =>
              `<tr><th scope="row">${esc(f.id)}</th><td>${esc(instant(f.trainStart))}</td><td>${esc(instant(f.cutoff))}</td><td>${esc(instant(f.testStart))}</td><td>${esc(instant(f.testEnd))}</td><td>${f.purgeBars === undefined ? '—' : `${f.purgeBars} + ${f.embargoBars ?? 0}`}</td></tr>`,
          )
          .join('')}</tbody></table></div>`;
  const timings =
    prov.timings === undefined || prov.timings.length === 0
      ? '<p class="unavailable">No stage timings were recorded.</p>'
      : `<div class="table-wrap"><table><caption>Wall-clock seconds of each stage from the run's own events (from the end of the previous stage to the end of this one), as the CLI and the API report them; Finalize, which writes this report, is not included.</caption><thead><tr><th scope="col">Stage</th><th scope="col">Seconds</th></tr></thead><tbody>${prov.timings
          .map((t) => `<tr><th scope="row">${esc(t.stage)}</th><td>${esc(fixed(t.seconds, 2))}</td></tr>`)
          .join('')}<tr><th scope="row">Total (before Finalize)</th><td>${esc(
          fixed(
            prov.timings.reduce((a, t) => a + t.seconds, 0),
            2,
          ),
        )}</td></tr></tbody></table></div>`;
  const spec = JSON.stringify(prov.spec ?? null, null, 2);
  return (
    `<section class="fig" id="provenance"><h2>Provenance</h2><dl class="prov">${dl}</dl>` +
    `<h3>Walk-forward folds</h3>${folds}<h3>Timings</h3>${timings}` +
    `<details class="data"><summary>Run spec (JSON)</summary><pre>${esc(spec)}</pre></details></section>`
  );
}
