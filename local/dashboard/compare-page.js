/**
 * `/compare?a=&b=`: two finished runs side by side — their equity curves overlaid in one chart (with SPY over
 * run A's period when it has a benchmark) and their headline metrics in one table, both from the chart payloads
 * (`GET /v1/backtests/{runId}/charts/equity|headline`).
 */
import { api } from './api.js';
import { COLORS, lineChartFigure } from './chart.js';
import { h } from './dom.js';
import { formatTime, formatValue } from './format.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

function picker(name, label, runs, selected) {
  const id = `pick-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name, required: true },
      h('option', { value: '' }, 'Choose a finished run'),
      runs.map((r) =>
        h(
          'option',
          { value: r.runId, selected: r.runId === selected },
          `${r.runId} · ${formatTime(r.createdAt)}`,
        ),
      ),
    ),
  );
}

const short = (runId) => `${runId.slice(0, 6)}…${runId.slice(-4)}`;

function overlay(a, b, equityA, equityB) {
  const series = [];
  const strategyOf = (payload) => payload.series.find((s) => s.id === 'strategy') ?? payload.series[0];
  if (equityA.status === 'ok') {
    series.push({
      id: 'run-a',
      label: `Run A (${short(a)})`,
      color: COLORS.a,
      x: equityA.x,
      y: strategyOf(equityA).values,
    });
  }
  if (equityB.status === 'ok') {
    series.push({
      id: 'run-b',
      label: `Run B (${short(b)})`,
      color: COLORS.b,
      dash: '10 3',
      x: equityB.x,
      y: strategyOf(equityB).values,
    });
  }
  const spy = equityA.status === 'ok' ? equityA.series.find((s) => s.id === 'spy') : undefined;
  if (spy)
    series.push({
      id: 'spy',
      label: 'SPY (run A period)',
      color: COLORS.spy,
      dash: '4 4',
      x: equityA.x,
      y: spy.values,
    });
  if (series.length === 0) return h('p', { class: 'muted' }, 'Neither run has an equity curve.');
  return lineChartFigure({
    chartId: 'compare-equity',
    title: 'Equity curves',
    description: `Growth of 1 of run A (${a}) and run B (${b}), at each session close.`,
    note: 'Growth of 1.',
    format: 'multiple',
    series,
  });
}

function metricsTable(headA, headB) {
  const rowsA = headA.status === 'ok' ? headA.rows : [];
  const rowsB = new Map((headB.status === 'ok' ? headB.rows : []).map((r) => [r.id, r]));
  const hasSpy = rowsA.some((r) => r.benchmark !== null);
  return h(
    'table',
    { class: 'metrics compare', id: 'compare-metrics' },
    h('caption', { class: 'visually-hidden' }, 'Headline metrics of run A and run B'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Metric'),
        h('th', { scope: 'col', class: 'num' }, 'Run A'),
        h('th', { scope: 'col', class: 'num' }, 'Run B'),
        hasSpy ? h('th', { scope: 'col', class: 'num' }, 'SPY (A)') : null,
      ),
    ),
    h(
      'tbody',
      null,
      rowsA.map((row) => {
        const other = rowsB.get(row.id);
        return h(
          'tr',
          { 'data-metric': row.id },
          h('th', { scope: 'row' }, row.label),
          h('td', { class: 'num' }, formatValue(row.strategy, row.format)),
          h('td', { class: 'num' }, formatValue(other?.strategy ?? null, row.format)),
          hasSpy ? h('td', { class: 'num' }, formatValue(row.benchmark, row.format)) : null,
        );
      }),
    ),
  );
}

export async function comparePage(main, params) {
  document.title = 'Compare runs · hts';
  const a = RUN_ID.test(params.get('a') ?? '') ? params.get('a') : '';
  const b = RUN_ID.test(params.get('b') ?? '') ? params.get('b') : '';
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'compare-status' });
  const results = h('div', { id: 'compare-results' });
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '/' }, '← All runs')),
    h('h1', null, 'Compare two runs'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'pick-heading' },
      h('h2', { id: 'pick-heading' }, 'Runs'),
      h('p', { class: 'muted' }, 'Loading…'),
    ),
    status,
    results,
  );
  const page = await api('/v1/backtests?limit=100');
  const finished = (page.items ?? []).filter((r) => r.status === 'SUCCEEDED');
  const form = h(
    'form',
    { method: 'get', action: '/compare', class: 'pick', id: 'compare-form' },
    picker('a', 'Run A', finished, a),
    picker('b', 'Run B', finished, b),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Compare')),
  );
  main.querySelector('section').replaceChildren(h('h2', { id: 'pick-heading' }, 'Runs'), form);
  if (a === '' || b === '') {
    status.textContent =
      finished.length < 2 ? 'Two finished runs are needed to compare.' : 'Choose two runs.';
    return;
  }
  status.textContent = 'Loading both runs…';
  const chart = (runId, chartId) => api(`/v1/backtests/${encodeURIComponent(runId)}/charts/${chartId}`);
  let payloads;
  try {
    payloads = await Promise.all([
      chart(a, 'equity'),
      chart(b, 'equity'),
      chart(a, 'headline'),
      chart(b, 'headline'),
    ]);
  } catch (e) {
    status.textContent = `Could not load the runs: ${e.message}`;
    return;
  }
  const [equityA, equityB, headA, headB] = payloads;
  results.replaceChildren(
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'curves-heading' },
      h('h2', { id: 'curves-heading' }, 'Equity curves'),
      h(
        'p',
        { class: 'legend-runs' },
        'Run A: ',
        h('a', { href: `/runs/${a}` }, a),
        h('br'),
        'Run B: ',
        h('a', { href: `/runs/${b}` }, b),
      ),
      overlay(a, b, equityA, equityB),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'metrics-heading' },
      h('h2', { id: 'metrics-heading' }, 'Headline metrics'),
      h('div', { class: 'table-wrap' }, metricsTable(headA, headB)),
    ),
  );
  status.textContent = 'Both runs loaded.';
}
