import { ExitCode, HeapscopeError } from '../shared/errors.js';

/** A well-formed id that names no stored snapshot; `field` is the request field that carried it. */
export class UnknownSnapshotError extends HeapscopeError {
  readonly field: string;
  constructor(field: string) {
    super(`${field}: no such snapshot in the store (deleted, or never there)`, ExitCode.usage);
    this.field = field;
  }
}

/** The store's index file cannot be read as an index (hand-edited, or written by something else). */
export class StoreIndexError extends HeapscopeError {
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`${file}: not a heapscope snapshot index: ${detail} (move it aside to start an empty store)`, ExitCode.badFile);
    this.file = file;
  }
}
