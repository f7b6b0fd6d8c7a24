import v8 from 'node:v8';
import type { Command } from 'commander';
import { captureHeapSnapshot } from '../inspector/capture.js';
import { createCaptureProgress } from './capture-progress.js';

interface CaptureFlags {
  output?: string;
  gc?: boolean;
  pick?: string;
  allowRemote?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** `heapscope capture TARGET [-o FILE] [--gc] [--pick TEXT] [--allow-remote] [--quiet]` */
export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('write one heap snapshot of a running Node or Chromium process; prints its path on stdout')
    .argument('<TARGET>', 'ws://HOST:PORT/ID, HOST:PORT, PORT (on 127.0.0.1), or pid:PID (a Node process: sent SIGUSR1 to open its inspector)')
    .option('-o, --output <FILE>', 'where to write it (an existing directory: the default name in it); default heapscope-<yyyymmdd-hhmmss>-<pid or port>.heapsnapshot here')
    .option('--gc', 'run a garbage collection first')
    .option('--pick <TEXT>', 'where the port serves several targets, the one whose title or URL contains TEXT')
    .option('--allow-remote', 'allow a host outside loopback (the inspector gives full control of the process)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print {"file","bytes","nodeCount","edgeCount","address"} as one JSON document instead of the path')
    .addHelpText('after', `
The target's JavaScript is paused while V8 builds the snapshot, and the target needs
about 7x the snapshot size in extra memory meanwhile. The file (mode 0600) appears only
when the snapshot is complete; on failure nothing is left behind.

Attaching by pid works for Node processes of your own user: heapscope sends SIGUSR1
and finds the port the inspector opened (127.0.0.1:9229 unless --inspect-port said
otherwise). Never share the ws:// URL of an inspector: it grants full control.

Exit codes: 0 written, 2 usage (bad TARGET, remote host, several targets without
--pick), 3 target unreachable or not an inspector, 4 capture incomplete (the target
died or the connection dropped), 5 I/O error (e.g. disk full).

Examples:
  node --inspect=127.0.0.1:9229 app.js &   heapscope capture 9229
  heapscope capture pid:12345 -o before.heapsnapshot --gc
  heapscope capture 127.0.0.1:9222 --pick localhost:3000`)
    .action(async (target: string, flags: CaptureFlags) => {
      keepYoungGenerationSmall();
      const progress = createCaptureProgress({ quiet: flags.quiet });
      const controller = new AbortController();
      // Ctrl-C mid-capture: cancel, so the temp file is removed before we exit.
      const cancel = () => controller.abort();
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      try {
        const result = await captureHeapSnapshot({
          target,
          out: flags.output,
          gc: flags.gc,
          pick: flags.pick,
          allowRemote: flags.allowRemote,
          signal: controller.signal,
          onProgress: (p) => progress.report(p),
        });
        progress.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${result.file}\n`);
      } finally {
        progress.stop();
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
      }
    });
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
