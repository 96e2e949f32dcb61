/** The dashboard's entry: picks the page from the path (`/`, `/runs/{runId}`, `/compare`). */
import { tenant } from './api.js';
import { comparePage } from './compare-page.js';
import { h } from './dom.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

async function start() {
  const main = document.getElementById('main');
  document.getElementById('tenant-name').textContent = tenant;
  const path = location.pathname;
  const run = /^\/runs\/([A-Za-z0-9][A-Za-z0-9_-]{0,79})$/.exec(path);
  const nav = path === '/compare' ? 'compare' : path === '/' ? 'runs' : '';
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === nav) link.setAttribute('aria-current', 'page');
  }
  try {
    if (path === '/') await runsPage(main);
    else if (path === '/compare') await comparePage(main, new URLSearchParams(location.search));
    else if (run) await runPage(main, run[1]);
    else main.replaceChildren(h('h1', null, 'Not found'), h('p', null, h('a', { href: '/' }, 'All runs')));
  } catch (e) {
    main.replaceChildren(
      h('h1', null, 'Something went wrong'),
      h('p', { role: 'alert' }, e.message ?? String(e)),
    );
  }
  document.body.dataset.ready = 'true';
}

start();
