import { expect, test } from 'heapscope/playwright';
import { openPanelApp } from './pages.js';

test('leaky panel', async ({ page, heap }) => {
  await openPanelApp(page, { leak: true });
  await heap.baseline();
  await page.getByRole('button', { name: 'Open' }).click();
  await heap.target();
  await page.getByRole('button', { name: 'Close' }).click();
  await heap.final();
  await expect(heap).toHaveNoLeaks();
});

test('fixed panel', async ({ page, heap }) => {
  await openPanelApp(page, { leak: false });
  await heap.check(() => page.getByRole('button', { name: 'Open' }).click(), () => page.getByRole('button', { name: 'Close' }).click());
});
