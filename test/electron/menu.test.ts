/**
 * The native menu's template (src/host/electron/menu.ts): File's import, export and capture, a
 * View item per dashboard view with Ctrl/⌘+1..7 in tab order, DevTools only with --dev, and each
 * item sending the dashboard its command.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../src/host/electron/menu.js';
import type { MenuCommand } from '../../src/shared/bridge.js';
import { VIEWS } from '../../src/shared/views.js';

function build(options: { dev?: boolean; platform?: NodeJS.Platform } = {}) {
  const sent: MenuCommand[] = [];
  const template = menuTemplate({ dev: options.dev ?? false, platform: options.platform ?? 'linux', send: (c) => sent.push(c) });
  const top = (label: string) => template.find((m) => m.label === label);
  const items = (label: string) => (top(label)?.submenu ?? []) as MenuItemConstructorOptions[];
  const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();
  return { template, sent, top, items, click };
}

function all(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? all(m.submenu) : [])]);
}

describe('menu template', () => {
  it('File: Import snapshot…, Export snapshot…, Take snapshot, Quit, with their accelerators', () => {
    const { items, click, sent } = build();
    const file = items('&File').filter((i) => i.type !== 'separator');
    expect(file.map((i) => [i.label ?? i.role, i.accelerator])).toEqual([
      ['Import snapshot…', 'CmdOrCtrl+O'],
      ['Export snapshot…', 'CmdOrCtrl+S'],
      ['Take snapshot', 'CmdOrCtrl+E'],
      ['quit', undefined],
    ]);
    for (const item of file.slice(0, 3)) click(item);
    expect(sent).toEqual([{ command: 'import' }, { command: 'export' }, { command: 'capture' }]);
  });

  it('View: every dashboard view in tab order on CmdOrCtrl+1..7, then Reload', () => {
    const { items, click, sent } = build();
    const views = items('&View').filter((i) => i.id?.startsWith('view-'));
    expect(views.map((i) => [i.label, i.accelerator])).toEqual(VIEWS.map((v, n) => [v.label, `CmdOrCtrl+${n + 1}`]));
    expect(views).toHaveLength(7);
    for (const item of views) click(item);
    expect(sent).toEqual(VIEWS.map((v) => ({ command: 'view', view: v.name })));
    expect(items('&View').some((i) => i.role === 'reload')).toBe(true);
  });

  it('has DevTools only with --dev, on F12 and Ctrl+Shift+I (⌥⌘I on macOS)', () => {
    const roles = (t: MenuItemConstructorOptions[]) => all(t).filter((i) => i.role === 'toggleDevTools');
    expect(roles(build().template)).toEqual([]);
    expect(roles(build({ dev: true }).template).map((i) => i.accelerator)).toEqual(['Ctrl+Shift+I', 'F12']);
    expect(roles(build({ dev: true, platform: 'darwin' }).template).map((i) => i.accelerator)).toEqual(['Alt+Cmd+I', 'F12']);
  });

  it('follows the platform: the app menu and Close on macOS, Quit in File elsewhere', () => {
    const mac = build({ platform: 'darwin' });
    expect(mac.template[0].role).toBe('appMenu');
    expect(mac.items('&File').some((i) => i.role === 'close')).toBe(true);
    expect(build().template.some((m) => m.role === 'appMenu')).toBe(false);
    expect(build().template.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu']);
  });

  it('never gives two visible items one accelerator', () => {
    for (const options of [{}, { dev: true }, { dev: true, platform: 'darwin' as const }]) {
      const keys = all(build(options).template).map((i) => i.accelerator).filter(Boolean);
      expect(new Set(keys).size, JSON.stringify(options)).toBe(keys.length);
    }
  });
});
