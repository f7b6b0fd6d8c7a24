import { ExitCode, HeapscopeError } from '../../shared/errors.js';

/** A targetId or captureId the session does not know. */
export class UnknownIdError extends HeapscopeError {
  readonly field: string;
  constructor(field: string, what: string) {
    super(`${field}: no such ${what}`, ExitCode.usage);
    this.field = field;
  }
}

/** The target cannot do what was asked in its state (died, detached). */
export class TargetStateError extends HeapscopeError {
  readonly field = 'targetId';
  constructor(message: string) {
    super(message, ExitCode.captureIncomplete);
  }
}

/** The target is alive but cannot answer now (a capture blocks its JS thread); asking again later works. */
export class TargetBusyError extends HeapscopeError {
  readonly field = 'targetId';
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
