/**
 * Errors as plain data and back, for every boundary that cannot carry an Error subclass: the
 * engine worker's port (structured clone drops a subclass's fields and name), the dashboard's
 * WebSocket and Electron IPC. Pure code, no platform imports: the hosts and the engine share it.
 */
import type { ErrorDto } from './dto.js';

/** An error as plain data: its name and message plus the context fields it has. Non-Errors become a generic Error. */
export function toErrorDto(err: unknown): ErrorDto {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { exitCode?: unknown; file?: unknown; section?: unknown; offset?: unknown; field?: unknown };
  const dto: ErrorDto = { name: e.name, message: e.message };
  if (typeof e.exitCode === 'number') dto.exitCode = e.exitCode;
  if (typeof e.file === 'string') dto.file = e.file;
  if (typeof e.section === 'string') dto.section = e.section;
  if (typeof e.offset === 'number') dto.offset = e.offset;
  if (typeof e.field === 'string') dto.field = e.field;
  return dto;
}

/** An error rebuilt from its ErrorDto: `name` says which kind it was, the context fields come back. */
export class ErrorFromDto extends Error {
  readonly exitCode: number | undefined;
  readonly file: string | undefined;
  readonly section: string | undefined;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = dto.name;
    this.exitCode = dto.exitCode;
    this.file = dto.file;
    this.section = dto.section;
    this.offset = dto.offset;
    this.field = dto.field;
  }
}
