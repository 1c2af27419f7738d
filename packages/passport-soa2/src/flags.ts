/**
 * An SOA2 application's `flags` bit field (docs/protocols/soa2.md, "Application registration"). Only SOA2's moderators and admins set
 * them: a `flags` key in an update is refused with 400.
 */

/**
 * A moderator approved the name. Cleared whenever the name changes; set when the name is null.
 * Until then the consent page shows "[application name unmoderated]" instead of the name.
 */
export const NAME_APPROVED = 1;
/** SOA2's admins verified the application (admin-only). */
export const VERIFIED = 2;
/** The consent page does not show who owns the application (admin-only). */
export const HIDE_OWNER = 4;

/** The flags by name, e.g. to test `app.flags & APPLICATION_FLAGS.VERIFIED`. */
export const APPLICATION_FLAGS = Object.freeze({ NAME_APPROVED, VERIFIED, HIDE_OWNER });

/** The name of an application flag: `'NAME_APPROVED'`, `'VERIFIED'` or `'HIDE_OWNER'`. */
export type Soa2ApplicationFlag = keyof typeof APPLICATION_FLAGS;

/** Accepts an application (anything with `flags`) or the number itself. */
type FlagsOf = number | { flags: number };

function bits(value: FlagsOf): number {
  return typeof value === 'number' ? value : value.flags;
}

/** A moderator approved the application's name (or it has none). */
export function isNameApproved(app: FlagsOf): boolean {
  return (bits(app) & NAME_APPROVED) !== 0;
}

/** SOA2's admins verified the application. */
export function isVerified(app: FlagsOf): boolean {
  return (bits(app) & VERIFIED) !== 0;
}

/** The consent page hides the application's owner. */
export function isOwnerHidden(app: FlagsOf): boolean {
  return (bits(app) & HIDE_OWNER) !== 0;
}

/**
 * The names of the flags that are set, in bit order; bits SOA2 does not document are kept as
 * their value (e.g. `'8'`), so nothing is silently dropped.
 */
export function flagNames(app: FlagsOf): string[] {
  const value = bits(app);
  const names: string[] = [];
  // Bitwise operators work on 32-bit integers: flags beyond 2^30 are not a thing SOA2 has.
  for (let bit = 1; bit <= value && bit <= 2 ** 30; bit *= 2) {
    if ((value & bit) === 0) continue;
    const known = Object.entries(APPLICATION_FLAGS).find(([, flag]) => flag === bit);
    names.push(known ? known[0] : String(bit));
  }
  return names;
}
