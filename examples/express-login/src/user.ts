/**
 * The user as this app keeps it in the session: who they are, nothing more.
 *
 * The access and refresh tokens are deliberately not kept: this app only needs to know who logged
 * in. If yours calls the STALCRAFT API on the user's behalf, store the tokens server-side (a
 * database row keyed by the user id), not in the session cookie's store next to everything else.
 * A real app would also look the user up in its own database here and keep only its own user id.
 */
import type { ExboProfile } from 'passport-exbo';
import type { Soa2Profile } from 'passport-soa2';
import type { ProviderKey } from './login-errors.js';

export interface AppUser {
  provider: ProviderKey;
  /** The provider's user id (a string, as Passport profiles have it). */
  id: string;
  username: string;
  displayName: string;
  /** SOA2 only: false when Scratch no longer shows the profile (SOA2 answered 203). */
  authoritative?: boolean;
}

export function userFromExbo(profile: ExboProfile): AppUser {
  return {
    provider: 'exbo',
    id: profile.id,
    username: profile.username,
    displayName: profile.displayName || profile.username,
  };
}

export function userFromSoa2(profile: Soa2Profile): AppUser {
  return {
    provider: 'soa2',
    id: profile.id,
    username: profile.username,
    displayName: profile.displayName || profile.username,
    authoritative: profile.authoritative,
  };
}

declare global {
  namespace Express {
    interface User extends AppUser {}
  }
}
