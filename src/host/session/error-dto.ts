import type { ErrorDto } from '../../shared/dto.js';
import { ErrorFromDto } from '../../shared/error-dto.js';

export { toErrorDto } from '../../shared/error-dto.js';

/** The DTO with every mention of `path` (a file inside the store) replaced by `shown` (the name the user knows it by). */
export function renameFile(dto: ErrorDto, path: string, shown: string): ErrorDto {
  const out = { ...dto, message: dto.message.split(path).join(shown) };
  if (dto.file !== undefined) out.file = dto.file === path ? shown : dto.file.split(path).join(shown);
  return out;
}

/** An error rebuilt from a DTO, so a rewritten engine error keeps its name and context when thrown on. */
export class ReportedError extends ErrorFromDto {}
