import { unlink } from 'node:fs/promises';
import type { CaptureProgress } from '../../inspector/capture-session.js';
import type { CaptureProgressDto, SnapshotMeta } from '../../shared/dto.js';
import { newId } from '../../store/ids.js';
import type { SnapshotStore } from '../../store/store.js';
import type { EngineSnapshots } from './engine-snapshots.js';
import { toErrorDto } from './error-dto.js';
import type { Target } from './target.js';

export interface CaptureRequest {
  gc?: boolean;
  name?: string;
}

/** Progress events at most this often (state changes always go out at once). */
const PROGRESS_EVERY_MS = 100;

/**
 * One capture, from request to stored snapshot: V8 builds the graph (`gc`, `graph`), chunks
 * stream into a temp file in the store (`write`: temp + fsync + rename, capture-session.ts), the
 * engine loads it (`load`), and only then is it indexed. Cancel aborts whichever step runs and
 * leaves no file. Snapshots of one inspector session carry that session's `sessionId`.
 */
export class Capture {
  readonly captureId = newId();
  private readonly abort = new AbortController();
  private progress: CaptureProgressDto;
  private lastSent = 0;
  /** Settles when the capture has finished, whatever the outcome (never rejects). */
  readonly finished: Promise<CaptureProgressDto>;

  constructor(
    private readonly target: Target,
    private readonly store: SnapshotStore,
    private readonly engine: EngineSnapshots,
    private readonly request: CaptureRequest,
    private readonly emit: (p: CaptureProgressDto) => void,
    private readonly stored: (meta: SnapshotMeta) => void,
  ) {
    this.progress = { captureId: this.captureId, targetId: target.targetId, phase: request.gc ? 'gc' : 'graph', done: 0, total: 0, state: 'running' };
    this.finished = this.run();
  }

  get dto(): CaptureProgressDto {
    return { ...this.progress };
  }

  cancel(): boolean {
    if (this.progress.state !== 'running') return false;
    this.abort.abort();
    return true;
  }

  private async run(): Promise<CaptureProgressDto> {
    const signal = this.abort.signal;
    const { snapshotId, file } = this.store.reserve();
    let written = false;
    let engineId: string | undefined;
    this.target.setCapturing(true);
    this.send(true);
    try {
      const { session, sessionId } = await this.target.openSession();
      this.checkCancelled();
      const result = await session.capture({ out: file, gc: this.request.gc, signal, onProgress: (p) => this.onCapture(p) });
      written = true;
      this.checkCancelled();
      this.set({ phase: 'load', done: 0, total: result.bytes }, true);
      const name = this.request.name ?? `Snapshot ${this.store.list().length + 1}`;
      const loaded = await this.engine.loadFile(file, name, (phase, done, total) => {
        if (phase === 'read') this.set({ phase: 'load', done, total });
      });
      engineId = loaded.snapshotId;
      this.checkCancelled();
      const dto = this.target.dto;
      const memory = result.memory;
      const stored = await this.store.addCaptured(snapshotId, {
        name, targetId: dto.targetId, targetTitle: dto.title, sessionId, nodes: loaded.nodes, edges: loaded.edges, totalSize: loaded.totalSize,
        ...(memory ? { heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, ...(memory.rss !== undefined ? { rss: memory.rss } : {}) } : {}),
      });
      this.engine.adopt(snapshotId, engineId);
      engineId = undefined;
      const meta = this.engine.meta(stored);
      this.set({ state: 'done', phase: 'load', done: result.bytes, total: result.bytes, snapshot: meta }, true);
      this.stored(meta);
    } catch (err) {
      if (engineId) await this.engine.closeEngineId(engineId);
      if (written) await unlink(file).catch(() => {});
      if (signal.aborted) this.set({ state: 'cancelled' }, true);
      else this.set({ state: 'failed', error: toErrorDto(err) }, true);
    } finally {
      this.target.setCapturing(false);
    }
    return this.dto;
  }

  private checkCancelled(): void {
    if (this.abort.signal.aborted) throw new Error('cancelled');
  }

  private onCapture(p: CaptureProgress): void {
    if (p.phase === 'gc') this.set({ phase: 'gc', done: 0, total: 1 }, true);
    else if (p.phase === 'graph') this.set({ phase: 'graph', done: p.done, total: p.total }, p.done === 0);
    else if (p.phase === 'write') this.set({ phase: 'write', done: p.bytes, total: p.estimatedBytes ?? 0 });
  }

  private set(patch: Partial<CaptureProgressDto>, force = false): void {
    const phaseChanged = patch.phase !== undefined && patch.phase !== this.progress.phase;
    this.progress = { ...this.progress, ...patch };
    this.send(force || phaseChanged);
  }

  private send(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastSent < PROGRESS_EVERY_MS) return;
    this.lastSent = now;
    this.emit(this.dto);
  }
}
