/// <reference lib="dom" />
/**
 * report.html in a real browser (Debian chromium driven by playwright-core): every chart renders with the
 * expected number of series, nothing is logged as an error, nothing is fetched but the file itself, the
 * interactive bits work (CSP-pinned script), and the layout holds at a laptop and a phone width. Screenshots go
 * to test-output/report/. Chromium is installed by .ci/run; when it is missing this test fails, it does not skip.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildReportPayloads,
  CHART_IDS,
  type ChartId,
  type ChartPayloads,
  renderReportHtml,
  reportProvenance,
} from '../../lib/report/index.ts';
import { smallRun } from './fixtures.ts';

/** The DOM as the page callbacks below use it (this project compiles without the DOM lib: they run in the page). */
interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  getBoundingClientRect(): { width: number; height: number; right: number };
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
  closest(selector: string): PageElement | null;
  getBBox(): { width: number; height: number };
}
declare const document: {
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'report');
const LAPTOP = { width: 1366, height: 768 };
const NARROW = { width: 390, height: 844 };

/** Sections that are tables, not charts. */
const TABLES: readonly string[] = ['headline', 'constraint-activity'];

/** What the page should show for a chart: the number of series elements, or a table's rows. */
function expectedSeries(p: ChartPayloads[ChartId]): number {
  if (p.status !== 'ok') return 0;
  switch (p.chartId) {
    case 'headline':
    case 'constraint-activity':
      return p.rows.length;
    case 'monthly-returns':
      return p.rows.some((r) => r.benchmarkYearReturn !== null) ? 2 : 1;
    default:
      return p.series.length;
  }
}

interface Visit {
  readonly page: Page;
  readonly requests: string[];
  readonly problems: string[];
}

let dir = '';
let context: BrowserContext | undefined;
let full: { url: string; payloads: ChartPayloads };
let bare: { url: string; payloads: ChartPayloads };

function writeReport(
  name: string,
  opts: Parameters<typeof smallRun>[0],
): { url: string; payloads: ChartPayloads } {
  const { input } = smallRun(opts);
  const payloads = buildReportPayloads(input);
  const file = join(dir, name);
  writeFileSync(file, renderReportHtml(payloads, reportProvenance(input)));
  return { url: pathToFileURL(file).href, payloads };
}

async function visit(url: string, viewport: { width: number; height: number }): Promise<Visit> {
  const page = await context!.newPage();
  await page.setViewportSize(viewport);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, problems };
}

/** Per chart section: visible SVGs, their series elements, and how many of those actually draw something. */
async function renderedCharts(page: Page) {
  return page.evaluate(
    (ids) => {
      const visible = (el: PageElement) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      };
      return ids.map((id) => {
        const section = document.getElementById(`chart-${id}`);
        if (section === null)
          return {
            id,
            found: false,
            status: '',
            svgs: 0,
            variants: [] as string[],
            series: 0,
            drawn: 0,
            rows: 0,
            unavailable: '',
          };
        const svgs = [...section.querySelectorAll('svg.chart')].filter(visible);
        const series = svgs.flatMap((s) => [...s.querySelectorAll('.series')]);
        const drawn = series.filter((el) => {
          const box = el.getBBox();
          const hasShape =
            el.tagName === 'path'
              ? (el.getAttribute('d') ?? '').length > 0
              : el.querySelector('rect') !== null;
          return hasShape && (box.width > 0 || box.height > 0);
        });
        return {
          id,
          found: true,
          status: section.getAttribute('data-status') ?? '',
          svgs: svgs.length,
          variants: svgs.map((s) => s.getAttribute('class') ?? ''),
          series: series.length,
          drawn: drawn.length,
          rows: section.querySelectorAll('table.headline tbody tr, table.activity tbody tr').length,
          unavailable: section.querySelector('.unavailable')?.textContent ?? '',
        };
      });
    },
    [...CHART_IDS],
  );
}

function expectOnlyLocal(requests: readonly string[]): void {
  expect(requests.length).toBeGreaterThan(0);
  const outside = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'));
  expect(outside, `requests outside the file: ${outside.join(', ')}`).toEqual([]);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'hts-report-'));
  mkdirSync(OUT_DIR, { recursive: true });
  full = writeReport('report.html', { diagnostics: 'synthetic' });
  // fixed targets, no optimizer: no ex-ante volatility (seed 6: the book is not flat at the end, so every series of
  // the top-holdings chart draws; seed 7 ends in risk_off since the holdings-aware engine)
  bare = writeReport('report-bare.html', { seed: 6, sectors: false, decider: 'targets' });
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    offline: true,
  });
  // Anything that is not the file itself is recorded by the listeners and refused here.
  await context.route(/^(?!file:|data:)/, (route) => route.abort());
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('report.html in chromium', () => {
  it('renders every chart with the expected series at laptop width, with no error and no request', async () => {
    const { page, requests, problems } = await visit(full.url, LAPTOP);
    const charts = await renderedCharts(page);
    for (const c of charts) {
      const p = full.payloads[c.id as ChartId];
      expect(c.found, `section of ${c.id}`).toBe(true);
      expect(c.status, c.id).toBe('ok');
      if (TABLES.includes(c.id)) {
        expect(c.rows, `${c.id}: table rows`).toBe(expectedSeries(p));
        expect(c.svgs, c.id).toBe(0);
        continue;
      }
      expect(c.svgs, `${c.id}: one visible SVG (${c.variants.join(' | ')})`).toBe(1);
      expect(c.variants[0], c.id).toContain('v-wide');
      expect(c.series, `${c.id}: series elements`).toBe(expectedSeries(p));
      expect(c.drawn, `${c.id}: series that draw something`).toBe(c.series);
    }
    await page.screenshot({ path: join(OUT_DIR, 'laptop-1366x768.png'), fullPage: true });
    await page.screenshot({ path: join(OUT_DIR, 'laptop-1366x768-top.png') });
    expect(problems).toEqual([]);
    expectOnlyLocal(requests);
    await page.close();
  });

  it('switches the equity curve to a log scale and shows values under the pointer', async () => {
    const { page, problems } = await visit(full.url, LAPTOP);
    const equity = page.locator('#chart-equity');
    expect(await equity.locator('svg.v-wide.v-lin').isVisible()).toBe(true);
    await equity.locator('input[data-log-toggle]').check();
    expect(await equity.locator('svg.v-wide.v-log').isVisible()).toBe(true);
    expect(await equity.locator('svg.v-wide.v-lin').isVisible()).toBe(false);
    expect(await equity.locator('svg.v-wide.v-log .series').count()).toBe(2);

    const box = (await equity.locator('svg.v-wide.v-log').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    const tip = page.locator('.tip');
    await tip.waitFor({ state: 'visible', timeout: 5_000 });
    const text = (await tip.textContent()) ?? '';
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(text).toContain('Strategy: ');
    expect(text).toContain('SPY: ');
    expect(await equity.locator('svg.v-wide.v-log .guide').getAttribute('visibility')).toBe('visible');

    // the collapsible spec opens
    const spec = page.locator('#provenance details');
    expect(await spec.locator('pre').isVisible()).toBe(false);
    await spec.locator('summary').click();
    expect(await spec.locator('pre').textContent()).toContain('"specVersion": 1');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the volatility chart with its target band and quarters, and the constraint activity tables', async () => {
    const { page, problems } = await visit(full.url, LAPTOP);
    const vol = page.locator('#chart-ex-ante-volatility');
    const band = vol.locator('svg.v-wide .value-bands rect');
    expect(await band.count()).toBe(1);
    const box = (await band.boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    expect(box.height).toBeGreaterThan(2);
    expect(await vol.locator('.legend').textContent()).toContain('Target band (shaded)');
    const p = full.payloads['ex-ante-volatility'];
    if (p.status !== 'ok') throw new Error('expected an ok volatility payload');
    expect(await vol.locator('table.quarters tbody tr').count()).toBe(p.quarters.length);
    expect(await vol.locator('table.quarters').isVisible()).toBe(true);
    // the pointer read-out lists the three series
    await vol.locator('svg.v-wide').scrollIntoViewIfNeeded();
    const svg = (await vol.locator('svg.v-wide').boundingBox())!;
    await page.mouse.move(svg.x + svg.width * 0.7, svg.y + svg.height * 0.5);
    const tip = page.locator('.tip');
    await tip.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await tip.textContent()).toContain('Ex-ante (optimizer): ');

    const activity = page.locator('#chart-constraint-activity');
    const a = full.payloads['constraint-activity'];
    if (a.status !== 'ok') throw new Error('expected an ok constraint activity payload');
    expect(await activity.locator('table.activity').isVisible()).toBe(true);
    expect(await activity.locator('table.activity tbody tr').count()).toBe(a.rows.length);
    expect(await activity.locator('table.activity tbody tr').first().textContent()).toContain(
      'Turnover cap binds',
    );
    expect(await activity.locator('table.gaps tbody tr').count()).toBe(a.gaps.shown.length);
    expect(await activity.textContent()).toContain('Failures by reason');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lays out at a narrow width without horizontal overflow', async () => {
    const { page, requests, problems } = await visit(full.url, NARROW);
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => el.closest('.table-wrap, pre, details:not([open])') === null)
        .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`)
        .slice(0, 5),
    }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.wide).toEqual([]);
    const charts = await renderedCharts(page);
    for (const c of charts) {
      if (TABLES.includes(c.id)) continue;
      expect(c.svgs, c.id).toBe(1);
      expect(c.variants[0], c.id).toContain('v-narrow');
      expect(c.series, c.id).toBe(expectedSeries(full.payloads[c.id as ChartId]));
      expect(c.drawn, c.id).toBe(c.series);
    }
    await page.screenshot({ path: join(OUT_DIR, 'narrow-390x844.png'), fullPage: true });
    await page.screenshot({ path: join(OUT_DIR, 'narrow-390x844-top.png') });
    expect(problems).toEqual([]);
    expectOnlyLocal(requests);
    await page.close();
  });

  it('says which charts are not available for a run without diagnostics, sectors or an optimizer, and draws no empty chart', async () => {
    const { page, problems, requests } = await visit(bare.url, LAPTOP);
    const charts = await renderedCharts(page);
    const missing = [
      'sector-weights',
      'ex-ante-volatility',
      'ic-by-fold',
      'decile-spreads',
      'ic-decay',
      'feature-importance',
    ];
    for (const c of charts) {
      if (missing.includes(c.id)) {
        expect(c.status, c.id).toBe('unavailable');
        expect(c.svgs, c.id).toBe(0);
        expect(c.unavailable, c.id).toMatch(/^Not available for this run: .+\.$/);
      } else if (!TABLES.includes(c.id)) {
        expect(c.series, c.id).toBe(expectedSeries(bare.payloads[c.id as ChartId]));
        expect(c.drawn, c.id).toBe(c.series);
      }
    }
    await page.screenshot({ path: join(OUT_DIR, 'bare-1366x768.png'), fullPage: true });
    expect(problems).toEqual([]);
    expectOnlyLocal(requests);
    await page.close();
  });
});
