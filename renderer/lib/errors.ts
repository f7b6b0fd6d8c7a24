import type { ErrorDto } from '../../src/shared/contract.js';

/** An error the host answered with (ErrorDto rebuilt), or a transport failure (`name` = 'ConnectionError'). */
export class ApiError extends Error {
  readonly dto: ErrorDto;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = dto.name;
    this.dto = dto;
  }
}

export function connectionError(message: string): ApiError {
  return new ApiError({ name: 'ConnectionError', message });
}

/** Reads an ErrorDto out of whatever the host sent; anything malformed becomes a generic message. */
export function toErrorDto(value: unknown, fallback: string): ErrorDto {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.error && typeof v.error === 'object') return toErrorDto(v.error, fallback);
    if (typeof v.message === 'string') {
      const dto: ErrorDto = { name: typeof v.name === 'string' ? v.name : 'Error', message: v.message };
      if (typeof v.exitCode === 'number') dto.exitCode = v.exitCode;
      if (typeof v.file === 'string') dto.file = v.file;
      if (typeof v.section === 'string') dto.section = v.section;
      if (typeof v.offset === 'number') dto.offset = v.offset;
      if (typeof v.field === 'string') dto.field = v.field;
      return dto;
    }
  }
  return { name: 'Error', message: fallback };
}

/**
 * The text a banner shows for an error: its message plus the context fields the message does not
 * already carry (a bad import names the byte offset where the file went wrong).
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const { dto } = err;
    const extra: string[] = [];
    if (dto.file && !dto.message.includes(dto.file)) extra.push(`file ${dto.file}`);
    if (dto.section && !dto.message.includes(dto.section)) extra.push(`section ${dto.section}`);
    if (dto.offset !== undefined && !dto.message.includes(String(dto.offset))) extra.push(`byte offset ${dto.offset}`);
    if (dto.field && !dto.message.includes(dto.field)) extra.push(`field ${dto.field}`);
    return extra.length ? `${dto.message} (${extra.join(', ')})` : dto.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
