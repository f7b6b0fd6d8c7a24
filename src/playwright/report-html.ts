import path from 'node:path';
import { formatPath } from '../analysis/paths.js';
import { formatBytes } from '../cli/format.js';
import type { LeakReportDocument } from './recorder.js';

/**
 * The leak report as one self-contained HTML page for Playwright's report: no script, no external
 * resource, every heap string escaped (class names and property names come from the page under
 * test and may hold markup).
 */
export function leakReportHtml(doc: LeakReportDocument): string {
  const verdict = doc.pass ? 'PASS' : 'FAIL';
  const title = doc.test ? doc.test.titlePath.filter(Boolean).join(' › ') : path.basename(doc.final);
  const rows = doc.leaks.map((c, i) => `
<tr>
  <td class="n">${c.count}</td>
  <td>${esc(c.name)}<div class="t">${esc(c.type)}</div></td>
  <td class="n">${esc(formatBytes(c.retainedSize))}</td>
  <td class="n">${esc(formatBytes(c.selfSize))}</td>
  <td><code>${esc(c.path)}</code>
    <details${i === 0 ? ' open' : ''}><summary>retainer path of @${c.ids[0] ?? ''}</summary><ol>${c.retainerPath.map((s) =>
      `<li>${s.edge === null ? '' : `<span class="e">${esc(s.edge)}</span> → `}${esc(s.name)} <span class="t">${esc(s.type)} @${s.id}</span></li>`).join('')}</ol>
    <div class="t">ids: ${c.ids.slice(0, 20).join(', ')}${c.ids.length > 20 ? ', …' : ''}</div></details></td>
</tr>`).join('');
  const budgets = doc.budgets;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>heapscope leaks: ${esc(title)}</title>
<style>
body { font: 13px/1.45 system-ui, sans-serif; margin: 24px; color: #202124; }
h1 { font-size: 18px; margin: 0 0 4px; } .verdict { font-weight: 700; color: ${doc.pass ? '#188038' : '#c5221f'}; }
table { border-collapse: collapse; width: 100%; margin-top: 16px; } th, td { border-bottom: 1px solid #dadce0; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #f1f3f4; font-weight: 600; } td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, monospace; word-break: break-all; } .t { color: #5f6368; font-size: 12px; } .e { color: #a142f4; }
ol { margin: 4px 0; padding-left: 20px; font: 12px ui-monospace, monospace; } dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dt { color: #5f6368; } dd { margin: 0; }
</style></head><body>
<h1>heapscope leak report: <span class="verdict">${verdict}</span></h1>
<div>${esc(title)}</div>
<p>${doc.totalCount} leaked object${doc.totalCount === 1 ? '' : 's'} in ${doc.leaks.length} cluster${doc.leaks.length === 1 ? '' : 's'},
${esc(formatBytes(doc.totalRetainedSize))} retained; budget ${budgets.maxLeakedObjects} objects, ${esc(formatBytes(budgets.maxLeakedBytes))}.</p>
<dl>
<dt>source</dt><dd>${esc(doc.source)}</dd>
<dt>snapshots</dt><dd>${[doc.baseline, doc.target, doc.final].map((f) => esc(path.basename(f))).join(' → ')}</dd>
<dt>candidates</dt><dd>${doc.candidates} objects born between baseline and target and alive in final</dd>
<dt>ignored classes</dt><dd>${budgets.ignoreClass.length ? budgets.ignoreClass.map((r) => `<code>${esc(r)}</code>`).join(', ') : 'none'}${doc.ignored.count ? ` (${doc.ignored.count} objects, ${esc(formatBytes(doc.ignored.retainedSize))} left out)` : ''}</dd>
<dt>test harness</dt><dd>${doc.harness.count} objects left out: kept only by the test harness (Playwright's injected scripts, CDP handles, console messages)</dd>
</dl>
${doc.leaks.length === 0 ? '<p>No leaks.</p>' : `<table><thead><tr><th>count</th><th>class</th><th>retained</th><th>self</th><th>retainer path (shape)</th></tr></thead><tbody>${rows}</tbody></table>`}
<p class="t">heapscope ${esc(doc.heapscope.version)} · representative path: ${doc.leaks[0] ? `<code>${esc(formatPath(doc.leaks[0].retainerPath))}</code>` : 'none'}</p>
</body></html>
`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!);
}
