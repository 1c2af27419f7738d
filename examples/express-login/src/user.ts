/**
 * Who is signed in, as the app's pages see it: the app's own user (from the database, see
 * users.ts), every provider account linked to it, and which one this session signed in with.
 *
 * The session keeps only the user's id and the provider they signed in with; everything else is
 * read from the database on each request, so an unlink shows everywhere at once. The EXBO tokens
 * never enter the session: they are in the `exbo_tokens` table (exbo-tokens.ts).
 */
import type { ExboProfile } from 'passport-exbo';
import type { Soa2Profile } from 'passport-soa2';
import type { ProviderKey } from './login-errors.js';

/** A provider account as a login reports it (what the strategies' verify returns). */
export interface ProviderIdentity {
  provider: ProviderKey;
  /** The provider's user id (a string, as Passport profiles have it). */
  id: string;
  username: string;
  displayName: string;
  /** SOA2 only: false when Scratch no longer shows the profile (SOA2 answered 203). */
  authoritative?: boolean;
}

/** What an EXBO login hands to the app besides the identity: the user's tokens. */
export interface ExboLoginTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds, from the token answer. */
  expiresIn: number;
}

/** What a strategy's verify returns: the account, and for EXBO its tokens (kept server-side). */
export interface LoginResult {
  identity: ProviderIdentity;
  exboTokens?: ExboLoginTokens;
}

/** `req.user`: the app's user with the identity this session signed in with. */
export interface AppUser {
  /** The app's own user id. */
  userId: number;
  /** The identity this session signed in with (or, if it was unlinked since, another one). */
  provider: ProviderKey;
  id: string;
  username: string;
  displayName: string;
  authoritative?: boolean;
  /** Every provider account linked to this user, in the order they were linked. */
  identities: ProviderIdentity[];
}

/** What the session stores (passport.serializeUser). */
export interface SessionUser {
  userId: number;
  provider: ProviderKey;
}

export function identityFromExbo(profile: ExboProfile): ProviderIdentity {
  return {
    provider: 'exbo',
    id: profile.id,
    username: profile.username,
    displayName: profile.displayName || profile.username,
  };
}

export function identityFromSoa2(profile: Soa2Profile): ProviderIdentity {
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
