// What the test harness itself keeps must not be reported: Playwright's injected scripts (main
// and utility worlds), JSHandles the test still holds, console messages, exposed bindings.
import { expect, test } from 'heapscope/playwright';
import { openPanelApp, ORIGIN, serve } from './pages.js';

test('heavy Playwright use between the snapshots reports nothing on a page that does not leak', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false, rows: 30 });
  await page.exposeFunction('reportToTest', (n: number) => n * 2);
  await heap.baseline();
  await page.getByRole('button', { name: 'Open' }).click();
  // A handle the test keeps to the end: the page's panel and an array, held only by the inspector.
  const handle = await page.evaluateHandle(() => ({ panel: document.querySelector('.panel'), big: new Array(5000).fill('x') }));
  await page.evaluate(() => { console.log('objects the console keeps', { rows: Array.from({ length: 500 }, (_, i) => ({ i })) }); });
  expect(await page.locator('p').allTextContents()).toHaveLength(30);
  await expect(page.getByText('row 29')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { reportToTest(n: number): Promise<number> }).reportToTest(21))).toBe(42);
  await heap.target();
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Open' }).hover();
  await heap.final();
  const report = await heap.leaks();
  expect(report.leaks.map((c) => `${c.count} ${c.name} ${c.path}`)).toEqual([]);
  expect(report.harness.count).toBeGreaterThan(100);
  await expect(heap).toHaveNoLeaks();
  await handle.dispose();
});

test('a leak the harness also holds is still the page\'s leak', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await heap.baseline();
  await page.getByRole('button', { name: 'Open' }).click();
  const handle = await page.evaluateHandle(() => document.querySelector('.panel'));
  await heap.target();
  await page.getByRole('button', { name: 'Close' }).click();
  await heap.final();
  const report = await heap.leaks();
  expect(report.leaks.map((c) => `${c.count} ${c.name}`)).toEqual(['1 Detached <div>']);
  // The path is the page's own, not the inspector handle's.
  expect(report.leaks[0]!.path).toContain('closedPanels');
  expect(report.leaks[0]!.path).not.toContain('DevTools console');
  await handle.dispose();
});

test('a leak inside a same-origin frame is the page\'s (the frame\'s world is not the harness\'s)', async ({ page, heap }) => {
  await serve(page, {
    '/': '<!doctype html><title>host</title><iframe src="/frame"></iframe>',
    '/frame': `<!doctype html><title>frame</title><button id="add">Add</button><script>
const kept = [];
document.getElementById('add').addEventListener('click', () => {
  const card = document.createElement('section');
  card.textContent = 'card';
  kept.push(card);
});
</script>`,
  });
  await page.goto(`${ORIGIN}/`);
  const add = page.frameLocator('iframe').getByRole('button', { name: 'Add' });
  await add.click();
  await heap.baseline();
  await add.click();
  await add.click();
  await heap.target();
  await heap.final();
  const report = await heap.leaks();
  expect(report.leaks.map((c) => `${c.count} ${c.name}`)).toEqual(['2 Detached <section>']);
  expect(report.leaks[0]!.path).toContain('kept');
});
