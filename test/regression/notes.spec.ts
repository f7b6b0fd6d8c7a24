// The notes app must free a note's drawer when it closes (fixtures/pages/notes/). APP_BUILD picks
// the build under test: `leaky` (drawers stay in a Set of open panels) or `fixed`.
import { expect, test } from 'heapscope/playwright';

const build = process.env.APP_BUILD ?? 'fixed';
const NOTES = ['Groceries', 'Trip to Lisbon', 'Standup notes', 'Books to read', 'Garden'];

test.beforeEach(async ({ page }) => {
  const base = process.env.HEAPSCOPE_PAGES_URL;
  if (!base) throw new Error('HEAPSCOPE_PAGES_URL is not set: run this suite with its config (it starts the pages server)');
  await page.goto(new URL(`notes/${build}/`, base).href);
  await expect(page.getByRole('button', { name: 'Open Groceries' })).toBeVisible();
});

test('closing a note frees its drawer', async ({ page, heap }) => {
  await heap.check(
    () => page.getByRole('button', { name: 'Open Groceries' }).click(),
    () => page.getByRole('button', { name: 'Close' }).click(),
  );
});

test('browsing every note keeps no drawer', async ({ page, heap }) => {
  const open = (title: string) => page.getByRole('button', { name: `Open ${title}` }).click();
  const close = () => page.keyboard.press('Escape');
  await open('Garden');
  await close();
  await heap.baseline();
  for (const title of NOTES.slice(0, -1)) {
    await open(title);
    await close();
  }
  await open(NOTES.at(-1)!);
  await heap.target();
  await close();
  await heap.final();
  await expect(heap).toHaveNoLeaks();
});
