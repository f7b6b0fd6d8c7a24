import type { Page } from '@playwright/test';
import { snapshotOnChannel, type CaptureProgress, type CaptureResult } from '../inspector/capture.js';
import type { HarnessRoots } from '../snapshot/harness.js';
import { PageChannel } from './page-channel.js';

/** What a HeapRecorder snapshots: a Playwright page or a Node process. */
export interface HeapSource {
  /** For messages: `page http://…/` or `node server.mjs (pid 123)`. */
  readonly label: string;
  /** Runs before the baseline snapshot: whatever must exist before it so it is not counted as new. */
  prepare(): Promise<void>;
  snapshot(file: string, onProgress?: (p: CaptureProgress) => void): Promise<CaptureResult>;
  /** What the harness holds in the heap just captured (ids are valid after a snapshot). */
  harness(): Promise<HarnessRoots>;
  close(): Promise<void>;
}

const HARNESS_GROUP = 'heapscope-harness';

const SETTLE = `new Promise((done) => {
  document.documentElement?.getBoundingClientRect();
  requestAnimationFrame(() => setTimeout(done, 0));
  setTimeout(done, 250);
})`;

/**
 * The page's global objects: its own window and, through `frames`, those of its same-process
 * frames (each a WindowProxy of that frame's main world). Cross-origin frames in this process
 * throw on `.frames`; frames in other processes are not in this heap at all. `this` at the top of
 * a script is the global proxy even when the page has overwritten `globalThis` or `window`.
 */
const PAGE_GLOBALS = `(() => {
  const out = [this];
  const walk = (w, depth) => {
    let n = 0;
    try { n = w.frames.length; } catch { return; }
    for (let i = 0; i < n && depth < 8; i++) {
      try { out.push(w.frames[i]); walk(w.frames[i], depth + 1); } catch { /* gone meanwhile */ }
    }
  };
  walk(this, 0);
  return out;
})()`;

/**
 * A Playwright page, snapshotted through its own CDP session. Object ids are per inspector
 * session, so one session serves every snapshot of a test (opened at the first one).
 */
export class PageSource implements HeapSource {
  private channel: PageChannel | undefined;

  constructor(private readonly page: Page, private readonly stallMs: number, private readonly browserName = 'chromium') {}

  get label(): string {
    return this.channel?.address ?? 'page';
  }

  /**
   * Playwright runs an InjectedScript in the page's main world and another in a utility world,
   * created the first time a test needs them, with listeners on the page's window. Made during
   * the action, they would be new between baseline and target: create both now. (Measured with
   * Playwright 1.65: count() needs the utility world, evaluate() and allTextContents() the main one.)
   */
  async prepare(): Promise<void> {
    await this.open();
    const root = this.page.locator(':root');
    await root.count();
    await root.evaluate(() => 0);
    await root.allTextContents();
  }

  async snapshot(file: string, onProgress?: (p: CaptureProgress) => void): Promise<CaptureResult> {
    const channel = await this.open();
    await this.settle(channel);
    return snapshotOnChannel(channel, file, {
      target: { address: channel.address }, stallMs: this.stallMs, onProgress, reportProgress: false,
    });
  }

  /**
   * Lets the page finish rendering before a snapshot: forces a layout and waits for one animation
   * frame (at most 250 ms: a hidden page gets none). Blink's layout results keep the fragments of
   * elements already removed from the document until the next layout; a snapshot taken first finds
   * them alive. Seen in CI on a starved machine: the notes app's closed drawer and its children
   * reported as 7 detached elements held by `<html> → LayoutBlockFlow → LayoutResult →
   * PhysicalBoxFragment → OofData` (the drawer is `position: fixed`), in the build without the leak.
   */
  private async settle(channel: PageChannel): Promise<void> {
    if (channel.ended) return;
    await channel.send('Runtime.evaluate', { expression: SETTLE, awaitPromise: true, returnByValue: true }).catch(() => {});
  }

  /** The heap ids of the page's globals; every other JavaScript world in the heap is the harness's. */
  async harness(): Promise<HarnessRoots> {
    const channel = await this.open();
    try {
      const { result } = await channel.send('Runtime.evaluate', { expression: PAGE_GLOBALS, objectGroup: HARNESS_GROUP });
      if (!result.objectId) return {};
      const { result: props } = await channel.send('Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
      const ids: number[] = [];
      for (const p of props) {
        if (!/^\d+$/.test(p.name) || !p.value?.objectId) continue;
        const { heapSnapshotObjectId } = await channel.send('HeapProfiler.getHeapObjectId', { objectId: p.value.objectId });
        const id = Number(heapSnapshotObjectId);
        if (id > 0) ids.push(id);
      }
      return ids.length > 0 ? { mainWorldGlobals: ids } : {};
    } finally {
      if (!channel.ended) await channel.send('Runtime.releaseObjectGroup', { objectGroup: HARNESS_GROUP }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.channel?.close();
  }

  /** The page's session, opened once; an ended one is returned as it is (capturing explains why it ended). */
  private async open(): Promise<PageChannel> {
    if (this.channel) return this.channel;
    if (this.browserName !== 'chromium') {
      throw new Error(`heapscope: heap snapshots need Chromium's DevTools protocol; this test runs in ${this.browserName}. `
        + 'Run leak tests in a Chromium project, or skip them: test.skip(browserName !== \'chromium\')');
    }
    const channel = await PageChannel.open(this.page);
    this.channel = channel;
    await channel.send('HeapProfiler.enable');
    return channel;
  }
}
