/**
 * Keyboard navigation: Ctrl+1..7 switch the views in tab order; in the Summary the arrow keys
 * move the focused row (and the selection follows it), Enter expands and collapses, Left goes
 * back up to the parent row. On a committed snapshot served by reference (`serve FILE`).
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openDashboard, repoRoot, test, WsApi, storedSnapshots } from './harness.js';

const FILE = path.join(repoRoot, 'fixtures', 'snapshots', 'listener-leak-final.heapsnapshot.gz');
const TABS = ['summary', 'comparison', 'weak', 'retainers', 'graph', 'dominators', 'leaks'];

/** Index (in the rendered rows) of the row the grid marks focused, or -1. */
function focusedRow(page: Page): Promise<number> {
  return page.getByTestId('summary-table').locator('[role=row]').evaluateAll((rows) => rows.findIndex((r) => r.classList.contains('focused')));
}

test('Ctrl+1..7 switch views; arrows, Enter and Left walk the Summary tree', async ({ page, serve }) => {
  const server = await serve('serve', [FILE]);
  const api = await WsApi.connect(server);
  const [stored] = await storedSnapshots(api);
  await openDashboard(page, server);
  await expect(page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${stored!.snapshotId}"]`)).toHaveAttribute('data-loaded', 'true');
  const classRows = page.getByTestId('summary-table').getByTestId('class-row');
  await expect(classRows.first()).toBeVisible();

  // Ctrl+N from anywhere, in tab order, and back.
  for (const [i, name] of [...TABS.entries()].reverse()) {
    await page.keyboard.press(`Control+${i + 1}`);
    await expect(page.getByTestId(`tab-${name}`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId(`view-${name}`)).toBeVisible();
  }
  // Also while typing in the filter.
  await page.getByTestId('summary-filter').focus();
  await page.keyboard.press('Control+6');
  await expect(page.getByTestId('tab-dominators')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+1');
  await expect(page.getByTestId('tab-summary')).toHaveAttribute('aria-selected', 'true');

  // Arrows move the focused row.
  await page.getByTestId('summary-table').focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focusedRow(page)).toBe(0);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focusedRow(page)).toBe(2);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => focusedRow(page)).toBe(0);

  // Enter opens the class; Down moves onto its first instance, which becomes the selection.
  const first = classRows.first();
  await expect(first).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(first).toHaveAttribute('aria-expanded', 'true');
  const instances = page.getByTestId('summary-table').getByTestId('instance-row');
  await expect(instances.first()).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focusedRow(page)).toBe(1);
  const instanceId = (await instances.first().locator('.object-id').textContent())!.replace(/\D/g, '');
  await expect(page.getByTestId('summary-retainers').getByTestId('retainer-row').first()).toBeVisible();
  await expect(page.locator('.pane-title')).toContainText(`@${instanceId}`);

  // Enter on the instance opens its retainers in the tree; Left closes it, Left again goes up.
  const treeRetainers = page.getByTestId('summary-table').getByTestId('retainer-row');
  await page.keyboard.press('Enter');
  await expect(treeRetainers.first()).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(treeRetainers).toHaveCount(0);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => focusedRow(page)).toBe(0);
  await page.keyboard.press('Enter');
  await expect(first).toHaveAttribute('aria-expanded', 'false');
  await expect(instances).toHaveCount(0);
  api.close();
});

test('a clicked object stays selected when rows above it change within the keyboard pause', async ({ page, serve }) => {
  const server = await serve('serve', [FILE]);
  await openDashboard(page, server);
  const table = page.getByTestId('summary-table');
  const first = table.getByTestId('class-row').first();
  await first.locator('.triangle').click();
  await expect(first).toHaveAttribute('aria-expanded', 'true');
  const instances = table.getByTestId('instance-row');
  await expect(instances.nth(5)).toBeVisible();
  const target = instances.nth(5);
  const id = (await target.locator('.object-id').textContent())!.replace(/\D/g, '');
  // Click an object, and at once open the one above it: its retainers push every row below down.
  await target.evaluate((row, above) => {
    (row as HTMLElement).click();
    (above as HTMLElement).click();
  }, await instances.nth(1).locator('.triangle').elementHandle());
  await expect(table.getByTestId('retainer-row').first()).toBeVisible();
  await page.waitForTimeout(400);
  await expect(page.locator('.pane-title')).toContainText(`@${id}`);
});
