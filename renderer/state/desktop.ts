/**
 * The desktop app's extras, wired to AppState: import and export through the native dialogs, and
 * the native menu's commands. On the web host the API has none of these and this does nothing.
 */
import type { MenuCommand } from '../../src/shared/bridge.js';
import type { SnapshotId } from '../../src/shared/contract.js';
import { isViewName } from '../../src/shared/views.js';
import { api } from '../lib/api.js';
import { ApiError } from '../lib/errors.js';
import { app } from './app.svelte.js';
import { openSnapshot, takeSnapshot } from './session.js';

/** True in the desktop app: import and export use native dialogs there. */
export const nativeDialogs = Boolean(api.importWithDialog && api.exportWithDialog);

export async function importWithDialog(): Promise<void> {
  if (!api.importWithDialog) return;
  try {
    const { imported, failed } = await api.importWithDialog();
    for (const meta of imported) app.updateSnapshot(meta);
    for (const f of failed) app.error(new ApiError({ ...f.error, message: `Import of ${f.name} failed: ${f.error.message}` }));
    const last = imported.at(-1);
    if (last) void openSnapshot(last.snapshotId);
  } catch (err) {
    app.error(err);
  }
}

export async function exportWithDialog(snapshotId: SnapshotId): Promise<void> {
  if (!api.exportWithDialog) return;
  try {
    if (await api.exportWithDialog(snapshotId)) app.banner('info', `Exported ${app.snapshot(snapshotId)?.name ?? 'the snapshot'}`);
  } catch (err) {
    app.error(err);
  }
}

function run(command: MenuCommand): void {
  switch (command.command) {
    case 'view':
      if (isViewName(command.view)) app.view = command.view;
      return;
    case 'import':
      void importWithDialog();
      return;
    case 'export':
      if (app.current) void exportWithDialog(app.current);
      else app.banner('info', 'Open a snapshot first: Export saves the snapshot shown.');
      return;
    case 'capture': {
      // Every live target at once: the menu has no target of its own to pick.
      const live = app.targets.filter((t) => t.state === 'attached');
      if (live.length === 0) app.banner('info', 'No target attached: attach to an inspector in the sidebar first.');
      for (const t of live) void takeSnapshot(t.targetId);
      return;
    }
  }
}

/** Follows the native menu; returns the unsubscribe function. */
export function startMenu(): () => void {
  return api.onMenu ? api.onMenu(run) : () => {};
}
