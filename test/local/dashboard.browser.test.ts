/// <reference lib="dom" />
/**
 * The local dashboard in a real browser (Debian chromium driven by playwright-core) against the local stack on a
 * temp folder with a small synthetic dataset: the submit form starts two runs (one refused first, the API's error
 * shown next to the field it names), the list and the run page show them finishing, the run page shows the
 * metrics, the equity chart and the presigned artifact links, the report link opens report.html from the local
 * S3, and the compare page overlays both equity curves. Throughout: no console error, no request outside
 * 127.0.0.1, text contrast >= 4.5:1, every control reachable by keyboard with a visible focus, and no horizontal
 * overflow at a phone width. Screenshots go to test-output/dashboard/. Chromium is installed by .ci/run; when it
 * is missing this test fails, it does not skip.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_IDS } from '../../lib/report/index.ts';
import { HtsApiClient } from '../../local/cli/api-client.ts';
import { generateDataset } from '../../local/cli/commands/data.ts';
import { publishDataset } from '../../local/stack/publish-dataset.ts';
import { type LocalStack, startLocalStack } from '../../local/stack/stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'dashboard');
const LAPTOP = { width: 1366, height: 768 };
const NARROW = { width: 390, height: 844 };
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'JPM', 'BAC', 'XOM', 'CVX', 'JNJ', 'PFE', 'PG', 'KO', 'SPY'];
/** The form's fields, as ids of their controls. */
const FORM_CONTROLS = [
  'f-example',
  'f-dataset',
  'f-start',
  'f-end',
  'f-route',
  'f-slippage',
  'f-halfSpread',
  'f-conservative',
  'f-riskOff',
  'submit-button',
];

const tmp = mkdtempSync(join(tmpdir(), 'hts-dashboard-'));
let stack: LocalStack;
let browser: Browser | undefined;
let context: BrowserContext;
/** Every request any page made, and every console error or page error, over the whole file. */
const requests: string[] = [];
const problems: string[] = [];
const runIds: string[] = [];

beforeAll(async () => {
  // fail, do not skip: the browser tests are part of the suite
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run installs Debian's chromium`).toBe(true);
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const dataDir = join(tmp, 'dataset');
  await generateDataset({
    out: dataDir,
    start: '2022-12-01',
    end: '2023-06-30',
    seed: 21,
    symbols: SYMBOLS,
    progress: false,
  });
  stack = await startLocalStack({ root: join(tmp, 'root'), codeVersion: 'dashboard-test' });
  // the example specs name the dataset `demo`
  await publishDataset(stack.store, dataDir, ['demo']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string, viewport = LAPTOP): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${stack.apiUrl}${path}`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT_DIR, `${name}.png`), fullPage: true });
}

/** Documents wider than the viewport scroll sideways: what a phone layout must not do. */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Visible text whose contrast with its (first opaque ancestor) background is below 4.5:1. */
async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      if (el.closest('svg, option, .visually-hidden, [hidden]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const fg = lum(rgb(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5)
        bad.push(`${el.tagName.toLowerCase()} "${n.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
    return bad;
  });
}

/** Rendered line charts: per figure, its declared series count and the paths that actually draw. */
async function renderedCharts(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('figure[data-chart]')).map((figure) => {
      const svg = figure.querySelector('svg.chart');
      const box = svg?.getBoundingClientRect();
      const paths = Array.from(figure.querySelectorAll('svg.chart path.series'));
      return {
        chart: figure.getAttribute('data-chart'),
        declared: Number(figure.getAttribute('data-series-count')),
        svgArea: box ? box.width * box.height : 0,
        series: paths.map((p) => p.getAttribute('data-series')),
        drawing: paths.filter((p) => {
          const b = (p as SVGPathElement).getBBox();
          return (p.getAttribute('d') ?? '').length > 10 && b.width > 10;
        }).length,
      };
    }),
  );
}

/** Submits the form with `fields` (control id → value) by keyboard; resolves to the new run's id. */
async function submitForm(page: Page, fields: Record<string, string>): Promise<string> {
  for (const [id, value] of Object.entries(fields)) {
    const control = page.locator(`#${id}`);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
  await page.focus('#submit-button');
  await page.keyboard.press('Enter');
  const link = page.locator('#submit-status a');
  await link.waitFor({ timeout: 15_000 });
  return (await link.textContent())!.trim();
}

describe('local dashboard: the runs page and the submit form', () => {
  it('shows the API’s refusal next to the field it names, then starts a run and shows it finishing', async () => {
    const page = await open('/');
    expect(await page.locator('#tenant-name').textContent()).toBe('local');
    const examples = await page.locator('#f-example option').allTextContents();
    expect(examples).toEqual(expect.arrayContaining(['demo.json', 'route-b.json']));
    expect(await page.locator('#f-example').inputValue()).toBe('demo');
    expect(await page.locator('#f-dataset').inputValue()).toBe('demo');

    // every form control has a label, is reachable with Tab, and shows where the focus is
    for (const id of FORM_CONTROLS) {
      const labelled = await page.evaluate((controlId) => {
        const el = document.getElementById(controlId)!;
        return el.tagName === 'BUTTON'
          ? (el.textContent ?? '').trim().length > 0
          : (el as HTMLInputElement).labels!.length > 0;
      }, id);
      expect(labelled, id).toBe(true);
    }
    // from the last link of the header, Tab by Tab (what the focus ring shows is read after each key)
    await page.focus('a[data-nav="compare"]');
    const reached = new Set<string>();
    const outlines = new Set<string>();
    for (let i = 0; i < 30 && reached.size < FORM_CONTROLS.length; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const s = getComputedStyle(el);
        return { id: el.id, outline: `${s.outlineStyle} ${s.outlineWidth}` };
      });
      if (FORM_CONTROLS.includes(focus.id)) {
        reached.add(focus.id);
        outlines.add(`${focus.id}: ${focus.outline}`);
      }
    }
    expect([...reached].sort()).toEqual([...FORM_CONTROLS].sort());
    expect(
      [...outlines].every((o) => /: solid [1-9]/.test(o)),
      [...outlines].join(),
    ).toBe(true);

    // a slippage the spec schema refuses: the API answers 400 naming execution.slippageBps
    await page.fill('#f-start', '2023-05-01');
    await page.fill('#f-end', '2023-06-30');
    await page.fill('#f-slippage', '500');
    await page.click('#submit-button');
    const error = page.locator('#error-slippage');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/100/);
    expect(await page.getAttribute('#f-slippage', 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-slippage');
    expect(await page.locator('#form-error').textContent()).toMatch(/HTTP 400 INVALID_INPUT/);
    // the one expected console line: Chromium logs the refused request
    const refused = problems.findIndex((p) => /status of 400/.test(p));
    expect(refused, problems.join('\n')).toBeGreaterThanOrEqual(0);
    problems.splice(refused, 1);
    await shot(page, 'runs-form-error-laptop');

    const first = await submitForm(page, {
      'f-slippage': '2',
      'f-halfSpread': '0.5',
      'f-route': 'B',
      'f-conservative': '0.08',
      'f-riskOff': '0.15',
    });
    runIds.push(first);
    expect(await page.locator('#error-slippage').isHidden()).toBe(true);
    const row = page.locator(`tr[data-run="${first}"]`);
    await row.waitFor();
    await page.locator(`tr[data-run="${first}"][data-status="SUCCEEDED"]`).waitFor({ timeout: 60_000 });
    const cells = await row.locator('td.num').allTextContents();
    expect(cells).toHaveLength(3);
    for (const c of cells) expect(c).toMatch(/\d/);
    await page.waitForFunction(() =>
      /none in progress/.test(document.getElementById('runs-status')?.textContent ?? ''),
    );
    const spec = await new HtsApiClient(stack.apiUrl).get(first);
    expect(spec.status).toBe('SUCCEEDED');
    expect(await lowContrast(page)).toEqual([]);
    await shot(page, 'runs-laptop');
    await page.close();
  }, 90_000);

  it('a second run from the form, followed on its run page until it succeeds', async () => {
    const page = await open('/');
    await page.selectOption('#f-example', 'route-b');
    const second = await submitForm(page, {
      'f-dataset': 'demo',
      'f-start': '2023-05-01',
      'f-end': '2023-06-30',
      'f-slippage': '8',
      'f-halfSpread': '4',
    });
    runIds.push(second);
    await page.click('#submit-status a');
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toBe(`${stack.apiUrl}/runs/${second}`);
    const live = page.locator('#run-live');
    expect(await live.getAttribute('aria-live')).toBe('polite');
    const seen: string[] = [];
    for (let i = 0; i < 600; i++) {
      const text = (await live.textContent()) ?? '';
      if (seen[seen.length - 1] !== text) seen.push(text);
      if (/^Run (succeeded|failed|cancelled)/.test(text)) break;
      await page.waitForTimeout(100);
    }
    expect(seen[seen.length - 1], seen.join(' | ')).toBe('Run succeeded.');
    expect(await live.textContent()).toBe('Run succeeded.');
    const states = await page
      .locator('#stages li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state')));
    expect(states).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    await page.locator('#results figure[data-chart="equity"] svg.chart').waitFor();
    await page.close();
  }, 90_000);
});

describe('local dashboard: a run page', () => {
  it('shows the metrics, the equity chart with its series and every artifact through presigned URLs', async () => {
    const runId = runIds[0]!;
    const client = new HtsApiClient(stack.apiUrl);
    const artifacts = await client.artifacts(runId);
    expect(artifacts.artifacts.map((a) => a.name)).toContain('charts.json');
    const equity = (await (await fetch(`${stack.apiUrl}/v1/backtests/${runId}/charts/equity`)).json()) as {
      status: string;
      series: { id: string }[];
    };
    expect(equity.status).toBe('ok');
    for (const viewport of [LAPTOP, NARROW]) {
      const page = await open(`/runs/${runId}`, viewport);
      await page.locator('#results figure[data-chart="equity"] svg.chart').waitFor();
      const charts = await renderedCharts(page);
      expect(charts).toHaveLength(1);
      expect(charts[0]!.svgArea).toBeGreaterThan(10_000);
      expect(charts[0]!.series).toEqual(equity.series.map((s) => s.id));
      expect(charts[0]!.drawing).toBe(equity.series.length);
      expect(await page.locator('#metrics-table tbody tr').count()).toBeGreaterThan(10);
      const links = await page
        .locator('#artifacts-table a[data-artifact]')
        .evaluateAll((as) =>
          as.map((a) => ({ name: a.getAttribute('data-artifact'), href: (a as HTMLAnchorElement).href })),
        );
      expect(links.map((l) => l.name).sort()).toEqual(artifacts.artifacts.map((a) => a.name).sort());
      for (const l of links) expect(new URL(l.href).origin).toBe(stack.s3Endpoint);
      // a presigned link really downloads the artifact
      const metrics = links.find((l) => l.name === 'metrics.json')!;
      expect((await fetch(metrics.href)).status).toBe(200);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(await lowContrast(page)).toEqual([]);
      await shot(page, `run-${viewport === LAPTOP ? 'laptop' : 'narrow'}`);
      await page.close();
    }
  }, 60_000);

  it('links to report.html, which the local S3 serves and which draws every chart', async () => {
    const runId = runIds[0]!;
    const page = await open(`/runs/${runId}`);
    await page.locator('#report-link').waitFor();
    await Promise.all([page.waitForURL((u) => u.origin === stack.s3Endpoint), page.click('#report-link')]);
    await page.waitForLoadState('load');
    expect(await page.title()).toContain(runId);
    const sections = await page.evaluate(
      (ids) =>
        ids.map((id) => {
          const section = document.getElementById(`chart-${id}`);
          const drawn = Array.from(section?.querySelectorAll('svg, table') ?? []).filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0;
          });
          return { id, found: section !== null, drawn: drawn.length };
        }),
      [...CHART_IDS],
    );
    for (const s of sections) {
      expect(s.found, s.id).toBe(true);
      expect(s.drawn, s.id).toBeGreaterThan(0);
    }
    await shot(page, 'report-laptop');
    await page.close();
  }, 60_000);
});

describe('local dashboard: comparing two runs', () => {
  it('selects two runs on the list, overlays their equity curves and sets their metrics side by side', async () => {
    const [a, b] = runIds as [string, string];
    const list = await open('/');
    await list.locator(`#select-${a}`).check();
    expect(await list.locator('#compare-button').isDisabled()).toBe(true);
    await list.locator(`#select-${b}`).check();
    await Promise.all([list.waitForURL(/\/compare\?/), list.click('#compare-button')]);
    const url = new URL(list.url());
    const pair = [url.searchParams.get('a'), url.searchParams.get('b')];
    expect(pair.sort()).toEqual([a, b].sort());
    await list.close();

    const head = (await (await fetch(`${stack.apiUrl}/v1/backtests/${pair[0]}/charts/headline`)).json()) as {
      rows: unknown[];
    };
    const equityA = (await (await fetch(`${stack.apiUrl}/v1/backtests/${pair[0]}/charts/equity`)).json()) as {
      series: { id: string }[];
    };
    const expectedSeries = 2 + (equityA.series.some((s) => s.id === 'spy') ? 1 : 0);
    for (const viewport of [LAPTOP, NARROW]) {
      const page = await open(`/compare?a=${pair[0]}&b=${pair[1]}`, viewport);
      await page.locator('#compare-results svg.chart').waitFor();
      const charts = await renderedCharts(page);
      expect(charts).toHaveLength(1);
      expect(charts[0]!.series).toEqual(['run-a', 'run-b', 'spy'].slice(0, expectedSeries));
      expect(charts[0]!.declared).toBe(expectedSeries);
      expect(charts[0]!.drawing).toBe(expectedSeries);
      expect(await page.locator('#compare-metrics tbody tr').count()).toBe(head.rows.length);
      const firstRow = await page
        .locator('#compare-metrics tbody tr')
        .first()
        .locator('td')
        .allTextContents();
      expect(firstRow.slice(0, 2).every((t) => /\d/.test(t))).toBe(true);
      expect(await page.locator('#pick-a').inputValue()).toBe(pair[0]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(await lowContrast(page)).toEqual([]);
      await shot(page, `compare-${viewport === LAPTOP ? 'laptop' : 'narrow'}`);
      await page.close();
    }
  }, 60_000);

  it('lays the runs page out without horizontal overflow on a phone', async () => {
    const page = await open('/', NARROW);
    await page.locator(`tr[data-run="${runIds[0]}"]`).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await lowContrast(page)).toEqual([]);
    await shot(page, 'runs-narrow');
    await page.close();
  });
});

describe('local dashboard: what the pages did', () => {
  it('logged no error and requested nothing outside 127.0.0.1', () => {
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThan(20);
    const outside = requests.filter((u) => new URL(u).hostname !== '127.0.0.1');
    expect(outside).toEqual([]);
  });

  it('serves the pages with a strict Content-Security-Policy and only known static files', async () => {
    const res = await fetch(`${stack.apiUrl}/`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await res.text()).toContain('<meta name="hts-tenant" content="local">');
    expect((await fetch(`${stack.apiUrl}/dashboard/app.js`)).headers.get('content-type')).toMatch(
      /javascript/,
    );
    expect((await fetch(`${stack.apiUrl}/dashboard/server.ts`)).status).toBe(404);
    expect((await fetch(`${stack.apiUrl}/dashboard/..%2Fhttp-server.ts`)).status).toBe(404);
  });
});
