/**
 * The native menu as a template (Menu.buildFromTemplate takes it in main.ts; tests read it). The
 * items that act on the dashboard send it a MenuCommand, since the dashboard knows the current
 * snapshot and target. Accelerators follow DevTools: Ctrl/⌘+1..7 switch panels as the tab bar's
 * keys do, Ctrl/⌘+E takes a heap snapshot (DevTools' record shortcut), Ctrl/⌘+O and Ctrl/⌘+S load
 * and save a profile, F12 and Ctrl+Shift+I (⌥⌘I on macOS) open DevTools.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/bridge.js';
import { VIEWS } from '../../shared/views.js';

export interface MenuOptions {
  /** DevTools belong to development (`--dev`). */
  dev: boolean;
  platform: NodeJS.Platform;
  send(command: MenuCommand): void;
}

export function menuTemplate({ dev, platform, send }: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'import', label: 'Import snapshot…', accelerator: 'CmdOrCtrl+O', click: () => send({ command: 'import' }) },
      { id: 'export', label: 'Export snapshot…', accelerator: 'CmdOrCtrl+S', click: () => send({ command: 'export' }) },
      { type: 'separator' },
      { id: 'capture', label: 'Take snapshot', accelerator: 'CmdOrCtrl+E', click: () => send({ command: 'capture' }) },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...VIEWS.map((v, i): MenuItemConstructorOptions => ({
        id: `view-${v.name}`,
        label: v.label,
        accelerator: `CmdOrCtrl+${i + 1}`,
        click: () => send({ command: 'view', view: v.name }),
      })),
      { type: 'separator' },
      { id: 'reload', role: 'reload' },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(dev
        ? [
            { type: 'separator' },
            { id: 'devtools', role: 'toggleDevTools', accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I' },
            { id: 'devtools-f12', role: 'toggleDevTools', accelerator: 'F12', visible: false, acceleratorWorksWhenHidden: true },
          ] satisfies MenuItemConstructorOptions[]
        : []),
    ],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    file,
    // Copy and paste in text fields need the Edit roles on macOS.
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
}
