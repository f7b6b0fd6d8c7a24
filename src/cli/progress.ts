import cliProgress from 'cli-progress';

/**
 * Progress on stderr for long commands: a bar on a TTY, a plain line every 10% otherwise (CI logs
 * stay readable), nothing with --quiet. stdout stays clean for the command's result.
 */
export class ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private readonly tty: boolean;
  private readonly enabled: boolean;
  private stageName: string;
  private lastTenth = -1;
  private readonly started = Date.now();

  constructor(mode: 'auto' | 'off', stage: string, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = mode !== 'off';
    this.tty = Boolean(stream.isTTY);
    this.stageName = stage;
  }

  /** `done` of `total` units (bytes when `unit` is omitted). */
  update(done: number, total: number, stage?: string): void {
    if (!this.enabled) return;
    if (stage && stage !== this.stageName) this.stage(stage);
    if (this.tty) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar({
          format: `{stage} [{bar}] {percentage}% | {value}/{total} MB | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        }, cliProgress.Presets.shades_classic);
        this.bar.start(mb(total), 0, { stage: this.stageName });
      }
      this.bar.setTotal(mb(total));
      this.bar.update(mb(done), { stage: this.stageName });
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * done) / total) : 0;
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      process.stderr.write(`${this.stageName}: ${tenth * 10}% (${mb(done)} of ${mb(total)} MB)\n`);
    }
  }

  /** A new phase without a measurable amount of work (e.g. "analysing"). */
  stage(name: string): void {
    if (!this.enabled) return;
    this.stopBar();
    this.stageName = name;
    this.lastTenth = -1;
    if (!this.tty) process.stderr.write(`${name}…\n`);
    else process.stderr.write(`${name}…\r`);
  }

  done(): void {
    if (!this.enabled) return;
    this.stopBar();
    if (this.tty) process.stderr.write('\x1b[2K\r');
    else process.stderr.write(`done in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}
