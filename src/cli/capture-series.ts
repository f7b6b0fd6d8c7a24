import { openCaptureSession, type CaptureResult, type CaptureSession } from '../inspector/capture.js';
import type { CaptureIncompleteError } from '../inspector/errors.js';
import { ExitCode, HeapscopeError } from '../shared/errors.js';
import { describeMemory } from './capture-memory.js';
import type { CaptureProgressReporter } from './capture-progress.js';
import type { OutputPlan } from './capture-outputs.js';
import type { Triggers, WaitOutcome } from './capture-triggers.js';

export interface SeriesOptions {
  target: string;
  plan: OutputPlan;
  triggers: Triggers;
  gc?: boolean;
  pick?: string;
  worker?: string;
  allowRemote?: boolean;
  json?: boolean;
  progress: CaptureProgressReporter;
  /** Ctrl-C / SIGTERM: cancels the snapshot being taken, or the wait for the next. */
  stop: AbortSignal;
  /** Which signal stopped us, for the message. */
  stoppedBy: () => string;
}

/**
 * A series stopped before its last snapshot. The files already written stay: each one is a whole
 * snapshot, renamed into place only when complete. Exit code: that of the failure (4 when the
 * target went away or we were stopped, 5 for a write error).
 */
export class SeriesIncompleteError extends HeapscopeError {
  readonly written: CaptureResult[];
  constructor(message: string, exitCode: ExitCode, written: CaptureResult[], options?: { cause?: unknown }) {
    super(message, exitCode, options);
    this.written = written;
  }
}

/**
 * `heapscope capture TARGET -o A -o B …`: attaches once, takes A, then before each next snapshot
 * waits for a trigger, all in one inspector session so that object ids stay comparable (closing a
 * session makes V8 forget them: src/inspector/capture-session.ts). Prints each path on stdout as it
 * is written (with --json: one document at the end instead).
 */
export async function runCaptureSeries(o: SeriesOptions): Promise<CaptureResult[]> {
  const { plan, triggers, progress } = o;
  const n = plan.outs.length;
  const written: CaptureResult[] = [];
  let session: CaptureSession | undefined;
  let index = 0;
  triggers.start();
  try {
    session = await openCaptureSession({ target: o.target, pick: o.pick, worker: o.worker, allowRemote: o.allowRemote, signal: o.stop });
    const { address, browser, title } = session.target;
    progress.report({ phase: 'attached', address, browser, title });
    for (; index < n; index++) {
      const label = plan.labels[index]!;
      const position = `${index + 1} of ${n}`;
      if (index > 0) {
        const outcome = await waitForTrigger(session, triggers, o.stop, triggers.prompt(label, position), progress);
        if (outcome.kind !== 'go') {
          const why = outcome.kind === 'lost' ? outcome.error.reason
            : outcome.kind === 'aborted' ? `stopped by ${o.stoppedBy()}`
            : outcome.reason;
          throw new SeriesIncompleteError(`capture series from ${address} incomplete: ${why} before snapshot ${index + 1} of ${n}`
            + listing(plan, written, index), ExitCode.captureIncomplete, written);
        }
      }
      progress.note(`taking ${label} (${position})`);
      const result = await session.capture({ out: plan.outs[index], gc: o.gc, signal: o.stop, onProgress: (p) => progress.report(p) });
      written.push(result);
      if (result.memory) progress.note(describeMemory(result.memory));
      if (!o.json) process.stdout.write(`${result.file}\n`);
    }
  } catch (err) {
    if (written.length === 0 || !(err instanceof HeapscopeError)) throw err;
    if (o.json) printJson(written, false);
    if (err instanceof SeriesIncompleteError) throw err;
    throw new SeriesIncompleteError(`snapshot ${index + 1} of ${n}: ${err.message}${listing(plan, written, index)}`, err.exitCode, written, { cause: err });
  } finally {
    progress.stop();
    triggers.close();
    await session?.close();
  }
  if (o.json) printJson(written, true);
  return written;
}

type Outcome = Exclude<WaitOutcome, { kind: 'go' }> | { kind: 'go' } | { kind: 'lost'; error: CaptureIncompleteError };

/** The next trigger, unless the target goes away (or we are stopped) first. */
async function waitForTrigger(session: CaptureSession, triggers: Triggers, stop: AbortSignal, prompt: string,
  progress: CaptureProgressReporter): Promise<Outcome> {
  if (triggers.interactive) {
    // A person must see this even with --quiet.
    progress.stop();
    process.stderr.write(`${prompt}\n`);
  } else progress.note(prompt);
  const done = new AbortController();
  try {
    return await Promise.race<Outcome>([
      triggers.wait(AbortSignal.any([stop, done.signal])),
      session.lost.then((error) => ({ kind: 'lost', error })),
    ]);
  } finally {
    done.abort();
  }
}

/** `  written (complete): …` and `  not written: …`, one line each, for the error message. */
function listing(plan: OutputPlan, written: CaptureResult[], from: number): string {
  const rest = plan.labels.slice(from);
  let text = `\n  written (complete): ${written.length ? written.map((r) => r.file).join(', ') : 'none'}`;
  if (rest.length) text += `\n  not written: ${collapse(rest).join(', ')}`;
  return text;
}

/** Repeated labels (`a new file in DIR`) once, with a count. */
function collapse(labels: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < labels.length;) {
    let j = i;
    while (j < labels.length && labels[j] === labels[i]) j++;
    out.push(j - i > 1 ? `${j - i} × ${labels[i]}` : labels[i]!);
    i = j;
  }
  return out;
}

/**
 * The --json document of a series: the single-capture shape (its fields describe the first
 * snapshot) plus `snapshots`, every file written in order (each in the single-capture shape), and
 * `complete` (false when the series stopped early; the error is on stderr).
 */
function printJson(written: CaptureResult[], complete: boolean): void {
  process.stdout.write(`${JSON.stringify({ ...written[0], snapshots: written, complete })}\n`);
}
