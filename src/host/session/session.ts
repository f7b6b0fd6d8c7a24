import type { ChildProcess } from 'node:child_process';
import { EngineClient, type StartOptions } from '../../engine/client.js';
import type { Channel, EngineUiChannel, SessionApi, UiEventMessage, UiEventName, UiEvents } from '../../shared/contract.js';
import type { SnapshotMeta, TargetDto } from '../../shared/dto.js';
import { isSessionChannel, parseUiRequest } from '../../shared/session-schemas.js';
import type { SnapshotStore } from '../../store/store.js';
import { Capture, type CaptureRequest } from './capture.js';
import { compareReports } from './compare.js';
import { EngineSnapshots } from './engine-snapshots.js';
import { renameFile, ReportedError, toErrorDto } from './error-dto.js';
import { TargetStateError, UnknownIdError } from './errors.js';
import { SNAPSHOT_ID_FIELDS } from './id-fields.js';
import { Target } from './target.js';

type SessionChannel = keyof SessionApi;
type Listener = (message: UiEventMessage) => void;

export interface HostSessionOptions {
  store: SnapshotStore;
  engine?: StartOptions;
}

/**
 * Everything one dashboard host serves, independent of the transport (web host now, Electron IPC
 * later): the engine worker, the snapshot store, attached targets and their captures. `call`
 * answers every UiApi channel: it validates the request, answers the session channels itself, and
 * forwards the engine channels with store ids swapped for engine ids. Events go to every listener.
 */
export class HostSession {
  readonly store: SnapshotStore;
  private readonly engine: EngineClient;
  private readonly snapshots: EngineSnapshots;
  private readonly targets = new Map<string, Target>();
  private readonly captures = new Map<string, Capture>();
  private readonly listeners = new Set<Listener>();
  private closed = false;

  private constructor(store: SnapshotStore, engine: EngineClient) {
    this.store = store;
    this.engine = engine;
    this.snapshots = new EngineSnapshots(engine, store,
      (snapshotId, phase, done, total) => this.emit('snapshot.progress', { snapshotId, phase, done, total }),
      () => this.snapshotsChanged());
  }

  static async start(options: HostSessionOptions): Promise<HostSession> {
    const engine = await EngineClient.start(options.engine);
    return new HostSession(options.store, engine);
  }

  /** Subscribes to every UiEvent; returns the unsubscribe function. */
  onEvent(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** One dashboard call: validated (RequestError naming the field), then answered. */
  async call(channel: unknown, raw: unknown): Promise<unknown> {
    const request = parseUiRequest(channel, raw);
    if (isSessionChannel(channel)) return this.session(channel, request);
    return this.forward(channel as EngineUiChannel, request as Record<string, unknown>);
  }

  // ---- Snapshots -------------------------------------------------------------------------------

  list(): SnapshotMeta[] {
    return this.store.list().map((s) => this.snapshots.meta(s));
  }

  /** Registers a file by reference and loads it now: a bad file throws its SnapshotFormatError (`serve FILE`). */
  async addFile(file: string): Promise<SnapshotMeta> {
    const stored = await this.store.addReference(file);
    try {
      await this.snapshots.engineId(stored.meta.snapshotId);
    } catch (err) {
      await this.store.remove(stored.meta.snapshotId);
      throw err;
    }
    this.snapshotsChanged();
    return this.snapshots.meta(this.store.require(stored.meta.snapshotId));
  }

  /**
   * An upload: streamed into the store, validated by loading it into the engine, indexed. A bad
   * file is deleted and its SnapshotFormatError names `name` (not the temp file) with section and offset.
   */
  async importUpload(body: AsyncIterable<Buffer>, name: string): Promise<SnapshotMeta> {
    const received = await this.store.receive(body);
    let engineId: string | undefined;
    try {
      const loaded = await this.snapshots.loadFile(received.tempFile, name, (phase, done, total) =>
        this.emit('snapshot.progress', { snapshotId: received.snapshotId, phase, done, total }));
      engineId = loaded.snapshotId;
      const stored = await this.store.commitReceived(received, { name, nodes: loaded.nodes, edges: loaded.edges, totalSize: loaded.totalSize });
      this.snapshots.adopt(received.snapshotId, engineId);
      this.snapshotsChanged();
      return this.snapshots.meta(stored);
    } catch (err) {
      if (engineId && !this.snapshots.isLoaded(received.snapshotId)) await this.snapshots.closeEngineId(engineId);
      await this.store.discard(received);
      throw err;
    }
  }

  /** The stored file to download and the name to offer; UnknownSnapshotError for an unknown id. */
  exportFile(snapshotId: string): { file: string; name: string; gzip: boolean } {
    const s = this.store.require(snapshotId);
    return { file: s.file, name: s.meta.name, gzip: s.file.endsWith('.gz') };
  }

  // ---- Targets and captures --------------------------------------------------------------------

  /** Attaches to an inspector; `options.started` marks a program heapscope runs itself. */
  async attach(address: string, options: { allowPid?: boolean; started?: { child: ChildProcess; title: string } } = {}): Promise<TargetDto> {
    const target = await Target.attach(address, { ...options, onChange: (dto) => this.emit('target.state', dto) });
    if (this.closed) {
      await target.detach();
      throw new ReportedError({ name: 'Error', message: 'the dashboard is shutting down' });
    }
    this.targets.set(target.targetId, target);
    this.emit('target.state', target.dto);
    return target.dto;
  }

  /** Starts a capture; resolves with its id at once. `capture.finished` settles when it is over. */
  startCapture(targetId: string, request: CaptureRequest): Capture {
    const target = this.targets.get(targetId);
    if (!target) throw new UnknownIdError('targetId', 'target');
    // Refused now, rather than as a failed capture, when the target is already gone.
    if (!target.alive) {
      const { title, state, reason } = target.dto;
      throw new TargetStateError(`cannot capture ${title}: it has ${state}${reason ? ` (${reason})` : ''}`);
    }
    const capture = new Capture(target, this.store, this.snapshots, request,
      (p) => this.emit('capture.progress', p),
      () => this.snapshotsChanged());
    this.captures.set(capture.captureId, capture);
    void capture.finished.then(() => this.captures.delete(capture.captureId));
    return capture;
  }

  /** Closes every target session, cancels captures (their temp files go), stops the engine. Snapshots stay in the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = [...this.captures.values()];
    for (const c of running) c.cancel();
    await Promise.all(running.map((c) => c.finished));
    await Promise.all([...this.targets.values()].map((t) => t.detach().catch(() => {})));
    await this.engine.close();
    this.listeners.clear();
  }

  // ---- Dispatch --------------------------------------------------------------------------------

  private async session(channel: SessionChannel, request: unknown): Promise<unknown> {
    switch (channel) {
      case 'session.state': {
        await this.store.refresh();
        return {
          targets: [...this.targets.values()].map((t) => t.dto),
          snapshots: this.list(),
          captures: [...this.captures.values()].map((c) => c.dto),
        } satisfies SessionApi['session.state']['response'];
      }
      case 'target.attach': {
        const r = request as SessionApi['target.attach']['request'];
        return this.attach(r.address);
      }
      case 'target.detach': {
        const r = request as SessionApi['target.detach']['request'];
        const target = this.targets.get(r.targetId);
        if (!target) throw new UnknownIdError('targetId', 'target');
        const was = target.dto.state;
        await target.detach();
        return { detached: was !== 'detached' } satisfies SessionApi['target.detach']['response'];
      }
      case 'target.memory': {
        const r = request as SessionApi['target.memory']['request'];
        const target = this.targets.get(r.targetId);
        if (!target) throw new UnknownIdError('targetId', 'target');
        return target.memory() satisfies Promise<SessionApi['target.memory']['response']>;
      }
      case 'capture.start': {
        const r = request as SessionApi['capture.start']['request'];
        return { captureId: this.startCapture(r.targetId, { gc: r.gc, name: r.name }).captureId } satisfies SessionApi['capture.start']['response'];
      }
      case 'capture.cancel': {
        const r = request as SessionApi['capture.cancel']['request'];
        const capture = this.captures.get(r.captureId);
        if (!capture) throw new UnknownIdError('captureId', 'capture in progress');
        return { cancelled: capture.cancel() } satisfies SessionApi['capture.cancel']['response'];
      }
      case 'snapshot.open': {
        const r = request as SessionApi['snapshot.open']['request'];
        await this.snapshots.engineId(r.snapshotId);
        return this.snapshots.meta(this.store.require(r.snapshotId)) satisfies SessionApi['snapshot.open']['response'];
      }
      case 'snapshot.rename': {
        const r = request as SessionApi['snapshot.rename']['request'];
        const stored = await this.store.rename(r.snapshotId, r.name);
        this.snapshotsChanged();
        return this.snapshots.meta(stored) satisfies SessionApi['snapshot.rename']['response'];
      }
      case 'snapshot.delete': {
        const r = request as SessionApi['snapshot.delete']['request'];
        this.store.require(r.snapshotId);
        await this.snapshots.close(r.snapshotId);
        const deleted = await this.store.remove(r.snapshotId);
        this.snapshotsChanged();
        return { deleted } satisfies SessionApi['snapshot.delete']['response'];
      }
      case 'reports.compare':
        return compareReports(request as SessionApi['reports.compare']['request']) satisfies SessionApi['reports.compare']['response'];
    }
  }

  /** An engine channel: every snapshot id field (store id) becomes the engine's id, loading as needed. */
  private async forward(channel: EngineUiChannel, request: Record<string, unknown>): Promise<unknown> {
    const translated: Record<string, unknown> = { ...request };
    const fields = SNAPSHOT_ID_FIELDS[channel] as readonly string[];
    // Resolved one after another: two loads at once would hold two graphs' worth of parse buffers.
    for (const field of fields) {
      const id = request[field];
      if (typeof id === 'string') translated[field] = await this.snapshots.engineId(id, field);
    }
    try {
      return await this.engine.call(channel as Channel, translated as never);
    } catch (err) {
      // The engine names snapshots by file (e.g. "a.heapsnapshot and b.heapsnapshot are not from one
      // session"): the dashboard knows them by name, and the store's paths are not its business.
      let dto = toErrorDto(err);
      for (const field of fields) {
        const id = request[field];
        const stored = typeof id === 'string' ? this.store.get(id) : undefined;
        if (stored) dto = renameFile(dto, stored.file, `"${stored.meta.name}"`);
      }
      throw new ReportedError(dto);
    }
  }

  private snapshotsChanged(): void {
    this.emit('snapshots.changed', { snapshots: this.list() });
  }

  private emit<E extends UiEventName>(event: E, data: UiEvents[E]): void {
    const message = { type: 'event', event, data } as UiEventMessage;
    for (const fn of this.listeners) {
      try {
        fn(message);
      } catch { /* one broken listener must not starve the others */ }
    }
  }
}
