/**
 * What the EXBO fake is configured with: registered clients (applications) and user accounts, and
 * the defaults used when a caller configures nothing.
 */

/** An application registered with EXBO (through its Telegram bot, for the real service). */
export interface ExboClientConfig {
  /** Numeric string, as EXBO issues them (e.g. `'30'`). */
  clientId: string;
  /** EXBO issues 40-character secrets. */
  clientSecret: string;
  /** Accepted redirect URIs, compared byte for byte (no normalisation, no prefix match). */
  redirectUris: string[];
  /** Shown on the consent page; defaults to `EXBO app <clientId>`. */
  name?: string;
}

/** An EXBO account; `/oauth/user` answers it in snake_case. */
export interface ExboUserConfig {
  id: number;
  uuid: string;
  login: string;
  displayLogin: string | null;
  distributor: string;
  distributorId: string | null;
}

/** How long a code lives: league/oauth2-server's usual 10 minutes. */
export const DEFAULT_CODE_LIFETIME_SECONDS = 600;

/** Access and refresh tokens live about a year (`expires_in: 31536000`). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 31_536_000;

/**
 * The client the example app and the CLI use out of the box. The secret is visibly fake but has
 * the real shape (40 alphanumerics), so length checks in client code get exercised.
 */
export const DEFAULT_EXBO_CLIENT: ExboClientConfig = Object.freeze({
  clientId: '30',
  clientSecret: 'Fake0Exbo0Client0Secret0ForLocalTests000',
  redirectUris: Object.freeze(['http://localhost:3000/auth/exbo/callback']) as string[],
  name: 'EXBO Login Example (local)',
});

/**
 * Accounts offered on the consent page. The first mirrors the documented example; the second has
 * a Cyrillic login (multi-byte UTF-8, the case chunk-by-chunk decoders break); the third has a
 * non-null `display_login`/`distributor_id` pair from another distributor (value illustrative).
 */
export const DEFAULT_EXBO_USERS: ExboUserConfig[] = Object.freeze([
  Object.freeze({
    id: 90102,
    uuid: '1d78bf8c-5a2e-4c1f-9b0d-3e6f7a8b9c01',
    login: 'Test-1',
    displayLogin: null,
    distributor: 'EXBO',
    distributorId: null,
  }),
  Object.freeze({
    id: 90103,
    uuid: '6f1c2d3e-4b5a-4978-8c6d-5e4f3a2b1c0d',
    login: 'Сталкер',
    displayLogin: 'Сталкер-Бандит',
    distributor: 'EXBO',
    distributorId: null,
  }),
  Object.freeze({
    id: 90104,
    uuid: '0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
    login: 'SteamStalker',
    displayLogin: 'Steam Stalker',
    distributor: 'STEAM',
    distributorId: '76561198000000001',
  }),
]) as ExboUserConfig[];
