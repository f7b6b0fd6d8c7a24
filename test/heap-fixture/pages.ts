import type { Page } from '@playwright/test';

/** An origin the suite serves from memory (page.route): real HTTP semantics, no server process. */
export const ORIGIN = 'http://heapscope.test';

/**
 * A page with an "Open" and a "Close" button. Opening builds a panel of `rows` paragraphs; closing
 * removes it, and with `leak` also pushes it onto `window.closedPanels` (never trimmed).
 */
export async function openPanelApp(page: Page, options: { leak: boolean; rows?: number }): Promise<void> {
  const html = `<!doctype html><meta charset="utf-8"><title>panel app</title>
<button id="open">Open</button><button id="close">Close</button><div id="host"></div>
<script>
let panel = null;
const closedPanels = [];
window.closedPanels = closedPanels;
document.getElementById('open').addEventListener('click', () => {
  panel = document.createElement('div');
  panel.className = 'panel';
  for (let i = 0; i < ${options.rows ?? 20}; i++) {
    const p = document.createElement('p');
    p.textContent = 'row ' + i;
    panel.append(p);
  }
  document.getElementById('host').append(panel);
});
document.getElementById('close').addEventListener('click', () => {
  if (!panel) return;
  panel.remove();
  ${options.leak ? 'closedPanels.push(panel);' : ''}
  panel = null;
});
</script>`;
  await serve(page, { '/': html });
  await page.goto(`${ORIGIN}/`);
}

/** Serves `files` (path → body) at ORIGIN for this page. */
export async function serve(page: Page, files: Record<string, string>): Promise<void> {
  await page.route(`${ORIGIN}/**`, (route) => {
    const body = files[new URL(route.request().url()).pathname];
    return body === undefined
      ? route.fulfill({ status: 404, body: 'not found' })
      : route.fulfill({ status: 200, contentType: path(route.request().url()).endsWith('.js') ? 'text/javascript' : 'text/html', body });
  });
}

function path(url: string): string {
  return new URL(url).pathname;
}
