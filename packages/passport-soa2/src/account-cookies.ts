/**
 * The account cookies: what SOA2's MediaWiki sets on `PUT /login/{username}` for the account API
 * (not the app's Express session, nor the saved account login of account-session.ts), kept and
 * sent back to the same API only. The application endpoints know who you are only through this
 * session (docs/protocols/soa2.md, "Login by profile comment"). One host and one path, so no cookie-jar library: `Domain` and `Path` do
 * not matter here, but `Max-Age` and `Expires` do, so a saved session is reused until it expires
 * and never after.
 */

/** One cookie as kept (and saved to a session file). */
export interface Soa2AccountCookie {
  name: string;
  value: string;
  /**
   * When the cookie expires, milliseconds since the epoch. Absent: a cookie without `Max-Age` or
   * `Expires`, kept until SOA2 says the session ended (401).
   */
  expires?: number | undefined;
}

/** A parsed `Set-Cookie`: a cookie to keep, or one the server deletes (`expires` in the past). */
type SetCookie = Soa2AccountCookie & { deleted: boolean };

/**
 * One `Set-Cookie` header value at `nowMs`, or `undefined` when it names no cookie. `Max-Age`
 * takes precedence over `Expires` (RFC 6265 §5.3); an unparsable date is ignored, as browsers do.
 */
export function parseSetCookie(header: string, nowMs: number): SetCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === '') return undefined;
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const raw = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(raw)) maxAge = Number(raw);
    else if (key === 'expires') {
      const date = Date.parse(raw);
      if (!Number.isNaN(date)) expires = date;
    }
  }
  if (maxAge !== undefined) expires = nowMs + maxAge * 1000;
  const deleted = expires !== undefined && expires <= nowMs;
  return { name, value, ...(expires !== undefined && { expires }), deleted };
}

/**
 * How many replaced or deleted cookie values are remembered for redaction: a session renews its
 * cookie a few times at most, so this covers a client's life without growing with it.
 */
const MAX_RETIRED_VALUES = 16;

/** The cookies of one SOA2 API, by name. */
export class AccountCookies {
  readonly #cookies = new Map<string, Soa2AccountCookie>();
  /**
   * Values the jar held before an answer replaced or deleted them. An answer that renews or deletes
   * the session cookie (MediaWiki does both, and deletes it on 401) may also quote the request's
   * `Cookie` header: the value sent must still be redacted from the error built from that answer.
   */
  readonly #retired: string[] = [];

  constructor(cookies: readonly Soa2AccountCookie[] = []) {
    for (const cookie of cookies) this.#cookies.set(cookie.name, { ...cookie });
  }

  /** Takes in an answer's `Set-Cookie` headers: new values, new expiries, deletions. */
  update(setCookieHeaders: readonly string[], nowMs: number): void {
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, nowMs);
      if (!cookie) continue;
      const old = this.#cookies.get(cookie.name);
      if (old && (cookie.deleted || old.value !== cookie.value)) this.#retire(old.value);
      if (cookie.deleted) this.#cookies.delete(cookie.name);
      else
        this.#cookies.set(cookie.name, {
          name: cookie.name,
          value: cookie.value,
          ...expiry(cookie),
        });
    }
  }

  /** The cookies still valid at `nowMs`, copied (what a session file stores). */
  valid(nowMs: number): Soa2AccountCookie[] {
    return [...this.#cookies.values()]
      .filter((cookie) => cookie.expires === undefined || cookie.expires > nowMs)
      .map((cookie) => ({ ...cookie }));
  }

  /** The `Cookie` header to send at `nowMs`, or `undefined` when no cookie is left. */
  header(nowMs: number): string | undefined {
    const valid = this.valid(nowMs);
    if (valid.length === 0) return undefined;
    return valid.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  /** The cookie values held now and lately, for redaction from error messages. */
  values(): string[] {
    return [...[...this.#cookies.values()].map((cookie) => cookie.value), ...this.#retired];
  }

  /** Whether any cookie is still valid at `nowMs` (else there is no session to send). */
  has(nowMs: number): boolean {
    return this.valid(nowMs).length > 0;
  }

  /**
   * When the session runs out on our side: the earliest expiry among the valid cookies, or
   * `undefined` when none has one (then only SOA2 knows, and says so with a 401).
   */
  expiresAt(nowMs: number): number | undefined {
    const expiries = this.valid(nowMs).flatMap((cookie) =>
      cookie.expires === undefined ? [] : [cookie.expires],
    );
    return expiries.length === 0 ? undefined : Math.min(...expiries);
  }

  /** When the last of the expired cookies expired, or `undefined` when none has. */
  expiredAt(nowMs: number): number | undefined {
    const expiries = [...this.#cookies.values()].flatMap((cookie) =>
      cookie.expires !== undefined && cookie.expires <= nowMs ? [cookie.expires] : [],
    );
    return expiries.length === 0 ? undefined : Math.max(...expiries);
  }

  /** Forgets every cookie. */
  clear(): void {
    for (const cookie of this.#cookies.values()) this.#retire(cookie.value);
    this.#cookies.clear();
  }

  #retire(value: string): void {
    if (this.#retired.includes(value)) return;
    this.#retired.push(value);
    if (this.#retired.length > MAX_RETIRED_VALUES) this.#retired.shift();
  }
}

function expiry(cookie: Soa2AccountCookie): { expires?: number } {
  return cookie.expires === undefined ? {} : { expires: cookie.expires };
}
