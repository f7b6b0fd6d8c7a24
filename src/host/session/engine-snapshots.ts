import type { EngineClient } from '../../engine/client.js';
import type { LoadProgress, Response } from '../../shared/contract.js';
import type { SnapshotMeta } from '../../shared/dto.js';
import type { SnapshotStore, StoredSnapshot } from '../../store/store.js';
import { renameFile, ReportedError, toErrorDto } from './error-dto.js';

export type LoadResult = Response<'snapshot.load'>;
export type LoadPhase = LoadProgress['phase'];

/**
 * Which stored snapshots the engine has loaded, under which engine id. The dashboard only ever sees
 * store ids; a snapshot is loaded on first use (or `snapshot.open`), once, however many calls ask
 * for it at the same time.
 */
export class EngineSnapshots {
  private readonly engineIds = new Map<string, string>();
  private readonly loading = new Map<string, Promise<string>>();

  constructor(
    private readonly engine: EngineClient,
    private readonly store: SnapshotStore,
    private readonly onProgress: (storeId: string, phase: LoadPhase, done: number, total: number) => void,
    private readonly onLoaded: (storeId: string) => void,
  ) {}

  isLoaded(storeId: string): boolean {
    return this.engineIds.has(storeId);
  }

  meta(stored: StoredSnapshot): SnapshotMeta {
    return { ...stored.meta, loaded: this.isLoaded(stored.meta.snapshotId) };
  }

  /** The engine id of a stored snapshot, loading it first if needed; UnknownSnapshotError names `field`. */
  async engineId(storeId: string, field = 'snapshotId'): Promise<string> {
    const known = this.engineIds.get(storeId);
    if (known) return known;
    const stored = this.store.require(storeId, field);
    let pending = this.loading.get(storeId);
    if (!pending) {
      pending = this.load(stored).finally(() => this.loading.delete(storeId));
      this.loading.set(storeId, pending);
    }
    return pending;
  }

  /**
   * Loads a file the store does not list yet (an upload or a capture being validated), under the
   * name the user knows it by: a SnapshotFormatError names `shown`, not the temp path.
   */
  async loadFile(file: string, shown: string, progress: (phase: LoadPhase, done: number, total: number) => void): Promise<LoadResult> {
    try {
      return await this.engine.call('snapshot.load', { path: file }, { onProgress: (p) => progress(p.phase, p.done, p.total) });
    } catch (err) {
      throw new ReportedError(renameFile(toErrorDto(err), file, shown));
    }
  }

  /** Records that `engineId` (from loadFile) is the engine's copy of stored snapshot `storeId`. */
  adopt(storeId: string, engineId: string): void {
    this.engineIds.set(storeId, engineId);
  }

  /** Frees the engine's copy (waiting for a load in progress); true when there was one. */
  async close(storeId: string): Promise<boolean> {
    await this.loading.get(storeId)?.catch(() => {});
    const engineId = this.engineIds.get(storeId);
    if (!engineId) return false;
    this.engineIds.delete(storeId);
    if (this.engine.closed) return true;
    await this.engine.call('snapshot.close', { snapshotId: engineId }).catch(() => {});
    return true;
  }

  /** Frees an engine copy that was never adopted. */
  async closeEngineId(engineId: string): Promise<void> {
    if (!this.engine.closed) await this.engine.call('snapshot.close', { snapshotId: engineId }).catch(() => {});
  }

  private async load(stored: StoredSnapshot): Promise<string> {
    const id = stored.meta.snapshotId;
    // Files in the store are named by id: show the snapshot's name instead. A file given on the command line keeps its path.
    const shown = stored.meta.source === 'file' ? stored.file : stored.meta.name;
    const result = await this.loadFile(stored.file, shown, (phase, done, total) => this.onProgress(id, phase, done, total));
    if (!this.store.get(id)) {
      // Deleted while it loaded.
      await this.closeEngineId(result.snapshotId);
      throw new ReportedError({ name: 'UnknownSnapshotError', message: 'snapshotId: the snapshot was deleted while it loaded', field: 'snapshotId' });
    }
    this.engineIds.set(id, result.snapshotId);
    await this.store.setCounts(id, { nodes: result.nodes, edges: result.edges, totalSize: result.totalSize }).catch(() => {});
    this.onLoaded(id);
    return result.snapshotId;
  }
}
