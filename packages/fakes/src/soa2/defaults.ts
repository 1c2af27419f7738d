/**
 * What the SOA2 fake is configured with: registered applications ("clients") and Scratch users,
 * the lifetimes the real server uses, and the defaults used when a caller configures nothing.
 */

/** An application registered with SOA2 (on its applications page, for the real service). */
export interface Soa2ClientConfig {
  /** An integer from 0 to 2^30, as SOA2 issues them. */
  clientId: number;
  /** 128 lowercase hex characters, as SOA2 issues them. */
  clientSecret: string;
  /** Accepted redirect URIs, compared byte for byte (no normalisation, no trailing-slash leniency). */
  redirectUris: string[];
  /** Shown on the consent page; `null` shows "[unnamed application]". */
  appName?: string | null;
  /** SOA2's application flags; `NAME_APPROVED` (1) unset shows "[application name unmoderated]". Default 1. */
  flags?: number;
}

/** A Scratch account that can "sign in" on the fake's consent page. */
export interface Soa2UserConfig {
  userId: number;
  /** With Scratch's capitalisation: `^[A-Za-z0-9_-]{3,20}$`. */
  userName: string;
  /** `false`: Scratch no longer shows this profile, so `/user` answers 203. Default `true`. */
  authoritative?: boolean;
}

/** How to start the SOA2 fake: where it listens, its applications and users, clock, strictness. */
export interface Soa2FakeOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Registered applications. Default `[DEFAULT_SOA2_CLIENT]`. */
  clients?: Soa2ClientConfig[];
  /** Users offered on the consent page. Default `DEFAULT_SOA2_USERS`. */
  users?: Soa2UserConfig[];
  /** The fake's clock in milliseconds (code and token lifetimes). Default `Date.now`. */
  clock?: () => number;
  /**
   * Redeem a code only with the client it was issued to (404 otherwise). The real server does not
   * check this (docs/protocols/soa2.md, "Server quirks"); a client that passes in strict mode is
   * right either way.
   */
  strict?: boolean;
}

/** Application flag: the name was approved by a moderator. */
export const NAME_APPROVED = 1;

/** A code is valid for an hour. */
export const CODE_LIFETIME_SECONDS = 3600;
/** Access tokens live 24 hours. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 24 * 3600;
/** Refresh tokens live 365 days and are never extended. */
export const REFRESH_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600;

/**
 * The client the example app and the CLI use out of the box. The secret is visibly fake but has the
 * real shape (128 lowercase hex characters).
 */
export const DEFAULT_SOA2_CLIENT: Soa2ClientConfig = Object.freeze({
  clientId: 123456789,
  clientSecret: '0123456789abcdef'.repeat(8),
  redirectUris: Object.freeze(['http://localhost:3000/auth/soa2/callback']) as string[],
  appName: 'Login with Scratch Example (local)',
  flags: NAME_APPROVED,
});

/**
 * Users offered on the consent page. The first is the documented example; the second is a user
 * whose Scratch profile is gone (`/user` answers 203 Non-Authoritative Information).
 */
export const DEFAULT_SOA2_USERS: Soa2UserConfig[] = Object.freeze([
  Object.freeze({ userId: 10114764, userName: 'kenny2scratch' }),
  Object.freeze({ userId: 58122330, userName: 'Gone_Scratcher', authoritative: false }),
  Object.freeze({ userId: 42424242, userName: 'Scratch-Cat_42' }),
]) as Soa2UserConfig[];
