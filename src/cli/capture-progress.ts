import cliProgress from 'cli-progress';
import type { CaptureProgress } from '../inspector/capture.js';
import { formatBytes, printable } from '../inspector/errors.js';

/**
 * Capture progress on stderr. Its own reporter (not progress.ts's byte-only one) because phase 1
 * counts graph-building steps, not bytes. A bar on a TTY; otherwise one line per phase and per 10%.
 */
export function createCaptureProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): CaptureProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { report() {}, note() {}, stop() {} };
  const out: Output = stream.isTTY ? new BarOutput(stream) : new LineOutput(stream);
  return {
    report(p) {
      switch (p.phase) {
        case 'attached':
          out.note(`attached to ${printable(p.browser)} at ${p.address}${p.title ? ` (${printable(p.title)})` : ''}`);
          break;
        case 'gc':
          out.note('collecting garbage');
          break;
        case 'graph':
          out.update('building graph', p.total > 0 ? p.done / p.total : undefined, '');
          break;
        case 'write': {
          const fraction = p.estimatedBytes ? Math.min(0.99, p.bytes / p.estimatedBytes) : undefined;
          out.update('receiving', fraction, `${formatBytes(p.bytes)}${p.estimatedBytes ? ` of ~${formatBytes(p.estimatedBytes)}` : ''}`);
          break;
        }
        case 'done':
          out.stop();
          out.note(`wrote ${formatBytes(p.bytes)}`);
          break;
      }
    },
    note: (text) => out.note(text),
    stop: () => out.stop(),
  };
}

export interface CaptureProgressReporter {
  report(p: CaptureProgress): void;
  /** A line of its own (a bar in progress is ended first). */
  note(text: string): void;
  stop(): void;
}

interface Output {
  update(step: string, fraction: number | undefined, detail: string): void;
  note(text: string): void;
  stop(): void;
}

class LineOutput implements Output {
  private step = '';
  private decile = -1;
  constructor(private readonly stream: NodeJS.WritableStream) {}

  update(step: string, fraction: number | undefined, detail: string): void {
    const decile = fraction === undefined ? -1 : Math.min(10, Math.floor(fraction * 10));
    if (step === this.step && decile <= this.decile) return;
    const first = step !== this.step;
    this.step = step;
    this.decile = decile;
    if (!first && decile < 0) return;
    this.stream.write(`${step}${decile < 0 ? '' : ` ${decile * 10}%`}${detail ? ` (${detail})` : ''}\n`);
  }

  note(text: string): void {
    this.stream.write(`${text}\n`);
  }

  stop(): void {}
}

class BarOutput implements Output {
  private readonly bar: cliProgress.SingleBar;
  private started = false;
  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: '{step} [{bar}] {percentage}% {detail}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic);
  }

  update(step: string, fraction: number | undefined, detail: string): void {
    const value = Math.round((fraction ?? 0) * 1000);
    if (!this.started) {
      this.bar.start(1000, value, { step, detail });
      this.started = true;
    } else this.bar.update(value, { step, detail });
  }

  note(text: string): void {
    this.stop();
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}
