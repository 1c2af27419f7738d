/**
 * The signed-in Scratch user, from SOA2's `GET /user`, in Passport's normalised profile shape.
 */

/** `GET /user` as SOA2 sends it. */
export interface Soa2UserJson {
  user_id: number;
  /** With Scratch's capitalisation, e.g. `kenny2scratch`. */
  user_name: string;
  [key: string]: unknown;
}

/** The profile given to verify. It never contains a token (it usually ends up in the session). */
export interface Soa2Profile {
  provider: 'soa2';
  /** The Scratch user id, as a string (Passport convention). Stable across renames. */
  id: string;
  /** The Scratch username. */
  username: string;
  /** The Scratch username (Scratch has no separate display name). */
  displayName: string;
  /**
   * `false` when SOA2 answered 203 Non-Authoritative Information: it knows this identity, but
   * Scratch no longer shows the profile (banned, deleted or renamed). Still a successful login;
   * the app decides what it means.
   */
  authoritative: boolean;
  /** The response body as received. */
  _raw: string;
  /** The parsed response body. */
  _json: Soa2UserJson;
}

export function isUserJson(value: unknown): value is Soa2UserJson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const user = value as Record<string, unknown>;
  return (
    typeof user.user_id === 'number' &&
    Number.isSafeInteger(user.user_id) &&
    user.user_id >= 0 &&
    typeof user.user_name === 'string' &&
    user.user_name !== ''
  );
}

/** Builds the profile from a `/user` body and its status (200 or 203). */
export function toProfile(json: Soa2UserJson, raw: string, status: number): Soa2Profile {
  return {
    provider: 'soa2',
    id: String(json.user_id),
    username: json.user_name,
    displayName: json.user_name,
    authoritative: status !== 203,
    _raw: raw,
    _json: json,
  };
}
