// Budgets, ignores and the report. Tests marked `test.fail()` must fail: test/playwright/fixture.test.ts
// checks how (the message and the attachments), so they fail with heapscope's own error.
import { expect, test } from 'heapscope/playwright';
import { openPanelApp } from './pages.js';

/** Opens and closes the panel `times` times between baseline/target and final. */
async function cycle(page: import('@playwright/test').Page, heap: import('heapscope/playwright').PageHeap, times = 1): Promise<void> {
  await heap.baseline();
  for (let i = 0; i < times; i++) {
    await page.getByRole('button', { name: 'Open' }).click();
    if (i < times - 1) await page.getByRole('button', { name: 'Close' }).click();
  }
  await heap.target();
  await page.getByRole('button', { name: 'Close' }).click();
  await heap.final();
}

test('a leak fails with the cluster, its path and the report', async ({ page, heap }) => {
  test.fail();
  await openPanelApp(page, { leak: true });
  await cycle(page, heap);
  await expect(heap).toHaveNoLeaks();
});

test('the fixed app passes with the default budgets (none)', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false });
  await cycle(page, heap, 3);
  await expect(heap).toHaveNoLeaks();
});

test('a leak within both budgets passes', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await cycle(page, heap, 3);
  await expect(heap).toHaveNoLeaks({ maxLeakedObjects: 3, maxLeakedBytes: '50KB' });
  const report = await heap.leaks({ maxLeakedObjects: 3, maxLeakedBytes: '50KB' });
  expect(report.totalCount).toBe(3);
  expect(report.leaks.map((c) => `${c.count} ${c.name}`)).toEqual(['3 Detached <div>']);
});

test('over the object budget fails', async ({ page, heap }) => {
  test.fail();
  await openPanelApp(page, { leak: true });
  await cycle(page, heap, 3);
  await expect(heap).toHaveNoLeaks({ maxLeakedObjects: 2, maxLeakedBytes: '1MB' });
});

test('over the byte budget fails', async ({ page, heap }) => {
  test.fail();
  await openPanelApp(page, { leak: true, rows: 40 });
  await cycle(page, heap);
  await expect(heap).toHaveNoLeaks({ maxLeakedObjects: 5, maxLeakedBytes: 1000 });
});

test.describe('budgets from test.use', () => {
  test.use({ heapscope: { maxLeakedObjects: 3, maxLeakedBytes: '50KB' } });

  test('apply when the matcher gives none', async ({ page, heap }) => {
    await openPanelApp(page, { leak: true });
    await cycle(page, heap, 2);
    await expect(heap).toHaveNoLeaks();
  });

  test('and the matcher\'s own budgets win', async ({ page, heap }) => {
    test.fail();
    await openPanelApp(page, { leak: true });
    await cycle(page, heap, 2);
    await expect(heap).toHaveNoLeaks({ maxLeakedObjects: 1 });
  });
});

test('ignoreClasses: an exact class name', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await cycle(page, heap, 2);
  await expect(heap).toHaveNoLeaks({ ignoreClasses: ['Detached <div>'] });
  const report = await heap.leaks({ ignoreClasses: ['Detached <div>'] });
  expect(report.ignored.count).toBe(2);
  expect(report.budgets.ignoreClass).toEqual(['^Detached <div>$']);
});

test('ignoreClasses: a pattern, and a name that is only a prefix does not match', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await cycle(page, heap);
  await expect(heap).toHaveNoLeaks({ ignoreClasses: [/^Detached </] });
  await expect(heap).not.toHaveNoLeaks({ ignoreClasses: ['Detached'] });
});

test('not.toHaveNoLeaks: a test that expects the leak', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await cycle(page, heap);
  await expect(heap).not.toHaveNoLeaks();
});

test('heap.check: the one-liner', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false });
  await heap.check(
    () => page.getByRole('button', { name: 'Open' }).click(),
    () => page.getByRole('button', { name: 'Close' }).click(),
  );
});

test('heap.check fails like the matcher', async ({ page, heap }) => {
  test.fail();
  await openPanelApp(page, { leak: true });
  await heap.check(
    () => page.getByRole('button', { name: 'Open' }).click(),
    () => page.getByRole('button', { name: 'Close' }).click(),
    { maxLeakedBytes: 100 },
  );
});

test('an unreadable budget is a clear error', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false });
  await cycle(page, heap);
  await expect(expect(heap).toHaveNoLeaks({ maxLeakedBytes: '10 apples' })).rejects.toThrow(/maxLeakedBytes expects bytes, e.g. 500000, 10KB.*got "10 apples"/);
  await expect(expect(heap).toHaveNoLeaks({ maxLeakedObjects: -1 })).rejects.toThrow('maxLeakedObjects must be a whole number >= 0; got -1');
});

test('out of order: a clear error, no snapshot taken', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false });
  await expect(heap.target()).rejects.toThrow('heap.target() needs heap.baseline() first');
  await expect(heap.final()).rejects.toThrow('heap.final() needs heap.baseline() and heap.target() first');
  await expect(expect(heap).toHaveNoLeaks()).rejects.toThrow('no leak report without heap.baseline(), heap.target(), heap.final()');
  expect(heap.snapshots).toEqual({});
});
