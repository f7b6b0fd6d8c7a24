import { randomBytes } from 'node:crypto';

/**
 * Opaque ids for stored snapshots, targets and captures: 16 random bytes as 22 base64url
 * characters, the same format as the engine's snapshot ids, so one schema accepts both and a
 * path (`../x`, `/etc/passwd`) can never pass for an id.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function newId(): string {
  return randomBytes(16).toString('base64url');
}
