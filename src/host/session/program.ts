import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ExitCode, HeapscopeError, UsageError } from '../../shared/errors.js';

/** The program did not open an inspector we could find (exit 3), or exited first. */
export class ProgramStartError extends HeapscopeError {
  constructor(message: string) {
    super(message, ExitCode.unreachable);
  }
}

export interface StartProgramOptions {
  /** 'inherit' (run: the program's output is the user's) or 'pipe' (demo: lines go to onStdoutLine). */
  stdout?: 'inherit' | 'pipe';
  onStdoutLine?: (line: string) => void;
  /** Echo the program's stderr to ours (the inspector's URL hidden). Default true. */
  echoStderr?: boolean;
  /** Each line of the program's stderr, the inspector's URL hidden. */
  onStderrLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for "Debugger listening on ws://…". */
  timeoutMs?: number;
}

export interface StartedProgram {
  child: ChildProcess;
  pid: number;
  /** The inspector's WebSocket URL: the secret. Hand it to the session, nowhere else. */
  wsUrl: string;
  /** The command line, for the target's title. */
  title: string;
  /** Resolves when the program has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM by pid, SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const INSPECT = '--inspect=127.0.0.1:0';
const LISTENING = /Debugger listening on (ws:\/\/\S+)/;

/**
 * Starts COMMAND (a Node program) with its inspector on a free loopback port and waits for the
 * URL it prints on stderr. `node …` gets `--inspect=127.0.0.1:0` right after `node`; a bare
 * script (`app.js`) is run with this Node; any other launcher (npm, npx, a shell script) gets it
 * through NODE_OPTIONS, and its first Node process is the one attached to.
 */
export async function startProgram(command: string[], options: StartProgramOptions = {}): Promise<StartedProgram> {
  if (command.length === 0) throw new UsageError('no COMMAND given: heapscope run -- node app.js');
  const { file, args, env } = withInspector(command, options.env ?? process.env);
  const title = command.join(' ').slice(0, 200);
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['inherit', options.stdout ?? 'inherit', 'pipe'], env, cwd: options.cwd });
  } catch (err) {
    throw new UsageError(`cannot run ${command[0]}: ${(err as Error).message}`);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  if (options.stdout === 'pipe' && child.stdout) lines(child.stdout, (line) => options.onStdoutLine?.(line));

  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      reject(new ProgramStartError(`${command[0]} opened no inspector within ${timeoutMs / 1000} s: is it a Node program? (heapscope run -- node app.js)`));
    }, timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new UsageError(`cannot run ${command[0]}: command not found`) : new UsageError(`cannot run ${command[0]}: ${err.message}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new ProgramStartError(`${command[0]} exited (${signal ? `killed by ${signal}` : `code ${code}`}) before its inspector opened`));
    });
    lines(child.stderr!, (line) => {
      const m = LISTENING.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
      if (options.echoStderr !== false) process.stderr.write(`${hideSecret(line)}\n`);
      options.onStderrLine?.(hideSecret(line));
    });
  }).catch(async (err: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  });

  const stop = async (graceMs = 3000) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try { process.kill(child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid!, wsUrl, title, exited, stop };
}

/** The command with the inspector switched on. */
function withInspector(command: string[], baseEnv: NodeJS.ProcessEnv): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const [first, ...rest] = command as [string, ...string[]];
  const env = { ...baseEnv };
  if (isNode(first)) return { file: first, args: [INSPECT, ...rest], env };
  if (/\.(c|m)?js$/i.test(first)) return { file: process.execPath, args: [INSPECT, first, ...rest], env };
  env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} ${INSPECT}`.trim();
  return { file: first, args: rest, env };
}

function isNode(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  return base === 'node' || base === 'node.exe' || base === 'nodejs' || path.resolve(file) === process.execPath;
}

/** The inspector prints its URL; the UUID in it is the only secret guarding the process (FACTS §2). */
export function hideSecret(line: string): string {
  return line.replace(/(ws:\/\/[^/\s]+\/)[^\s]+/g, '$1<hidden>');
}

/** Calls `fn` with each line of `stream`; a last line without a newline is delivered at the end. */
function lines(stream: NodeJS.ReadableStream, fn: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    buf += s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      fn(buf.slice(0, nl).replace(/\r$/, ''));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buf) fn(buf);
    buf = '';
  });
}
