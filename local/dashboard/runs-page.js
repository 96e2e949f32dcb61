/**
 * `/`: the submit form (an example spec with a few editable fields) and the tenant's runs with status, progress
 * and headline metrics, refreshed every 2 s while any run is QUEUED or RUNNING. Rows are updated in place (keyed
 * by run id), so focus and the compare check boxes survive a refresh.
 */
import { ApiError, api, isActive, newIdempotencyKey, progressOf, TERMINAL } from './api.js';
import { h, setText } from './dom.js';
import { formatTime, formatValue } from './format.js';

const REFRESH_MS = 2000;
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const LIST_LIMIT = 50;

/** The form's fields: input id, label, spec path(s) the API names in its errors, hint. */
const FIELDS = {
  dataset: { label: 'Dataset', paths: ['dataset', 'dataset.name', 'dataset.id'] },
  start: { label: 'Start date', paths: ['period.start'] },
  end: { label: 'End date', paths: ['period.end', 'period'] },
  route: { label: 'Model route', paths: ['model.route', 'model'] },
  slippage: { label: 'Slippage (bps)', paths: ['execution.slippageBps'] },
  halfSpread: { label: 'Half-spread (bps)', paths: ['execution.halfSpreadBps'] },
  conservative: { label: 'Conservative at drawdown', paths: ['risk.thresholds.conservative'] },
  riskOff: { label: 'Risk-off at drawdown', paths: ['risk.thresholds.riskOff', 'risk.thresholds'] },
};
const FIELD_OF_PATH = new Map(Object.entries(FIELDS).flatMap(([id, f]) => f.paths.map((p) => [p, id])));

function field(id, control, hint) {
  const f = FIELDS[id];
  const hintId = `hint-${id}`;
  const errorId = `error-${id}`;
  control.id = `f-${id}`;
  control.name = id;
  control.setAttribute('aria-describedby', hint ? `${hintId} ${errorId}` : errorId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, f.label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

const numberInput = (step) => h('input', { type: 'number', inputmode: 'decimal', step, min: 0 });

function buildForm() {
  const example = h('select', { id: 'f-example', name: 'example' });
  const route = h(
    'select',
    null,
    h('option', { value: 'A' }, 'A: neural network'),
    h('option', { value: 'B' }, 'B: factors + GBDT'),
    h('option', { value: 'ensemble' }, 'Ensemble (A + B)'),
  );
  const form = h(
    'form',
    { id: 'submit-form', novalidate: true, 'aria-labelledby': 'new-heading' },
    h(
      'div',
      { class: 'field field-wide' },
      h('label', { for: 'f-example' }, 'Example spec'),
      example,
      h('p', { class: 'hint', id: 'hint-example' }, 'From examples/*.json; the fields below override it.'),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Data and period'),
      field(
        'dataset',
        h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }),
        'A dataset name or id (ds_…).',
      ),
      field('start', h('input', { type: 'date' })),
      field('end', h('input', { type: 'date' })),
    ),
    h('fieldset', null, h('legend', null, 'Model'), field('route', route)),
    h(
      'fieldset',
      null,
      h('legend', null, 'Trading costs'),
      field('slippage', numberInput('0.1'), 'Per trade, in basis points.'),
      field('halfSpread', numberInput('0.1'), 'Half the quoted spread, in basis points.'),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Drawdown governor'),
      field('conservative', numberInput('0.01'), 'Fraction of peak NAV, e.g. 0.08.'),
      field('riskOff', numberInput('0.01'), 'Fraction of peak NAV, e.g. 0.15.'),
    ),
    h('div', { class: 'form-error', id: 'form-error', role: 'alert', hidden: true }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'submit-button' }, 'Start backtest'),
      h('p', { id: 'submit-status', class: 'status', role: 'status', 'aria-live': 'polite' }),
    ),
    h(
      'details',
      { class: 'spec-preview' },
      h('summary', null, 'Spec that will be sent'),
      h('pre', { id: 'spec-preview', tabindex: '0' }),
    ),
  );
  return form;
}

function fillForm(form, example) {
  const f = example.fields;
  const set = (id, v) => {
    form.querySelector(`#f-${id}`).value = v === undefined || v === null ? '' : String(v);
  };
  set('dataset', f.dataset);
  set('start', f.start);
  set('end', f.end);
  set('route', f.route);
  set('slippage', f.slippageBps);
  set('halfSpread', f.halfSpreadBps);
  set('conservative', f.conservative);
  set('riskOff', f.riskOff);
}

/** The spec to submit: the example as written, the form's fields set on it. Throws {field, message} if bad. */
function specOf(form, example) {
  const value = (id) => form.querySelector(`#f-${id}`).value.trim();
  const number = (id) => {
    const v = value(id);
    if (v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw { field: id, message: 'Enter a number.' };
    return n;
  };
  const spec = structuredClone(example.spec);
  const dataset = value('dataset');
  if (dataset === '') throw { field: 'dataset', message: 'Enter a dataset name or id.' };
  spec.dataset = /^ds_[0-9a-f]{24}$/.test(dataset) ? { id: dataset } : { name: dataset };
  if (value('start') === '') throw { field: 'start', message: 'Enter a start date.' };
  if (value('end') === '') throw { field: 'end', message: 'Enter an end date.' };
  spec.period = { start: value('start'), end: value('end') };
  spec.model = { ...(spec.model ?? {}), route: value('route') };
  const execution = { ...(spec.execution ?? {}) };
  const slippage = number('slippage');
  const halfSpread = number('halfSpread');
  if (slippage !== undefined) execution.slippageBps = slippage;
  if (halfSpread !== undefined) execution.halfSpreadBps = halfSpread;
  if (Object.keys(execution).length > 0) spec.execution = execution;
  const thresholds = { ...(spec.risk?.thresholds ?? {}) };
  const conservative = number('conservative');
  const riskOff = number('riskOff');
  if (conservative !== undefined) thresholds.conservative = conservative;
  if (riskOff !== undefined) thresholds.riskOff = riskOff;
  if (Object.keys(thresholds).length > 0) spec.risk = { ...(spec.risk ?? {}), thresholds };
  return spec;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('#form-error');
  summary.hidden = true;
  summary.textContent = '';
}

/** Shows `message` under the field `id`; returns its control. */
function showFieldError(form, id, message) {
  const error = form.querySelector(`#error-${id}`);
  const control = form.querySelector(`#f-${id}`);
  if (error.hidden) {
    error.textContent = message;
    error.hidden = false;
  }
  control.setAttribute('aria-invalid', 'true');
  return control;
}

/** The API's error, next to the fields it names (details.issues, else details.field); the rest above the button. */
function showApiError(form, error) {
  const body = error instanceof ApiError ? error.body : { message: String(error?.message ?? error) };
  const issues =
    body.details?.issues ??
    (body.details?.field ? [{ path: body.details.field, message: body.message }] : []);
  if (body.code === 'UNKNOWN_DATASET' && issues.length === 0)
    issues.push({ path: 'dataset', message: body.message });
  let first;
  const unplaced = [];
  for (const issue of issues) {
    const id = FIELD_OF_PATH.get(issue.path);
    if (id === undefined) unplaced.push(`${issue.path}: ${issue.message}`);
    else first ??= showFieldError(form, id, issue.message);
  }
  const summary = form.querySelector('#form-error');
  summary.textContent =
    `The API refused the spec${error instanceof ApiError ? ` (HTTP ${error.status} ${body.code ?? ''})` : ''}: ${body.message}` +
    (unplaced.length > 0 ? ` — ${unplaced.join('; ')}` : '');
  summary.hidden = false;
  (first ?? summary).focus?.();
}

function statusBadge(status) {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, status);
}

/** The runs table, one row per run, updated in place. */
class RunsTable {
  constructor(toolbar, onSelection) {
    this.toolbar = toolbar;
    this.rows = new Map();
    this.onSelection = onSelection;
    this.body = h('tbody');
    this.empty = h('p', { class: 'muted', hidden: true }, 'No runs yet: start one with the form above.');
    this.table = h(
      'table',
      { class: 'runs', id: 'runs-table' },
      h('caption', { class: 'visually-hidden' }, 'Backtests of this tenant, newest first'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select to compare')),
          h('th', { scope: 'col' }, 'Run'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Progress'),
          h('th', { scope: 'col' }, 'Created'),
          h('th', { scope: 'col', class: 'num' }, 'Total return'),
          h('th', { scope: 'col', class: 'num' }, 'Sharpe (daily)'),
          h('th', { scope: 'col', class: 'num' }, 'Max drawdown'),
        ),
      ),
      this.body,
    );
    this.wrap = h('div', { class: 'table-wrap' }, this.table);
  }

  rowOf(runId) {
    let row = this.rows.get(runId);
    if (row !== undefined) return row;
    const check = h('input', { type: 'checkbox', id: `select-${runId}`, 'data-run': runId, disabled: true });
    check.addEventListener('change', () => this.onSelection());
    const cells = {
      select: h(
        'td',
        { 'data-label': 'Compare' },
        check,
        h('label', { for: check.id, class: 'visually-hidden' }, `Select run ${runId} to compare`),
      ),
      run: h('td', { 'data-label': 'Run' }, h('a', { href: `/runs/${runId}`, class: 'run-id' }, runId)),
      status: h('td', { 'data-label': 'Status' }),
      progress: h('td', { 'data-label': 'Progress' }),
      created: h('td', { 'data-label': 'Created' }),
      totalReturn: h('td', { 'data-label': 'Total return', class: 'num' }),
      sharpe: h('td', { 'data-label': 'Sharpe (daily)', class: 'num' }),
      maxDrawdown: h('td', { 'data-label': 'Max drawdown', class: 'num' }),
    };
    const tr = h('tr', { 'data-run': runId, 'data-status': '' }, Object.values(cells));
    row = { tr, cells, check, key: '' };
    this.rows.set(runId, row);
    return row;
  }

  /** Shows `runs` (run views, newest first). */
  render(runs) {
    this.empty.hidden = runs.length > 0;
    this.toolbar.hidden = runs.length === 0;
    this.wrap.hidden = runs.length === 0;
    runs.forEach((run, index) => {
      const row = this.rowOf(run.runId);
      const progress = progressOf(run);
      const m = run.metrics ?? {};
      const key = JSON.stringify([run.status, progress.label, m.totalReturn, m.sharpeDaily, m.maxDrawdown]);
      if (key !== row.key) {
        row.key = key;
        row.tr.dataset.status = run.status;
        row.cells.status.replaceChildren(statusBadge(run.status));
        const bar = h('progress', {
          max: 100,
          value: Math.round(progress.fraction * 100),
          'aria-label': `Progress of run ${run.runId}`,
        });
        row.cells.progress.replaceChildren(bar, h('span', { class: 'progress-label' }, ` ${progress.label}`));
        setText(row.cells.created, formatTime(run.createdAt));
        setText(row.cells.totalReturn, formatValue(m.totalReturn, 'percent'));
        setText(row.cells.sharpe, formatValue(m.sharpeDaily, 'ratio'));
        setText(row.cells.maxDrawdown, formatValue(m.maxDrawdown, 'percent'));
        row.check.disabled = run.status !== 'SUCCEEDED';
        if (row.check.disabled) row.check.checked = false;
      }
      const at = this.body.children[index];
      if (at !== row.tr) this.body.insertBefore(row.tr, at ?? null);
    });
    const shown = new Set(runs.map((r) => r.runId));
    for (const [runId, row] of this.rows) {
      if (!shown.has(runId)) {
        row.tr.remove();
        this.rows.delete(runId);
      }
    }
  }

  selected() {
    return [...this.rows.values()]
      .filter((r) => r.check.checked && !r.check.disabled)
      .map((r) => r.check.dataset.run);
  }
}

export async function runsPage(main) {
  document.title = 'Backtests · hts';
  const form = buildForm();
  const status = h('p', { id: 'runs-status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const compareButton = h(
    'button',
    { type: 'button', id: 'compare-button', disabled: true },
    'Compare selected',
  );
  const compareHint = h('span', { class: 'muted', id: 'compare-hint' }, 'Select two finished runs.');
  const toolbar = h('div', { class: 'toolbar', hidden: true }, compareButton, compareHint);
  const table = new RunsTable(toolbar, () => {
    const picked = table.selected();
    compareButton.disabled = picked.length !== 2;
    setText(
      compareHint,
      picked.length === 2 ? 'Ready to compare.' : `Select two finished runs (${picked.length} selected).`,
    );
  });
  compareButton.addEventListener('click', () => {
    const [a, b] = table.selected();
    if (a && b) location.assign(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  });
  main.replaceChildren(
    h('h1', null, 'Backtests'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'new-heading' },
      h('h2', { id: 'new-heading' }, 'New backtest'),
      form,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'runs-heading' },
      h('h2', { id: 'runs-heading' }, 'Runs'),
      status,
      toolbar,
      table.wrap,
      table.empty,
    ),
  );

  // runs: the list page, plus each run's view (progress, metrics); finished runs' views never change again
  const views = new Map();
  let timer;
  let refreshing = false;
  const refresh = async () => {
    if (refreshing) return;
    refreshing = true;
    clearTimeout(timer);
    try {
      const page = await api(`/v1/backtests?limit=${LIST_LIMIT}`);
      const items = page.items ?? [];
      await Promise.all(
        items.map(async (item) => {
          const known = views.get(item.runId);
          if (known && TERMINAL.has(known.status) && known.status === item.status) return;
          views.set(item.runId, await api(`/v1/backtests/${encodeURIComponent(item.runId)}`));
        }),
      );
      const runs = items.map((item) => views.get(item.runId) ?? { ...item, progress: {}, metrics: null });
      table.render(runs);
      const active = runs.filter((r) => isActive(r.status)).length;
      setText(
        status,
        runs.length === 0
          ? ''
          : active > 0
            ? `${plural(runs.length, 'run')}, ${active} in progress: refreshing every 2 seconds.`
            : `${plural(runs.length, 'run')}, none in progress.`,
      );
      if (active > 0) timer = setTimeout(refresh, REFRESH_MS);
    } catch (e) {
      setText(status, `Could not load the runs: ${e.message}. Retrying in 2 seconds.`);
      timer = setTimeout(refresh, REFRESH_MS);
    } finally {
      refreshing = false;
    }
  };

  // the form: examples from the server, the spec preview, submit with an Idempotency-Key made here
  const select = form.querySelector('#f-example');
  const preview = form.querySelector('#spec-preview');
  const submitStatus = form.querySelector('#submit-status');
  const button = form.querySelector('#submit-button');
  let examples = [];
  let pendingKey;
  let pendingBody;
  const current = () => examples.find((e) => e.name === select.value);
  const updatePreview = () => {
    const example = current();
    if (example === undefined) return;
    try {
      preview.textContent = JSON.stringify(specOf(form, example), null, 2);
    } catch (e) {
      preview.textContent = e.message ?? String(e);
    }
  };
  select.addEventListener('change', () => {
    const example = current();
    if (example !== undefined) fillForm(form, example);
    clearErrors(form);
    updatePreview();
  });
  form.addEventListener('input', updatePreview);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const example = current();
    if (example === undefined) return;
    let spec;
    try {
      spec = specOf(form, example);
    } catch (e) {
      showFieldError(form, e.field, e.message).focus();
      return;
    }
    const body = JSON.stringify(spec);
    // the same spec submitted again after a failure that may not have reached the API reuses its key
    if (body !== pendingBody) {
      pendingKey = newIdempotencyKey();
      pendingBody = body;
    }
    button.disabled = true;
    setText(submitStatus, 'Submitting…');
    try {
      const out = await api('/v1/backtests', {
        method: 'POST',
        body: spec,
        headers: { 'idempotency-key': pendingKey },
      });
      pendingBody = undefined;
      submitStatus.replaceChildren(
        'Run ',
        h('a', { href: `/runs/${out.runId}` }, out.runId),
        ` is ${out.status}.`,
      );
      await refresh();
    } catch (e) {
      if (e instanceof ApiError) pendingBody = undefined; // answered: a new attempt is a new request
      setText(submitStatus, '');
      showApiError(form, e);
    } finally {
      button.disabled = false;
    }
  });

  const [loaded] = await Promise.all([api('/dashboard/examples.json'), refresh()]);
  examples = loaded.examples ?? [];
  select.replaceChildren(...examples.map((e) => h('option', { value: e.name }, `${e.name}.json`)));
  const initial = examples.find((e) => e.name === 'demo') ?? examples[0];
  if (initial !== undefined) {
    select.value = initial.name;
    fillForm(form, initial);
    updatePreview();
  } else {
    button.disabled = true;
    setText(submitStatus, 'No example spec found in examples/.');
  }
}
