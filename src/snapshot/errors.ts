import { ExitCode, HeapscopeError } from '../shared/errors.js';

/** The part of a .heapsnapshot file a problem was found in. */
export type SnapshotSection =
  | 'meta'
  | 'nodes'
  | 'edges'
  | 'strings'
  | 'trace_function_infos'
  | 'trace_tree'
  | 'samples'
  | 'locations'
  | 'file';

/**
 * A .heapsnapshot that is not what it claims to be. Always names the file, the section and the
 * byte offset (from the start of the file) where the problem was seen, so a user can look at it
 * with `dd`/`xxd` and a bug report can say exactly where a writer went wrong.
 */
export class SnapshotFormatError extends HeapscopeError {
  readonly file: string;
  readonly section: SnapshotSection;
  readonly offset: number;
  readonly detail: string;
  constructor(file: string, section: SnapshotSection, offset: number, detail: string) {
    super(`${file}: bad heap snapshot: ${detail} (section ${section}, byte offset ${offset})`, ExitCode.badFile);
    this.file = file;
    this.section = section;
    this.offset = offset;
    this.detail = detail;
  }
}
