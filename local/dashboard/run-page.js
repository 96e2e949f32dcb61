/**
 * `/runs/{runId}`: progress by stage (polled every second while the run is QUEUED or RUNNING, announced in a
 * live region), then the metrics summary, the equity curve from the chart payload, the report and every
 * artifact through the presigned URLs of `GET /v1/backtests/{runId}/artifacts`.
 */
import { ApiError, api, isActive, progressOf, STAGES } from './api.js';
import { COLORS, lineChartFigure } from './chart.js';
import { h, setText } from './dom.js';
import { formatBytes, formatTime, formatValue, SUMMARY_METRICS } from './format.js';

const POLL_MS = 1000;

function stageList() {
  const items = new Map();
  const list = h(
    'ol',
    { class: 'stages', id: 'stages' },
    STAGES.map(([key, label]) => {
      const bar = h('progress', { max: 1, value: 0, 'aria-label': `${label} progress` });
      const count = h('span', { class: 'stage-count' });
      const li = h('li', { 'data-stage': key }, h('span', { class: 'stage-name' }, label), bar, count);
      items.set(key, { li, bar, count });
      return li;
    }),
  );
  const update = (run) => {
    for (const [key] of STAGES) {
      const p = run.progress?.[key] ?? { done: 0, total: 0 };
      const item = items.get(key);
      item.bar.max = Math.max(1, p.total);
      item.bar.value = Math.min(p.done, Math.max(1, p.total));
      const finished = p.total > 0 && p.done >= p.total;
      item.li.dataset.state = finished ? 'done' : p.done > 0 || p.startedAt ? 'active' : 'pending';
      // p.seconds: the stage's wall time as the API defines it (the CLI and report.html show the same figure)
      const took = finished && typeof p.seconds === 'number' ? ` in ${p.seconds.toFixed(1)} s` : '';
      setText(
        item.count,
        p.total > 0 ? `${p.done}/${p.total}${finished ? ` done${took}` : ''}` : 'not started',
      );
    }
  };
  return { list, update };
}

function metricsTable(metrics) {
  const known = new Set(SUMMARY_METRICS.map(([key]) => key));
  const rows = SUMMARY_METRICS.filter(([key]) => key in metrics).map(([key, label, format]) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num' }, formatValue(metrics[key], format)),
    ),
  );
  for (const [key, value] of Object.entries(metrics)) {
    if (!known.has(key))
      rows.push(
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, key),
          h('td', { class: 'num' }, formatValue(value, 'number')),
        ),
      );
  }
  return h(
    'table',
    { class: 'metrics', id: 'metrics-table' },
    h('caption', { class: 'visually-hidden' }, 'Headline metrics of the run'),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col', class: 'num' }, 'Value')),
    ),
    h('tbody', null, rows),
  );
}

/** The equity payload (`GET …/charts/equity`) as a figure; SPY dashed grey. */
export function equityFigure(payload) {
  if (payload.status !== 'ok')
    return h('p', { class: 'muted' }, `Equity curve not available: ${payload.reason}`);
  return lineChartFigure({
    chartId: 'equity',
    title: payload.title,
    description: payload.description,
    note: 'Growth of 1.',
    format: payload.format,
    series: payload.series.map((series) => ({
      id: series.id,
      label: series.label,
      color: series.id === 'spy' ? COLORS.spy : COLORS.a,
      dash: series.id === 'spy' ? '6 4' : undefined,
      x: payload.x,
      y: series.values,
    })),
  });
}

function artifactsTable(view) {
  return h(
    'table',
    { class: 'artifacts', id: 'artifacts-table' },
    h('caption', { class: 'visually-hidden' }, 'Artifacts of the run'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'File'),
        h('th', { scope: 'col', class: 'num' }, 'Size'),
        h('th', { scope: 'col', class: 'sha' }, 'sha256'),
      ),
    ),
    h(
      'tbody',
      null,
      view.artifacts.map((a) =>
        h(
          'tr',
          null,
          h('td', null, h('a', { href: a.url, download: a.name, 'data-artifact': a.name }, a.name)),
          h('td', { class: 'num' }, formatBytes(a.bytes)),
          h('td', { class: 'sha' }, h('code', { title: a.sha256 }, `${a.sha256.slice(0, 12)}…`)),
        ),
      ),
    ),
  );
}

export async function runPage(main, runId) {
  document.title = `Run ${runId} · hts`;
  const live = h(
    'p',
    { id: 'run-live', class: 'status', role: 'status', 'aria-live': 'polite' },
    'Loading the run…',
  );
  const badge = h('span', { id: 'run-status' });
  const meta = h('dl', { class: 'meta' });
  const stages = stageList();
  const cancel = h(
    'button',
    { type: 'button', id: 'cancel-button', class: 'secondary', hidden: true },
    'Cancel run',
  );
  const results = h('section', {
    class: 'card',
    id: 'results',
    'aria-labelledby': 'results-heading',
    hidden: true,
  });
  const failure = h('section', {
    class: 'card failure',
    id: 'failure',
    'aria-labelledby': 'failure-heading',
    hidden: true,
  });
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '/' }, '← All runs')),
    h('h1', null, 'Run ', h('code', { class: 'run-id' }, runId), ' ', badge),
    meta,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'progress-heading' },
      h('h2', { id: 'progress-heading' }, 'Progress'),
      live,
      stages.list,
      cancel,
    ),
    failure,
    results,
  );

  let last;
  let timer;
  const showMeta = (run) => {
    const rows = [
      ['Created', formatTime(run.createdAt)],
      ['Started', run.startedAt ? formatTime(run.startedAt) : '—'],
      ['Finished', run.finishedAt ? formatTime(run.finishedAt) : '—'],
      ['Dataset', run.provenance.datasetId],
      ['Spec hash', `${run.provenance.specHash.slice(0, 16)}…`],
      ['Code', run.provenance.codeVersion],
    ];
    meta.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  };
  const showResults = async (run) => {
    results.hidden = false;
    results.replaceChildren(
      h('h2', { id: 'results-heading' }, 'Results'),
      h('p', { class: 'muted' }, 'Loading…'),
    );
    const [equity, artifacts] = await Promise.all([
      api(`/v1/backtests/${encodeURIComponent(runId)}/charts/equity`),
      api(`/v1/backtests/${encodeURIComponent(runId)}/artifacts`),
    ]);
    results.replaceChildren(
      h('h2', { id: 'results-heading' }, 'Results'),
      h(
        'p',
        { class: 'links' },
        h('a', { href: `/runs/${runId}/report`, id: 'report-link', class: 'button' }, 'Open report.html'),
        h(
          'a',
          { href: `/compare?a=${encodeURIComponent(runId)}`, class: 'button secondary' },
          'Compare with another run',
        ),
      ),
      h(
        'div',
        { class: 'columns' },
        h('div', null, h('h3', null, 'Metrics summary'), metricsTable(run.metrics ?? {})),
        h('div', null, h('h3', null, 'Equity'), equityFigure(equity)),
      ),
      h('h3', null, 'Artifacts'),
      h(
        'p',
        { class: 'muted' },
        `Download links are presigned and work until ${formatTime(artifacts.expiresAt)}.`,
      ),
      h('div', { class: 'table-wrap' }, artifactsTable(artifacts)),
    );
  };
  const poll = async () => {
    clearTimeout(timer);
    let run;
    try {
      run = await api(`/v1/backtests/${encodeURIComponent(runId)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        setText(live, `No run ${runId} for this tenant.`);
        return;
      }
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
        setText(live, `The API refused this run id: ${e.message}`);
        return;
      }
      setText(live, `Could not load the run: ${e.message}. Retrying.`);
      timer = setTimeout(poll, POLL_MS * 2);
      return;
    }
    const progress = progressOf(run);
    badge.replaceChildren(h('span', { class: `badge badge-${run.status.toLowerCase()}` }, run.status));
    stages.update(run);
    showMeta(run);
    cancel.hidden = !isActive(run.status);
    setText(
      live,
      run.status === 'RUNNING'
        ? `Running: ${progress.label} (${Math.round(progress.fraction * 100)}% of the stages).`
        : run.status === 'QUEUED'
          ? 'Queued: waiting for the workflow to start.'
          : `Run ${run.status.toLowerCase()}.`,
    );
    const changed = last?.status !== run.status;
    last = run;
    if (changed && run.status === 'SUCCEEDED') {
      await showResults(run).catch((e) => {
        results.replaceChildren(
          h('h2', { id: 'results-heading' }, 'Results'),
          h('p', { role: 'alert' }, `Could not load the results: ${e.message}`),
        );
      });
    }
    if (changed && (run.status === 'FAILED' || run.status === 'CANCELLED')) {
      failure.hidden = false;
      failure.replaceChildren(
        h(
          'h2',
          { id: 'failure-heading' },
          run.status === 'FAILED' ? 'The run failed' : 'The run was cancelled',
        ),
        run.error ? h('p', null, h('code', null, run.error.code), ` ${run.error.message}`) : null,
      );
    }
    if (isActive(run.status)) timer = setTimeout(poll, POLL_MS);
  };
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await api(`/v1/backtests/${encodeURIComponent(runId)}/cancel`, { method: 'POST' });
    } catch (e) {
      setText(live, `Could not cancel: ${e.message}`);
    } finally {
      cancel.disabled = false;
      await poll();
    }
  });
  await poll();
}
