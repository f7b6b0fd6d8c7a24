import type { ErrorDto } from '../../shared/dto.js';

/**
 * An error as plain data for the dashboard: its name and message plus the context fields it has
 * (engine/host.ts does the same for the worker port; that module cannot be imported outside a
 * worker). Unknown throwables become a generic Error.
 */
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

/** The DTO with every mention of `path` (a file inside the store) replaced by `shown` (the name the user knows it by). */
export function renameFile(dto: ErrorDto, path: string, shown: string): ErrorDto {
  const out = { ...dto, message: dto.message.split(path).join(shown) };
  if (dto.file !== undefined) out.file = dto.file === path ? shown : dto.file.split(path).join(shown);
  return out;
}

/** An error rebuilt from a DTO, so a rewritten engine error keeps its name and context when thrown on. */
export class ReportedError extends Error {
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
