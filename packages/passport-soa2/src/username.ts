/**
 * Scratch usernames, checked before any request: SOA2 answers a malformed one with a bare 400, and
 * a login started for a name that cannot exist would only waste the user's comment.
 */
import { PACKAGE_NAME } from './version.js';

/** What Scratch (and SOA2's `/login/{username}` route) accepts: 3 to 20 of `A-Z a-z 0-9 _ -`. */
export const SCRATCH_USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,20}$/;

/** Whether `value` is shaped like a Scratch username (it may still not exist). */
export function isScratchUsername(value: unknown): value is string {
  return typeof value === 'string' && SCRATCH_USERNAME_PATTERN.test(value);
}

/** The username, or a TypeError saying what a Scratch username looks like. */
export function parseScratchUsername(value: unknown): string {
  if (!isScratchUsername(value)) {
    throw new TypeError(
      `${PACKAGE_NAME}: ${JSON.stringify(value)} is not a Scratch username (3 to 20 characters: letters, digits, "_" and "-")`,
    );
  }
  return value;
}

/** The profile whose comments SOA2 reads to verify a login. */
export function scratchProfileURL(username: string): string {
  return `https://scratch.mit.edu/users/${encodeURIComponent(username)}/#comments`;
}
