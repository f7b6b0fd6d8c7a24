/**
 * Exit codes are part of the contract (../shared/CONTRACT.md "Exit codes"); every error that can
 * end a command carries the code it ends with, so the CLI never maps messages to codes.
 */
export const ExitCode = {
  ok: 0,
  overBudget: 1,
  usage: 2,
  unreachable: 3,
  captureIncomplete: 4,
  badFile: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error heapscope reports to a user: a message that names what and where, and an exit code. */
export class HeapscopeError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line input (exit 2). */
export class UsageError extends HeapscopeError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A file could not be read or written: missing, unreadable, disk full (exit 5). */
export class FileIoError extends HeapscopeError {
  readonly file: string;
  readonly code: string | undefined;
  constructor(file: string, action: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why = code === 'ENOSPC' ? 'the disk is full'
      : code === 'EFBIG' ? 'the file size limit was reached'
      : code === 'ENOENT' ? 'no such file or directory'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory'
      : (cause as Error | undefined)?.message ?? String(cause);
    super(`cannot ${action} ${file}: ${why}${code && !why.includes(code) ? ` (${code})` : ''}`, ExitCode.badFile, { cause });
    this.file = file;
    this.code = code;
  }
}
