// Retries, parallel workers and the snapshot files. test/playwright/fixture.test.ts runs this
// suite with --workers 2 and checks, from the JSON report and the files, that nothing mixes.
import { expect, test } from 'heapscope/playwright';
import { openPanelApp } from './pages.js';

test.describe('retried', () => {
  test.describe.configure({ retries: 1 });

  // Leaks on its first attempt only: the retry must start from a fresh session and fresh files.
  test('a leak on the first attempt, none on the retry', async ({ page, heap }, testInfo) => {
    await openPanelApp(page, { leak: testInfo.retry === 0 });
    await heap.check(
      () => page.getByRole('button', { name: 'Open' }).click(),
      () => page.getByRole('button', { name: 'Close' }).click(),
    );
  });
});

test.describe('parallel', () => {
  test.describe.configure({ mode: 'parallel' });

  // Each leaks its own number of panels (rows differ too), so a report that mixed two tests'
  // snapshots could not show exactly its own count.
  for (const n of [1, 2, 3, 4]) {
    test(`worker test leaking ${n} panel${n > 1 ? 's' : ''}`, async ({ page, heap }) => {
      await openPanelApp(page, { leak: true, rows: 10 + n });
      await heap.baseline();
      for (let i = 0; i < n; i++) {
        await page.getByRole('button', { name: 'Open' }).click();
        await page.getByRole('button', { name: 'Close' }).click();
      }
      await page.getByRole('button', { name: 'Open' }).click();
      await heap.target();
      await page.getByRole('button', { name: 'Close' }).click();
      await heap.final();
      const report = await heap.leaks({ maxLeakedObjects: 10, maxLeakedBytes: '1MB' });
      expect(report.leaks.map((c) => `${c.count} ${c.name}`)).toEqual([`${n + 1} Detached <div>`]);
      await expect(heap).toHaveNoLeaks({ maxLeakedObjects: 10, maxLeakedBytes: '1MB' });
    });
  }
});

test.describe('snapshot files', () => {
  test('on-failure (default): a passing test keeps none', async ({ page, heap }) => {
    await openPanelApp(page, { leak: false });
    await heap.check(() => page.getByRole('button', { name: 'Open' }).click(), () => page.getByRole('button', { name: 'Close' }).click());
  });

  test('on-failure (default): a failing test keeps and attaches all three', async ({ page, heap }) => {
    test.fail();
    await openPanelApp(page, { leak: true });
    await heap.check(() => page.getByRole('button', { name: 'Open' }).click(), () => page.getByRole('button', { name: 'Close' }).click());
  });

  test.describe('never', () => {
    test.use({ heapscope: { snapshots: 'never' } });
    test('a failing test keeps only the reports', async ({ page, heap }) => {
      test.fail();
      await openPanelApp(page, { leak: true });
      await heap.check(() => page.getByRole('button', { name: 'Open' }).click(), () => page.getByRole('button', { name: 'Close' }).click());
    });
  });

  test.describe('always', () => {
    test.use({ heapscope: { snapshots: 'always' } });
    test('a passing test keeps and attaches them', async ({ page, heap }) => {
      await openPanelApp(page, { leak: false });
      await heap.check(() => page.getByRole('button', { name: 'Open' }).click(), () => page.getByRole('button', { name: 'Close' }).click());
    });
  });
});
