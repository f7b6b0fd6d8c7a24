/**
 * The desktop app's main-process side without Electron: a store in a temp directory, the real
 * HostSession and engine worker, and the real IPC handlers (src/host/electron/ipc.ts) for one
 * window. Only the Electron boundary stands in: the native dialogs answer what a user would
 * choose (ScriptedDialogs), and senders are described as Electron's IpcMainInvokeEvent would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIpcHandlers, type Dialogs, type IpcHandlers, type IpcSender } from '../../src/host/electron/ipc.js';
import { APP_URL } from '../../src/host/electron/protocol.js';
import { HostSession } from '../../src/host/session/session.js';
import type { SnapshotMeta, UiEventMessage } from '../../src/shared/contract.js';
import { SnapshotStore } from '../../src/store/store.js';
import { fixturesDir } from '../helpers/target.js';

export const WINDOW_ID = 7;
/** Our window's top frame at our origin. */
export const OUR_SENDER: IpcSender = { webContentsId: WINDOW_ID, frameUrl: APP_URL, topFrame: true };

export const fixtureSnapshot = (phase: 'baseline' | 'target' | 'final') =>
  path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);

/** The user at the native dialogs: each call takes the next scripted answer, and is counted. */
export class ScriptedDialogs implements Dialogs {
  openAnswers: string[][] = [];
  saveAnswers: (string | undefined)[] = [];
  opened = 0;
  saved: string[] = [];

  async chooseSnapshots(): Promise<string[]> {
    this.opened++;
    return this.openAnswers.shift() ?? [];
  }

  async chooseExportPath(defaultName: string): Promise<string | undefined> {
    this.saved.push(defaultName);
    return this.saveAnswers.shift();
  }
}

export interface AppSide {
  dir: string;
  store: SnapshotStore;
  session: HostSession;
  dialogs: ScriptedDialogs;
  handlers: IpcHandlers;
  events: UiEventMessage[];
  /** The three listener-leak snapshots (one session), registered by reference. */
  snapshots: { baseline: SnapshotMeta; target: SnapshotMeta; final: SnapshotMeta };
  close(): Promise<void>;
}

export async function tempDir(prefix = 'heapscope-electron-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startAppSide(options: { windowId?: () => number | undefined } = {}): Promise<AppSide> {
  const dir = await tempDir();
  const store = await SnapshotStore.open(path.join(dir, 'snapshots'));
  const session = await HostSession.start({ store });
  const events: UiEventMessage[] = [];
  session.onEvent((m) => events.push(m));
  const dialogs = new ScriptedDialogs();
  const handlers = createIpcHandlers({ session, windowId: options.windowId ?? (() => WINDOW_ID), dialogs });
  const baseline = await session.addFile(fixtureSnapshot('baseline'));
  const target = await session.addFile(fixtureSnapshot('target'));
  const final = await session.addFile(fixtureSnapshot('final'));
  return {
    dir, store, session, dialogs, handlers, events,
    snapshots: { baseline, target, final },
    async close() {
      await session.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
