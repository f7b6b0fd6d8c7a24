import readline from 'node:readline';
import { UsageError } from '../shared/errors.js';

/** What starts the next snapshot of a series. */
export interface TriggerOptions {
  /** Each line read from stdin takes the next snapshot (`--stdin`, and Enter on a terminal). */
  lines?: boolean;
  /** Seconds to wait after a snapshot is written before taking the next (`--every`). */
  everySeconds?: number;
  /** SIGUSR2 to heapscope takes the next snapshot (`--on-signal`). */
  signal?: boolean;
  /** True when stdin is a terminal: then no option means "press Enter". */
  terminal: boolean;
}

export type WaitOutcome =
  | { kind: 'go' }
  /** No trigger can fire any more (stdin closed and nothing else was asked for). */
  | { kind: 'exhausted'; reason: string }
  | { kind: 'aborted' };

export const TRIGGER_SIGNAL = 'SIGUSR2';

/** Usage error for a series with no way to move on; lists the options. */
export function noTriggerError(): UsageError {
  return new UsageError('taking more than one snapshot needs a trigger for each one after the first, and stdin is not a terminal '
    + '(nobody to press Enter). Give one or more of: --stdin (each line on stdin takes the next), --every SECONDS '
    + `(a timer), --on-signal (each ${TRIGGER_SIGNAL} sent to heapscope takes the next)`);
}

/** Reads `--every`: seconds, a positive number (decimals allowed). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 86_400 * 365) {
    throw new UsageError(`--every expects a number of seconds greater than 0, got "${value}"`);
  }
  return n;
}

/**
 * The triggers of one series. Lines and signals that arrive while a snapshot is being taken are
 * counted, not lost: each one takes one snapshot, in turn. The signal handler is installed by
 * `start()`, before attaching, so an early SIGUSR2 is counted instead of killing heapscope (its
 * default action).
 */
export class Triggers {
  readonly options: TriggerOptions;
  private pending = 0;
  private stdinOpen = false;
  private rl: readline.Interface | undefined;
  private wake: (() => void) | undefined;
  private readonly onSignal = () => this.fire();

  /** Throws UsageError when a series has no trigger and stdin is not a terminal. */
  constructor(options: TriggerOptions) {
    const explicit = options.lines || options.signal || options.everySeconds !== undefined;
    if (!explicit && !options.terminal) throw noTriggerError();
    // On a terminal with no option: Enter, i.e. lines.
    this.options = explicit ? options : { ...options, lines: true };
  }

  /** True when a person at a terminal presses Enter (the prompt then says so, even with --quiet). */
  get interactive(): boolean {
    return Boolean(this.options.lines) && this.options.terminal;
  }

  start(stdin: NodeJS.ReadableStream = process.stdin): void {
    if (this.options.signal) process.on(TRIGGER_SIGNAL, this.onSignal);
    if (this.options.lines) {
      this.stdinOpen = true;
      // terminal: false keeps the terminal in cooked mode: it echoes, edits lines, and Ctrl-C stays SIGINT.
      this.rl = readline.createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
      this.rl.on('line', () => this.fire());
      this.rl.on('close', () => {
        this.stdinOpen = false;
        this.wake?.();
      });
    }
  }

  /** Waits for the next trigger, or until `abort` fires or no trigger is left. */
  wait(abort: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        this.wake = undefined;
        abort.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => finish({ kind: 'aborted' });
      const check = () => {
        if (this.pending > 0) {
          this.pending--;
          finish({ kind: 'go' });
        } else if (!this.stdinOpen && !this.options.signal && this.options.everySeconds === undefined) {
          finish({ kind: 'exhausted', reason: 'stdin closed' });
        }
      };
      if (abort.aborted) { onAbort(); return; }
      abort.addEventListener('abort', onAbort, { once: true });
      if (this.options.everySeconds !== undefined) timer = setTimeout(() => finish({ kind: 'go' }), this.options.everySeconds * 1000);
      this.wake = check;
      check();
    });
  }

  /** The line that says what takes the next snapshot: `label` (a file), `position` (e.g. `2 of 3`). */
  prompt(label: string, position: string): string {
    const others: string[] = [];
    if (this.options.lines && !this.interactive) others.push('a line on stdin');
    if (this.options.signal) others.push(`${TRIGGER_SIGNAL} (kill -USR2 ${process.pid})`);
    if (this.options.everySeconds !== undefined) others.push(`${this.options.everySeconds} s`);
    const list = others.length > 1 ? `${others.slice(0, -1).join(', ')} or ${others.at(-1)}` : others[0];
    if (this.interactive) return `press Enter to take ${label} (${position}; Ctrl-C to stop)${list ? `, or wait for ${list}` : ''}`;
    return `waiting for ${list} to take ${label} (${position})`;
  }

  /** Removes the signal handler and lets go of stdin, so the process can exit. */
  close(stdin: NodeJS.ReadableStream & { destroy?: () => void } = process.stdin): void {
    process.off(TRIGGER_SIGNAL, this.onSignal);
    if (this.rl) {
      this.rl.close();
      this.rl = undefined;
      stdin.destroy?.();
    }
  }

  private fire(): void {
    this.pending++;
    this.wake?.();
  }
}
