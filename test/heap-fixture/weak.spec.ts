// heap.weak() and toRelease: for code whose contract is "this cache must let go".
import { expect, test } from 'heapscope/playwright';
import { serve, ORIGIN } from './pages.js';

/**
 * A widget registry: `open(n)` makes n Widgets, each in a WeakMap (its layout cache), a WeakRef
 * list and a FinalizationRegistry; `closeAll()` drops the app's own array. With `bug`, closing
 * also records each widget in `window.lastClosed` (a strong array): the weak references then
 * only appear to let go.
 */
async function widgetApp(page: import('@playwright/test').Page, bug: boolean): Promise<void> {
  await serve(page, {
    '/': `<!doctype html><title>widgets</title><script>
class Widget { constructor(i) { this.i = i; this.data = new Array(200).fill(i); } }
const layout = new WeakMap();
const refs = [];
const registry = new FinalizationRegistry(() => {});
let open = [];
window.lastClosed = [];
window.open = (n) => {
  for (let i = 0; i < n; i++) { const w = new Widget(i); layout.set(w, { w: 10 * i }); refs.push(new WeakRef(w)); registry.register(w, i); open.push(w); }
};
window.closeAll = () => { ${bug ? 'window.lastClosed.push(...open);' : ''} open = []; };
</script>`,
  });
  await page.goto(`${ORIGIN}/`);
}

test('weakly held widgets are released once the app drops them', async ({ page, heap }) => {
  await widgetApp(page, false);
  await page.evaluate(() => (window as unknown as { open(n: number): void }).open(8));
  await heap.baseline();
  await page.evaluate(() => (window as unknown as { closeAll(): void }).closeAll());
  const weak = await heap.weak();
  expect(weak.targets.filter((t) => t.name === 'Widget' && t.status === 'released')).toHaveLength(8);
  expect(weak).toRelease('Widget');
  expect(weak).toRelease(/^Widg/);
});

test('a strong array behind the weak references: toRelease names what keeps each one', async ({ page, heap }) => {
  test.fail();
  await widgetApp(page, true);
  await page.evaluate(() => (window as unknown as { open(n: number): void }).open(8));
  await heap.baseline();
  await page.evaluate(() => (window as unknown as { closeAll(): void }).closeAll());
  const weak = await heap.weak();
  expect(weak).toRelease('Widget');
});

test('without a baseline: one snapshot, judged on reachability alone', async ({ page, heap }) => {
  await widgetApp(page, true);
  await page.evaluate(() => { const w = window as unknown as { open(n: number): void; closeAll(): void }; w.open(3); w.closeAll(); });
  const weak = await heap.weak();
  expect(weak.after).toBeNull();
  expect(weak).not.toRelease('Widget');
});

test('nothing of that class is weakly held: the matcher cannot judge, and fails', async ({ page, heap }) => {
  test.fail();
  await widgetApp(page, false);
  await page.evaluate(() => (window as unknown as { open(n: number): void }).open(2));
  const weak = await heap.weak();
  expect(weak).toRelease('Gadget');
});
