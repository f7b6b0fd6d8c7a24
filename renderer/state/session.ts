/**
 * Wires AppState to the host: the session's events (targets, captures, store, loads) and the
 * sidebar's actions. Views read `app`; they call these functions to change the session.
 */
import type { SnapshotId, SnapshotMeta, TargetDto } from '../../src/shared/contract.js';
import { api } from '../lib/api.js';
import { describeError, toErrorDto, ApiError } from '../lib/errors.js';
import { app } from './app.svelte.js';

const opening = new Map<SnapshotId, Promise<SnapshotMeta | undefined>>();
let nextUpload = 1;
let everOpen = false;

/** Subscribes to the host; returns the function that unsubscribes. */
export function startSession(): () => void {
  const offs = [
    api.onConnection((state) => {
      app.connection = state;
      if (state === 'open') {
        everOpen = true;
        app.clearBanner('connection');
        void refresh();
      } else if (state === 'closed') {
        app.keyedBanner(
          'connection',
          'error',
          everOpen ? 'Connection to the heapscope host lost. Reconnecting…' : 'Cannot reach the heapscope host. Retrying…',
        );
      }
    }),
    api.on('snapshots.changed', ({ snapshots }) => app.setSnapshots(snapshots)),
    api.on('snapshot.progress', ({ snapshotId, ...state }) => {
      if (state.phase === 'summary' && state.done >= state.total && !opening.has(snapshotId)) app.setLoading(snapshotId, undefined);
      else app.setLoading(snapshotId, state);
    }),
    api.on('target.state', (target) => {
      app.setTarget(target);
      targetBanner(target);
    }),
    api.on('capture.progress', (progress) => {
      app.setCapture(progress);
      const title = app.targets.find((t) => t.targetId === progress.targetId)?.title ?? 'the target';
      if (progress.state === 'failed') {
        const why = progress.error ? describeError(new ApiError(toErrorDto(progress.error, 'unknown error'))) : 'unknown error';
        app.banner('error', `Snapshot of ${title} failed: ${why}`);
      } else if (progress.state === 'done' && progress.snapshot) {
        app.updateSnapshot(progress.snapshot);
        void openSnapshot(progress.snapshot.snapshotId);
      }
    }),
  ];
  return () => offs.forEach((off) => off());
}

function targetBanner(target: TargetDto): void {
  const key = `target:${target.targetId}`;
  if (target.state === 'died') {
    const pid = target.pid !== undefined ? ` pid ${target.pid}` : '';
    app.keyedBanner(key, 'error', `Target ${target.title}${pid} (${target.address}) died${target.reason ? `: ${target.reason}` : ''}`);
  } else if (target.state === 'attached' || target.state === 'capturing') {
    app.clearBanner(key);
  }
}

/** Everything the sidebar shows, after connecting and after every reconnect. */
async function refresh(): Promise<void> {
  try {
    const state = await api.call('session.state', {});
    app.targets = state.targets;
    app.setSnapshots(state.snapshots);
    app.captures = state.captures.filter((c) => c.state === 'running');
    for (const t of state.targets) targetBanner(t);
    // First visit: show the newest snapshot (`serve FILE` users expect their file on screen).
    if (app.current === undefined && state.snapshots.length > 0) void openSnapshot(state.snapshots.at(-1)!.snapshotId);
    else if (app.current !== undefined && !app.isLoaded(app.current)) void openSnapshot(app.current);
  } catch (err) {
    app.error(err);
  }
}

/** Makes a snapshot current and has the engine load it (progress in app.loading). */
export function openSnapshot(id: SnapshotId): Promise<SnapshotMeta | undefined> {
  app.current = id;
  return loadSnapshot(id);
}

/** Has the engine load a snapshot without showing it (a Comparison base); resolves undefined on failure. */
export function loadSnapshot(id: SnapshotId): Promise<SnapshotMeta | undefined> {
  const running = opening.get(id);
  if (running) return running;
  if (app.isLoaded(id)) return Promise.resolve(app.snapshot(id));
  if (!app.loading[id]) app.setLoading(id, { phase: 'read', done: 0, total: 0 });
  const promise = api.call('snapshot.open', { snapshotId: id }).then(
    (meta) => {
      app.updateSnapshot({ ...meta, loaded: true });
      return meta;
    },
    (err: unknown) => {
      const name = app.snapshot(id)?.name ?? 'the snapshot';
      app.error(err instanceof ApiError ? new ApiError({ ...err.dto, message: `Cannot open ${name}: ${err.dto.message}` }) : err);
      if (app.current === id && !app.isLoaded(id)) app.current = undefined;
      return undefined;
    },
  ).finally(() => {
    opening.delete(id);
    app.setLoading(id, undefined);
  });
  opening.set(id, promise);
  return promise;
}

export async function takeSnapshot(targetId: string, name?: string): Promise<void> {
  try {
    const { captureId } = await api.call('capture.start', { targetId, gc: true, ...(name ? { name } : {}) });
    // Show the bar at once; progress events replace this entry.
    if (!app.captures.some((c) => c.captureId === captureId)) {
      app.setCapture({ captureId, targetId, phase: 'gc', done: 0, total: 0, state: 'running' });
    }
  } catch (err) {
    app.error(err);
  }
}

/** Targets "Snapshot all" captures: every one that is alive (a capturing one queues the next snapshot behind its own). */
export function snapshotTargets(targets: readonly TargetDto[]): TargetDto[] {
  return targets.filter((t) => t.state === 'attached' || t.state === 'capturing');
}

/**
 * Captures every live target at the same moment (an Electron main and its renderers, several
 * processes): the requests go out together and the host starts each capture on arrival. One name
 * for the round, so its snapshots read as taken together in each target's group.
 */
export async function snapshotAll(): Promise<void> {
  const targets = snapshotTargets(app.targets);
  if (targets.length === 0) return;
  // Numbered by rounds: the next number after the most any of these targets has.
  const most = Math.max(...targets.map((t) => app.snapshots.filter((s) => s.targetId === t.targetId).length));
  const name = `Snapshot ${most + 1}`;
  await Promise.all(targets.map((t) => takeSnapshot(t.targetId, name)));
}

export async function cancelCapture(captureId: string): Promise<void> {
  try {
    await api.call('capture.cancel', { captureId });
  } catch (err) {
    app.error(err);
  }
}

export async function attachTarget(address: string): Promise<boolean> {
  try {
    app.setTarget(await api.call('target.attach', { address }));
    return true;
  } catch (err) {
    app.error(err);
    return false;
  }
}

export async function detachTarget(targetId: string): Promise<void> {
  try {
    await api.call('target.detach', { targetId });
  } catch (err) {
    app.error(err);
  }
}

export async function renameSnapshot(id: SnapshotId, name: string): Promise<void> {
  try {
    app.updateSnapshot(await api.call('snapshot.rename', { snapshotId: id, name }));
  } catch (err) {
    app.error(err);
  }
}

export async function deleteSnapshot(id: SnapshotId): Promise<void> {
  try {
    await api.call('snapshot.delete', { snapshotId: id });
    app.setSnapshots(app.snapshots.filter((s) => s.snapshotId !== id));
  } catch (err) {
    app.error(err);
  }
}

const SNAPSHOT_FILE = /\.heapsnapshot(\.gz)?$/i;

/** Uploads dropped or picked files; anything not named like a heap snapshot is refused up front. */
export async function importFiles(files: Iterable<File>): Promise<void> {
  for (const file of files) {
    if (!SNAPSHOT_FILE.test(file.name)) {
      app.banner('error', `${file.name} is not a heap snapshot: expected a .heapsnapshot or .heapsnapshot.gz file`);
      continue;
    }
    const id = nextUpload++;
    app.uploads = [...app.uploads, { id, name: file.name, sent: 0, total: file.size }];
    try {
      const meta = await api.importSnapshot(file, (sent, total) => {
        app.uploads = app.uploads.map((u) => (u.id === id ? { ...u, sent, total } : u));
      });
      app.updateSnapshot(meta);
      void openSnapshot(meta.snapshotId);
    } catch (err) {
      const dto = err instanceof ApiError ? err.dto : undefined;
      app.error(dto ? new ApiError({ ...dto, message: `Import of ${file.name} failed: ${dto.message}` }) : err);
    } finally {
      app.uploads = app.uploads.filter((u) => u.id !== id);
    }
  }
}
