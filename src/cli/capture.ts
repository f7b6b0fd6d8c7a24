import v8 from 'node:v8';
import { InvalidArgumentError, type Command } from 'commander';
import { captureHeapSnapshot } from '../inspector/capture.js';
import { HeapscopeError } from '../shared/errors.js';
import { runCaptureList } from './capture-list.js';
import { describeMemory } from './capture-memory.js';
import { planOutputs } from './capture-outputs.js';
import { createCaptureProgress } from './capture-progress.js';
import { runCaptureSeries } from './capture-series.js';
import { parseSeconds, TRIGGER_SIGNAL, Triggers } from './capture-triggers.js';

interface CaptureFlags {
  output?: string[];
  count?: number;
  every?: number;
  stdin?: boolean;
  onSignal?: boolean;
  gc?: boolean;
  pick?: string;
  worker?: string;
  list?: boolean;
  allowRemote?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/**
 * `heapscope capture TARGET [-o FILE]... [--count N] [--stdin | --every S | --on-signal] [--gc] [--pick TEXT] [--worker ID|TEXT]
 * [--allow-remote] [--quiet] [--json]`, and `heapscope capture TARGET --list [--pick TEXT] [--json]`.
 */
export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('write heap snapshots of a running Node process, Chromium page, Electron main process or renderer, or Node worker thread; '
      + 'prints each path on stdout as it is written')
    .argument('<TARGET>', 'ws://HOST:PORT/ID, HOST:PORT, PORT (on 127.0.0.1), pid:PID (a Node process: sent SIGUSR1 to open its inspector), '
      + 'or chromium:USER_DATA_DIR (a Chromium or Electron started with --remote-debugging-port=0: the port it wrote to DevToolsActivePort)')
    .option('-o, --output <FILE>', 'where to write it (an existing directory: the default name in it); default heapscope-<yyyymmdd-hhmmss>-<pid or port>.heapsnapshot here. '
      + 'Repeat for a series taken in one session: -o A -o B -o C', collect)
    .option('--count <N>', 'take a series of N snapshots: with -o DIR (default names in it), -o PATTERN holding {n} (1..N), or no -o (here)', count)
    .option('--stdin', 'series: each line read on stdin takes the next snapshot (for scripts and pipelines)')
    .option('--every <SECONDS>', 'series: take the next snapshot SECONDS after the previous one was written', seconds)
    .option('--on-signal', `series: each ${TRIGGER_SIGNAL} sent to heapscope (kill -USR2 PID) takes the next snapshot`)
    .option('--gc', 'run a garbage collection first (before each snapshot)')
    .option('--pick <TEXT>', 'where the port serves several targets (Chromium pages, Electron windows), the one whose title or URL contains TEXT')
    .option('--worker <ID|TEXT>', 'a worker thread of the Node target: its thread id, or text in its title or URL (see --list); '
      + 'snapshots are of that thread\'s heap, taken through the process\'s inspector')
    .option('--list', 'print the targets TARGET offers (type, title, URL; Node worker threads under their process) and exit; nothing is captured')
    .option('--allow-remote', 'allow a host outside loopback (the inspector gives full control of the process)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print {"file","bytes","nodeCount","edgeCount","address","memory"} as one JSON document instead of the path; '
      + 'a series adds "snapshots" (one such object per file, in order) and "complete". With --list: {"address","browser","targets"}')
    .addHelpText('after', `
The target's JavaScript is paused while V8 builds the snapshot, and the target needs
about 7x the snapshot size in extra memory meanwhile. The file (mode 0600) appears only
when the snapshot is complete; on failure nothing is left behind.

Series (several -o, or --count): snapshots to compare (diff, weak before/after, leaks)
must come from ONE inspector session: V8 forgets its object ids whenever a session on
the target closes, and numbers the heap afresh in the next one. So heapscope attaches
once, takes the first snapshot, and takes each next one when a trigger says so:
  on a terminal     press Enter (Ctrl-C stops)
  --stdin           each line read on stdin (works in pipelines)
  --every SECONDS   a timer, counted from the previous snapshot
  --on-signal       each ${TRIGGER_SIGNAL} sent to heapscope (its pid is in the prompt;
                    the handler is installed at start, so an early signal is not lost)
Triggers that arrive during a snapshot are counted, not lost. Without a terminal a
series needs one of these (exit 2). Do not attach and detach anything else (DevTools,
another capture) to the target during a series: that, too, makes V8 forget the ids.
If the series stops early (the target exits, stdin closes, Ctrl-C), the files written
so far stay (each is complete), and heapscope names them and exits 4.

Attaching by pid works for Node processes of your own user: heapscope sends SIGUSR1
and finds the port the inspector opened (127.0.0.1:9229 unless --inspect-port said
otherwise). Never share the ws:// URL of an inspector: it grants full control.

Desktop UIs: a Chromium (or Electron app) started with --remote-debugging-port=0
--user-data-dir=DIR writes its port to DIR/DevToolsActivePort; chromium:DIR (or the
path of that file) finds it. The port lists every page, iframe and worker (Chromium's
own UI is left out); --pick chooses one, --list shows them. An Electron app's main
process is a Node target (--inspect=PORT), its windows are pages of
--remote-debugging-port. A Node worker thread is captured through its process:
TARGET names the process, --worker the thread. Before each snapshot heapscope reads
the target's JS heap usage and, where /proc tells, its process's RSS ("memory" in
--json); it runs no code in the target for this.

Exit codes: 0 written, 2 usage (bad TARGET, remote host, several targets without
--pick, a series without a trigger), 3 target unreachable or not an inspector,
4 capture incomplete (the target died or the connection dropped, or a series was
stopped early), 5 I/O error (e.g. disk full).

Examples:
  node --inspect=127.0.0.1:9229 app.js &   heapscope capture 9229
  heapscope capture pid:12345 -o before.heapsnapshot --gc
  heapscope capture 127.0.0.1:9222 --pick localhost:3000
  heapscope capture chromium:/tmp/profile --list
  heapscope capture chromium:/tmp/profile --pick 'My App' -o page.heapsnapshot
  heapscope capture 9229 --worker 1 -o worker.heapsnapshot
  heapscope capture 9229 -o before.heapsnapshot -o after.heapsnapshot      (Enter between)
  heapscope capture 9229 -o a.heapsnapshot -o b.heapsnapshot -o c.heapsnapshot --on-signal &
  heapscope capture pid:12345 --count 3 -o 'snap-{n}.heapsnapshot' --every 60`)
    .action(async (target: string, flags: CaptureFlags) => {
      if (flags.list) {
        await runCaptureList(target, flags);
        return;
      }
      keepYoungGenerationSmall();
      const plan = await planOutputs(flags.output ?? [], flags.count, process.cwd());
      const triggers = plan.series
        ? new Triggers({ lines: flags.stdin, everySeconds: flags.every, signal: flags.onSignal, terminal: Boolean(process.stdin.isTTY) })
        : undefined;
      const progress = createCaptureProgress({ quiet: flags.quiet });
      const controller = new AbortController();
      let stoppedBy = 'a signal';
      // Ctrl-C mid-capture: cancel, so the temp file is removed before we exit.
      const onSigint = () => { stoppedBy = 'Ctrl-C (SIGINT)'; controller.abort(); };
      const onSigterm = () => { stoppedBy = 'SIGTERM'; controller.abort(); };
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigterm);
      try {
        if (triggers) {
          await runCaptureSeries({
            target, plan, triggers, gc: flags.gc, pick: flags.pick, worker: flags.worker, allowRemote: flags.allowRemote, json: flags.json,
            progress, stop: controller.signal, stoppedBy: () => stoppedBy,
          });
          return;
        }
        const result = await captureHeapSnapshot({
          target,
          out: plan.outs[0],
          gc: flags.gc,
          pick: flags.pick,
          worker: flags.worker,
          allowRemote: flags.allowRemote,
          signal: controller.signal,
          onProgress: (p) => progress.report(p),
        });
        if (result.memory) progress.note(describeMemory(result.memory));
        progress.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${result.file}\n`);
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
      }
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function count(value: string): number {
  if (!/^\d{1,6}$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of snapshots, 1 or more');
  return Number(value);
}

function seconds(value: string): number {
  try {
    return parseSeconds(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof HeapscopeError ? err.message : String(err));
  }
}

/**
 * Capturing allocates ~300 KB of short-lived strings and buffers per 100 KB chunk, and the chunk
 * being parsed is always live when a scavenge starts; V8 counts that as survival and doubles the
 * young generation, chunk after chunk, up to 2 x 16 MiB semi-spaces. Measured on a 300 MB capture:
 * peak RSS 91-100 MB with growth, 63-65 MB without, same speed (the target is the bottleneck).
 * V8 reads this flag each time it would grow the new space, so setting it after start-up is
 * effective; it is set in the CLI only, whose process does nothing else, never by the library.
 */
function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
