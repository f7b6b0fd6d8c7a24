import { startProgram, type StartedProgram } from '../host/session/program.js';
import { openCaptureSession, type CaptureProgress, type CaptureResult, type CaptureSession } from '../inspector/capture.js';
import type { HarnessRoots } from '../snapshot/harness.js';
import type { HeapSource } from './page-source.js';

export interface LaunchNodeOptions {
  cwd?: string;
  /** The program's whole environment (default: this process's); spread `process.env` to add to it. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the program's inspector to open. Default 30 s. */
  startTimeout?: number;
  /** Lines of output kept for waitForOutput and failure messages. Default 2,000. */
  keepLines?: number;
  /** A snapshot fails when the program sends nothing for this long (ms). Default 120,000. */
  stallTimeout?: number;
}

const WAITING_FOR_DEBUGGER = 'Waiting for the debugger to disconnect';

/** What Node's inspector prints on stderr: the harness's, not the program's. */
const INSPECTOR_LINE = /^(Debugger listening on ws:\/\/|For help, see: https:\/\/nodejs\.org\/.*inspector|Debugger attached\.$|Waiting for the debugger to disconnect\.\.\.$)/;

/** `waitForOutput` saw the program exit, or its deadline pass, before a matching line. */
export class NodeOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeOutputError';
  }
}

/**
 * A Node program started with its inspector on a free loopback port (`--inspect=127.0.0.1:0`, as
 * `heapscope run` does), attached over one inspector session kept for all its snapshots.
 * Its stdout and stderr are read line by line so a test can wait for "listening on …".
 */
export class NodeProcessSource implements HeapSource {
  readonly label: string;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private exitText: string | undefined;

  private constructor(private readonly program: StartedProgram, private readonly session: CaptureSession,
    private readonly keep: number, command: string[]) {
    this.label = `node ${command.slice(1).map((a) => (a.includes('/') ? a.split('/').pop()! : a)).join(' ').slice(0, 80)} (pid ${program.pid})`;
  }

  static async launch(command: string[], options: LaunchNodeOptions = {}): Promise<NodeProcessSource> {
    const buffer: string[] = [];
    let source: NodeProcessSource | undefined;
    const onLine = (line: string) => {
      // A program that ends while a session is attached waits for it to go (Node's inspector):
      // let it exit, as it would without us.
      if (line.startsWith(WAITING_FOR_DEBUGGER)) void source?.session.close();
      if (INSPECTOR_LINE.test(line)) return;
      if (source) source.push(line);
      else buffer.push(line);
    };
    const program = await startProgram(command, {
      stdout: 'pipe', onStdoutLine: onLine, onStderrLine: onLine, echoStderr: false,
      env: options.env, cwd: options.cwd, timeoutMs: options.startTimeout,
    });
    let session: CaptureSession;
    try {
      session = await openCaptureSession({ target: program.wsUrl, memory: false, deadlines: { stallMs: options.stallTimeout } });
    } catch (err) {
      await program.stop();
      throw err;
    }
    source = new NodeProcessSource(program, session, options.keepLines ?? 2000, command);
    for (const line of buffer) source.push(line);
    void program.exited.then(({ code, signal }) => {
      source!.exitText = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const w of source!.waiters) w();
    });
    return source;
  }

  get pid(): number {
    return this.program.pid;
  }

  /** The program's output so far (stdout and stderr interleaved; the inspector's own lines left out). */
  get output(): readonly string[] {
    return this.lines;
  }

  /**
   * Resolves with the first line (seen so far or to come) that matches, as a RegExp match. Rejects
   * with NodeOutputError when the program exits first or `timeout` ms pass (default 30 s).
   */
  waitForOutput(pattern: RegExp | string, options: { timeout?: number } = {}): Promise<RegExpExecArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const find = () => {
      for (const line of this.lines) {
        re.lastIndex = 0;
        const m = re.exec(line);
        if (m) return m;
      }
      return undefined;
    };
    const seen = find();
    if (seen) return Promise.resolve(seen);
    const timeout = options.timeout ?? 30_000;
    return new Promise((resolve, reject) => {
      const tail = () => this.lines.slice(-10).map((l) => `  | ${l}`).join('\n') || '  (no output)';
      const check = () => {
        const m = find();
        if (m) return finish(() => resolve(m));
        if (this.exitText) finish(() => reject(new NodeOutputError(`${this.label} ${this.exitText} before printing a line matching ${re}; its last output:\n${tail()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new NodeOutputError(
        `${this.label} printed no line matching ${re} within ${timeout / 1000} s; its last output:\n${tail()}`))), timeout);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  async prepare(): Promise<void> {}

  snapshot(file: string, onProgress?: (p: CaptureProgress) => void): Promise<CaptureResult> {
    return this.session.capture({ out: file, onProgress });
  }

  /** Node has one JavaScript world per process here (vm contexts are the program's own): only inspector handles are the harness's. */
  async harness(): Promise<HarnessRoots> {
    return {};
  }

  /** Closes the session and stops the program (SIGTERM, then SIGKILL after 3 s), by its pid. */
  async close(): Promise<void> {
    await this.session.close().catch(() => {});
    await this.program.stop();
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    for (const w of this.waiters) w();
  }
}
