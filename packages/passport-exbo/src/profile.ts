/**
 * The signed-in user, from EXBO's `/oauth/user`, in Passport's normalised profile shape.
 */
import type { HttpResponse, Transport } from '@exbo-soa2/core';
import { PURPOSE, profileError } from './errors.js';

/** `/oauth/user` as EXBO sends it. */
export interface ExboUserJson {
  id: number;
  uuid: string;
  login: string;
  display_login: string | null;
  distributor: string;
  distributor_id: string | null;
  [key: string]: unknown;
}

/** The profile given to verify. It never contains a token (it usually ends up in the session). */
export interface ExboProfile {
  provider: 'exbo';
  /** EXBO's numeric user id, as a string (Passport convention). */
  id: string;
  uuid: string;
  /** The account login (may be Cyrillic). */
  username: string;
  /** `display_login` when set, else the login. */
  displayName: string;
  /** Where the account comes from, e.g. `EXBO`. */
  distributor: string;
  distributorId: string | null;
  /** The response body as received. */
  _raw: string;
  /** The parsed response body. */
  _json: ExboUserJson;
}

/**
 * An account id: a safe non-negative integer, or a string of digits within that range
 * (docs/protocols/exbo.md, "User info"). Anything else would become an id two accounts could share: 2^53 + 1 reads as
 * 2^53, `1e29` turns into `"1e+29"`, and `" 42"` or `-42` are not ids EXBO issues.
 */
function isUserId(id: unknown): boolean {
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0;
  return typeof id === 'string' && /^\d{1,16}$/.test(id) && Number.isSafeInteger(Number(id));
}

function isUserJson(value: unknown): value is ExboUserJson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const user = value as Record<string, unknown>;
  return isUserId(user.id) && typeof user.login === 'string' && user.login !== '';
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : value == null ? null : String(value);
}

/** Builds the profile from a `/oauth/user` body. */
export function toProfile(json: ExboUserJson, raw: string): ExboProfile {
  const displayLogin = nullableString(json.display_login);
  return {
    provider: 'exbo',
    id: String(json.id),
    uuid: typeof json.uuid === 'string' ? json.uuid : '',
    username: json.login,
    displayName: displayLogin || json.login,
    distributor: typeof json.distributor === 'string' ? json.distributor : '',
    distributorId: nullableString(json.distributor_id),
    _raw: raw,
    _json: json,
  };
}

/**
 * The profile from a `/oauth/user` answer, or an {@link OAuthError} (errors.ts maps the error
 * statuses; the request itself is sent by `ExboClient`, client.ts).
 */
export function readProfileAnswer(
  transport: Transport,
  res: HttpResponse,
  accessToken: string,
): ExboProfile {
  if (res.status !== 200) throw profileError(transport, res, [accessToken]);
  if (!isUserJson(res.json)) {
    throw transport.unexpected(
      res,
      PURPOSE.profile,
      'the answer is not a user with a login and an id that is a non-negative integer below 2^53',
      [accessToken],
    );
  }
  return toProfile(res.json, res.text);
}
