import type { ChildProcess } from 'node:child_process';
import { openCaptureSession, type CaptureSession } from '../../inspector/capture-session.js';
import { TargetUnreachableError, printable } from '../../inspector/errors.js';
import { getJson } from '../../inspector/http-json.js';
import { parseTarget } from '../../inspector/target.js';
import type { TargetDto, TargetMemoryDto } from '../../shared/dto.js';
import { newId } from '../../store/ids.js';
import { TargetBusyError, TargetStateError } from './errors.js';

export interface AttachOptions {
  /** `pid:PID` (sends SIGUSR1) is for the command line only, never for the dashboard. */
  allowPid?: boolean;
  /** A program heapscope started (`run`, `demo`): its exit is the target's death, with its exit code. */
  started?: { child: ChildProcess; title: string };
  onChange: (dto: TargetDto) => void;
}

/** How long a reconnect keeps trying: after a cancelled capture V8 keeps serialising, and refuses a new session meanwhile. */
const RECONNECT_MS = 60_000;
const RECONNECT_STEP_MS = 500;
/** A dashboard polls every 2 s: a reading that takes longer than this is not worth waiting for. */
const MEMORY_DEADLINE_MS = 3_000;

/**
 * One attached inspector target with ONE capture session kept open, so every snapshot taken of it
 * can be diffed with the others (V8 renumbers objects when a session closes: capture-session.ts).
 * `sessionId` names that session; when it ends other than by the target's death (a cancelled
 * capture drops the connection on purpose) a new one is opened, with a new sessionId.
 *
 * The WebSocket URL, whose UUID is the target's only secret, stays in `connectTo` and never
 * reaches a TargetDto, a message or a log.
 */
export class Target {
  readonly targetId = newId();
  private state: TargetDto;
  private session: CaptureSession | undefined;
  private current: { session: CaptureSession; sessionId: string } | undefined;
  private reconnecting: Promise<{ session: CaptureSession; sessionId: string }> | undefined;
  private readonly stop = new AbortController();

  private constructor(private readonly connectTo: string, session: CaptureSession, private readonly options: AttachOptions) {
    const { address, type, title } = session.target;
    const started = options.started;
    this.state = {
      targetId: this.targetId,
      title: printable(started?.title ?? title ?? address).slice(0, 500) || address,
      kind: type === 'node' || session.target.browser.startsWith('node') ? 'node' : type,
      address,
      state: 'attached',
      started: Boolean(started),
    };
    if (started?.child.pid !== undefined) this.state.pid = started.child.pid;
    this.use(session);
    if (started) {
      const child = started.child;
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        this.died(signal ? `the program was killed by ${signal}` : `the program exited with code ${code}`);
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
      else child.once('exit', onExit);
    }
  }

  /** Attaches to ADDRESS (ws://…, HOST:PORT, PORT; loopback only) and opens the capture session. */
  static async attach(address: string, options: AttachOptions): Promise<Target> {
    const spec = parseTarget(address);
    if (spec.kind === 'pid' && !options.allowPid) throw new TargetStateError('pid: targets can be attached from the command line only');
    const session = await openCaptureSession({ target: address });
    // After pid: the inspector is open at HOST:PORT; reconnect there, never signal the process again.
    return new Target(spec.kind === 'pid' ? session.target.address : address, session, options);
  }

  get dto(): TargetDto {
    return { ...this.state };
  }

  get alive(): boolean {
    return this.state.state === 'attached' || this.state.state === 'capturing';
  }

  /** The open capture session and its id, reopening one if the last was dropped. */
  async openSession(): Promise<{ session: CaptureSession; sessionId: string }> {
    if (!this.alive) throw new TargetStateError(`target ${this.state.title} has ${this.state.state}${this.state.reason ? `: ${this.state.reason}` : ''}`);
    if (this.current?.session.isOpen) return this.current;
    this.reconnecting ??= this.reconnect().finally(() => { this.reconnecting = undefined; });
    return this.reconnecting;
  }

  /**
   * A memory reading through the open session (target.memory). Refused while a capture runs: the
   * target's JS thread is blocked until the snapshot is done, and V8's generator inflates its RSS
   * (FACTS.md §2), so a reading then would say nothing about the program.
   */
  async memory(): Promise<TargetMemoryDto> {
    if (this.state.state === 'capturing') throw new TargetBusyError(`target ${this.state.title} is capturing a snapshot; its memory is read again once that is done`);
    const { session } = await this.openSession();
    const m = await session.memory({ deadlineMs: MEMORY_DEADLINE_MS });
    return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, ...(m.rss !== undefined ? { rss: m.rss } : {}), at: Date.now() };
  }

  setCapturing(on: boolean): void {
    if (!this.alive) return;
    const next = on ? 'capturing' : 'attached';
    if (this.state.state !== next) this.update({ state: next });
  }

  /** Closes the session; the target runs on. */
  async detach(): Promise<void> {
    if (this.state.state === 'detached') return;
    this.stop.abort();
    const session = this.session;
    this.session = undefined;
    this.current = undefined;
    if (this.alive) this.update({ state: 'detached', reason: 'detached from the dashboard' });
    await session?.close();
  }

  /** Marks the target dead (idempotent; a program's own exit code wins over an inspector's silence). */
  died(reason: string): void {
    if (this.state.state === 'detached') return;
    if (this.state.state === 'died' && !(this.options.started && reason.startsWith('the program'))) return;
    this.stop.abort();
    this.session = undefined;
    this.current = undefined;
    this.update({ state: 'died', reason });
  }

  private use(session: CaptureSession): { session: CaptureSession; sessionId: string } {
    this.session = session;
    this.current = { session, sessionId: newId() };
    void session.lost.then((err) => {
      if (this.session !== session) return;
      this.session = undefined;
      if (!this.alive) return;
      const child = this.options.started?.child;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return; // its exit handler says why
      if (err.reason.startsWith('the target exited')) {
        // A program we started: give its exit event a moment to name the exit code.
        if (child) setTimeout(() => this.died(err.reason), 300);
        else this.died(err.reason);
        return;
      }
      // Dropped on purpose (cancel) or by the network: keep watching, so a death is seen without a capture.
      void this.openSession().catch(() => {});
    });
    return this.current;
  }

  private async reconnect(): Promise<{ session: CaptureSession; sessionId: string }> {
    const deadline = Date.now() + RECONNECT_MS;
    const spec = parseTarget(this.state.address);
    const { host, port } = spec.kind === 'pid' || spec.kind === 'active-port' ? { host: '127.0.0.1', port: 0 } : spec;
    for (;;) {
      if (this.stop.signal.aborted || !this.alive) throw new TargetStateError(`target ${this.state.title} has ${this.state.state}`);
      try {
        const session = await openCaptureSession({ target: this.connectTo, signal: this.stop.signal });
        if (!this.alive) {
          await session.close();
          throw new TargetStateError(`target ${this.state.title} has ${this.state.state}`);
        }
        return this.use(session);
      } catch (err) {
        if (!(err instanceof TargetUnreachableError)) throw err;
        // A live inspector still answers /json/version; one that does not is gone with its process.
        const answers = await getJson(host, port, '/json/version', 500).then(() => true, () => false);
        if (!answers) {
          this.died('the target exited (its inspector no longer answers)');
          throw err;
        }
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, RECONNECT_STEP_MS));
      }
    }
  }

  private update(patch: Partial<TargetDto>): void {
    this.state = { ...this.state, ...patch };
    this.options.onChange(this.dto);
  }
}
