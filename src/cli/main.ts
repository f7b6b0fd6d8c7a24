#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ExitCode, HeapscopeError } from '../shared/errors.js';
import { registerCommands } from './commands.js';

/** Entry of the `heapscope` bin. Commands live one per file; this only wires them and maps errors to exit codes. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('heapscope')
    .description('What is keeping this object alive? Capture and analyse V8 heap snapshots.')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    // `heapscope` alone is the demo (CONTRACT.md "Commands"): the README's first command shows something.
    await program.parseAsync(argv.length === 0 ? ['demo'] : argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exitCode 0; commander already printed the message.
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof HeapscopeError) {
    process.stderr.write(`heapscope: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`heapscope: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}

function readVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url); // dist/cli/main.js -> package.json
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href; // npx runs us through a symlink
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `heapscope serve --help | head`: the reader went away. That is the reader's choice, not our
  // failure: stop quietly, as Unix tools do, rather than crash with an unhandled EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`heapscope: internal error: ${String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
