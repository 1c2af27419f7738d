/**
 * SOA2 applications as the registration API sends and takes them (docs/protocols/soa2.md, "Application registration"), in SOA2's own field
 * names so they read like its documentation and the CLI's `--json` output. Answers are checked;
 * what we send is checked first, since SOA2 answers every mistake with the same bare 400.
 */
import { PACKAGE_NAME } from './version.js';

/** One of your applications as `GET /applications` lists it. */
export interface Soa2ApplicationSummary {
  client_id: number;
  app_name: string | null;
}

/** A whole application: `GET`, `PUT` and `PATCH` answer this. */
export interface Soa2Application {
  /** The client id for the strategy's `clientID` (an integer). */
  client_id: number;
  /** The client secret (128 hex characters). Every answer carries it; keep it out of logs. */
  client_secret: string;
  /** When it was registered, Unix seconds (absent if an older SOA2 does not send it). */
  created_at?: number;
  /** `null`: the consent page shows "[unnamed application]". */
  app_name: string | null;
  /** Bit field: see `NAME_APPROVED`, `VERIFIED`, `HIDE_OWNER` and their helpers. */
  flags: number;
  /** Where SOA2 may send users back, compared byte for byte with the strategy's `callbackURL`. */
  redirect_uris: string[];
}

/** What `createApplication` takes. SOA2 requires both keys; a missing one is sent as `null`. */
export interface Soa2NewApplication {
  /**
   * The name users see once a moderator approves it (until then "[application name
   * unmoderated]"); `null` (default): "[unnamed application]".
   */
  app_name?: string | null | undefined;
  /** Redirect URIs; `null` (default) or `[]`: none (users paste a code). */
  redirect_uris?: readonly string[] | null | undefined;
}

/** What `updateApplication` takes: at least one change. `flags` cannot be changed (SOA2: 400). */
export interface Soa2ApplicationChanges {
  /** A new name (clears the moderator's approval), or `null` for none. */
  app_name?: string | null | undefined;
  /** Replaces the whole list; `null` or `[]` removes every redirect URI. */
  redirect_uris?: readonly string[] | null | undefined;
  /** `true`: SOA2 issues a new client secret; the old one stops working at once. */
  reset_secret?: boolean | undefined;
}

const CHANGE_KEYS = new Set(['app_name', 'redirect_uris', 'reset_secret']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isName(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isClientID(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The checked application, or `undefined` when the body is not one. */
export function parseApplication(json: unknown): Soa2Application | undefined {
  if (!isRecord(json)) return undefined;
  const { client_id, client_secret, created_at, app_name, flags, redirect_uris } = json;
  if (!isClientID(client_id) || typeof client_secret !== 'string' || client_secret === '') {
    return undefined;
  }
  if (!isName(app_name) || !Number.isSafeInteger(flags) || (flags as number) < 0) return undefined;
  // An empty list is `[]`; a `null` (what the server stores for "no URIs") is read as none too.
  if (redirect_uris !== null && !isStringList(redirect_uris)) return undefined;
  if (created_at !== undefined && !Number.isSafeInteger(created_at)) return undefined;
  return {
    client_id,
    client_secret,
    ...(created_at !== undefined && { created_at: created_at as number }),
    app_name,
    flags: flags as number,
    redirect_uris: redirect_uris === null ? [] : [...redirect_uris],
  };
}

/** The checked list of `GET /applications`, or `undefined` when the body is not one. */
export function parseApplicationList(json: unknown): Soa2ApplicationSummary[] | undefined {
  if (!Array.isArray(json)) return undefined;
  const list: Soa2ApplicationSummary[] = [];
  for (const item of json) {
    if (!isRecord(item) || !isClientID(item.client_id) || !isName(item.app_name)) {
      return undefined;
    }
    list.push({ client_id: item.client_id, app_name: item.app_name });
  }
  return list;
}

function checkName(value: unknown): string | null {
  if (!isName(value)) {
    throw new TypeError(`${PACKAGE_NAME}: app_name must be a string or null`);
  }
  return value;
}

function checkRedirectURIs(value: unknown): string[] | null {
  if (value === null) return null;
  if (!isStringList(value)) {
    throw new TypeError(`${PACKAGE_NAME}: redirect_uris must be an array of strings, or null`);
  }
  return [...value];
}

/** The `PUT /applications` body: both keys, always (SOA2 answers 400 when one is missing). */
export function newApplicationBody(input: Soa2NewApplication = {}): {
  app_name: string | null;
  redirect_uris: string[] | null;
} {
  if (!isRecord(input)) {
    throw new TypeError(`${PACKAGE_NAME}: the new application must be an object`);
  }
  return {
    app_name: checkName(input.app_name ?? null),
    redirect_uris: checkRedirectURIs(input.redirect_uris ?? null),
  };
}

/**
 * The `PATCH /applications/{id}` body. Refused before sending, with the reason: no change at all
 * (SOA2: 400 for `{}`), `flags` (moderators and admins only: 400), unknown keys (a typo would be
 * silently ignored by SOA2), wrong types (400).
 */
export function applicationChangesBody(changes: Soa2ApplicationChanges): Record<string, unknown> {
  if (!isRecord(changes)) {
    throw new TypeError(`${PACKAGE_NAME}: the application changes must be an object`);
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'flags') {
      throw new TypeError(
        `${PACKAGE_NAME}: an application's flags are set by SOA2's moderators and admins only (SOA2 refuses a flags change with 400)`,
      );
    }
    if (!CHANGE_KEYS.has(key)) {
      throw new TypeError(
        `${PACKAGE_NAME}: unknown application change ${JSON.stringify(key)} (use app_name, redirect_uris or reset_secret)`,
      );
    }
    if (key === 'app_name') body.app_name = checkName(value);
    else if (key === 'redirect_uris') body.redirect_uris = checkRedirectURIs(value);
    else if (typeof value !== 'boolean') {
      throw new TypeError(`${PACKAGE_NAME}: reset_secret must be true or false`);
    } else body.reset_secret = value;
  }
  if (Object.keys(body).length === 0) {
    throw new TypeError(
      `${PACKAGE_NAME}: no change given (set app_name, redirect_uris or reset_secret; SOA2 refuses an empty update with 400)`,
    );
  }
  return body;
}
