import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startProgram, type StartedProgram } from '../host/session/program.js';
import type { HostSession } from '../host/session/session.js';
import { ExitCode, HeapscopeError } from '../shared/errors.js';
import { formatBytes } from './format.js';
import { addDashboardOptions, note, runDashboard, type DashboardFlags } from './serve.js';

/** The demo target ships in the package (`files`): fixtures/targets/demo-app.mjs, from src/cli or dist/cli alike. */
export function demoAppPath(): string {
  return fileURLToPath(new URL('../../fixtures/targets/demo-app.mjs', import.meta.url));
}

/** The demo's phases, in the order the snapshots are taken (fixtures/targets/demo-app.mjs). */
const PHASES = ['baseline', 'target', 'final'] as const;

/** `heapscope demo [--port N] [--dir DIR] [--no-open]`; also what `heapscope` with no arguments runs. */
export function registerDemo(program: Command): void {
  addDashboardOptions(program
    .command('demo')
    .description('start the built-in demo target (a small app with real leaks), take three snapshots and open the dashboard'))
    .addHelpText('after', `
Starts fixtures/targets/demo-app.mjs (a document editor that leaks: forgotten event listeners,
a WeakRef cache whose entries a strong array keeps, a FinalizationRegistry whose held value
keeps its own target, WeakMaps with live and dropped keys), and takes three snapshots in one
inspector session: baseline, target (after opening and closing 12 documents) and final
(after the app undid what it should). Leaks, Comparison and Weak references have data at once.

Without --dir the snapshots go to a temporary store that is removed when the demo stops.
Ctrl-C (SIGINT) or SIGTERM stops the demo app and the dashboard.`)
    .action(async (flags: DashboardFlags) => {
      let app: StartedProgram | undefined;
      const temp = flags.dir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'heapscope-demo-'));
      await runDashboard(flags, {
        dir: temp,
        async prepare(session, stop) {
          const phases = new PhaseTracker();
          app = await startProgram([process.execPath, demoAppPath()], {
            stdout: 'pipe',
            onStdoutLine: (line) => phases.line(line),
            echoStderr: false,
          });
          note(`started the demo app (pid ${app.pid})`);
          const target = await session.attach(app.wsUrl, { started: { child: app.child, title: 'demo-app.mjs (heapscope demo)' } });
          for (let i = 0; i < PHASES.length; i++) {
            if (i > 0) app.child.kill('SIGUSR2');
            await phases.reach(i, app, stop);
            if (stop.aborted) return;
            await captureNamed(session, target.targetId, PHASES[i]!, stop);
          }
        },
        async cleanup() {
          await app?.stop();
          if (temp) await rm(temp, { recursive: true, force: true });
        },
      });
    });
}

async function captureNamed(session: HostSession, targetId: string, name: string, stop: AbortSignal): Promise<void> {
  note(`taking snapshot "${name}"`);
  const capture = session.startCapture(targetId, { name, gc: true });
  const onStop = () => capture.cancel();
  stop.addEventListener('abort', onStop, { once: true });
  const end = await capture.finished;
  stop.removeEventListener('abort', onStop);
  if (end.state === 'cancelled') return;
  if (end.state !== 'done') {
    throw new HeapscopeError(`the demo's snapshot "${name}" failed: ${end.error?.message ?? end.state}`,
      (end.error?.exitCode as ExitCode | undefined) ?? ExitCode.captureIncomplete);
  }
  note(`took "${name}": ${end.snapshot?.nodes} nodes, ${formatBytes(end.snapshot?.bytes ?? 0)}`);
}

/** Follows `heapscope-fixture phase N LABEL` lines (fixtures/targets/phases.mjs). */
class PhaseTracker {
  private phase = -1;
  private wake: (() => void) | undefined;

  line(text: string): void {
    const m = /^heapscope-fixture phase (\d+)/.exec(text);
    if (!m) return;
    this.phase = Number(m[1]);
    this.wake?.();
  }

  async reach(n: number, app: StartedProgram, stop: AbortSignal, timeoutMs = 30_000): Promise<void> {
    if (this.phase >= n || stop.aborted) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new HeapscopeError(`the demo app did not reach phase ${n} within ${timeoutMs / 1000} s`, ExitCode.captureIncomplete)), timeoutMs);
      const onStop = () => finish();
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.wake = undefined;
        stop.removeEventListener('abort', onStop);
        if (err) reject(err); else resolve();
      };
      this.wake = () => { if (this.phase >= n) finish(); };
      stop.addEventListener('abort', onStop, { once: true });
      void app.exited.then(({ code, signal }) =>
        finish(new HeapscopeError(`the demo app exited (${signal ?? `code ${code}`}) before phase ${n}`, ExitCode.captureIncomplete)));
    });
  }
}
