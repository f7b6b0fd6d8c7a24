import fs from 'node:fs';
import CDP from 'chrome-remote-interface';

/**
 * Takes heap snapshots of a running target straight through chrome-remote-interface and writes
 * them to files. It is deliberately independent of src/inspector: the fixture checks in
 * test/live/fixtures.test.ts establish the ground truth the product is measured against, so they
 * must not depend on the capture code under test. Small and unforgiving: any failure rejects.
 *
 * V8 runs full GCs before building a snapshot (FACTS.md §2), so objects reachable only weakly are
 * already gone from the file; no separate `collectGarbage` call is needed.
 *
 * Node ids are comparable only between snapshots of one session: when an inspector session closes,
 * V8 forgets every object id and the next session numbers the heap afresh, reusing the same numbers
 * for other objects (measured on Node 20.20, see fixtures/targets/README.md). Snapshots meant for
 * a diff or a three-snapshot leak check must come from one SnapshotSession.
 */
export class SnapshotSession {
  private fd: number | undefined;
  private stray: Error | undefined;

  private constructor(private readonly client: CDP.Client, private readonly timeoutMs: number) {
    client.HeapProfiler.on('addHeapSnapshotChunk', ({ chunk }) => {
      if (this.fd !== undefined) fs.writeSync(this.fd, chunk);
      else this.stray ??= new Error('a heap snapshot chunk arrived outside a capture');
    });
  }

  static async open(wsUrl: string, timeoutMs = 30_000): Promise<SnapshotSession> {
    const client = await withDeadline(CDP({ target: wsUrl, local: true }), timeoutMs, 'inspector connect');
    return new SnapshotSession(client, timeoutMs);
  }

  async take(out: string): Promise<void> {
    if (this.fd !== undefined) throw new Error('one capture at a time');
    this.fd = fs.openSync(out, 'w');
    try {
      // The response arrives after the last chunk (FACTS.md §2).
      await withDeadline(this.client.HeapProfiler.takeHeapSnapshot({ reportProgress: false }), this.timeoutMs, 'takeHeapSnapshot');
      fs.fsyncSync(this.fd);
      if (this.stray) throw this.stray;
    } finally {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }
}

/** One snapshot in a session of its own. */
export async function takeSnapshot(wsUrl: string, out: string, timeoutMs = 30_000): Promise<void> {
  const session = await SnapshotSession.open(wsUrl, timeoutMs);
  try {
    await session.take(out);
  } finally {
    await session.close();
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
