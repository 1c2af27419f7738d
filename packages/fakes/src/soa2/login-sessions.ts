/**
 * SOA2's login sessions (docs/protocols/soa2.md, "Login by profile comment: /login/{username}"):
 * MediaWiki sessions kept by a cookie, which hold the login text to post, accept CSRF tokens for 30
 * minutes, and after a verified login know the Scratch user the application endpoints act for. The
 * fake's cookie has its own name, so it cannot be confused with an Express app's session cookie on
 * the same host (cookies ignore ports).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The fake's session cookie (MediaWiki calls its own `<wiki>_session`). */
export const SOA2_FAKE_SESSION_COOKIE = 'soa2fake_session';
/** How long a login session lasts from its start, in seconds (the cookie's Max-Age). */
export const SESSION_LIFETIME_SECONDS = 24 * 3600;
/** SOA2 accepts a login's CSRF token for 30 minutes. */
export const CSRF_LIFETIME_SECONDS = 30 * 60;

export interface LoginSession {
  id: string;
  /** Unix seconds. */
  expiry: number;
  /** The Scratch user logged in, once a login was verified. */
  userId: number | null;
  /** The text to post; kept across login starts in the same session until a login succeeds. */
  code: string | undefined;
  /** CSRF tokens issued in this session, with when (Unix seconds). */
  csrf: Map<string, number>;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The value of cookie `name` in a request's `Cookie` header(s). */
function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class LoginSessions {
  readonly #sessions = new Map<string, LoginSession>();

  /** The live session a request's cookie names, if any. */
  find(req: IncomingMessage, nowSeconds: number): LoginSession | undefined {
    const id = cookieValue(req, SOA2_FAKE_SESSION_COOKIE);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiry <= nowSeconds) {
      this.#sessions.delete(session.id);
      return undefined;
    }
    return session;
  }

  /** The request's session, or a new one (MediaWiki starts one when a handler persists it). */
  findOrCreate(req: IncomingMessage, nowSeconds: number): LoginSession {
    const found = this.find(req, nowSeconds);
    if (found) return found;
    const session: LoginSession = {
      id: hex(16),
      expiry: nowSeconds + SESSION_LIFETIME_SECONDS,
      userId: null,
      code: undefined,
      csrf: new Map(),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** `Set-Cookie` for a session, with its remaining lifetime as both Max-Age and Expires. */
  setCookie(session: LoginSession, nowSeconds: number): string {
    const maxAge = Math.max(0, session.expiry - nowSeconds);
    const expires = new Date(session.expiry * 1000).toUTCString();
    return `${SOA2_FAKE_SESSION_COOKIE}=${session.id}; Path=/; Max-Age=${maxAge}; Expires=${expires}; HttpOnly; SameSite=Lax`;
  }

  /** A new CSRF token, shaped like MediaWiki's (hex, then `+\`). */
  issueCsrf(session: LoginSession, nowSeconds: number): string {
    const token = `${hex(16)}${nowSeconds.toString(16)}+\\`;
    session.csrf.set(token, nowSeconds);
    return token;
  }

  /** Whether `token` was issued in this session less than 30 minutes ago. */
  checkCsrf(session: LoginSession, token: string, nowSeconds: number): boolean {
    for (const [issued, at] of session.csrf) {
      if (sameText(issued, token)) return nowSeconds - at <= CSRF_LIFETIME_SECONDS;
    }
    return false;
  }

  /** The session's login text, made on first use: a sentence, then groups of hex. */
  code(session: LoginSession): string {
    session.code ??= `Verifying my Scratch account for ScratchOAuth2 (local fake) | ${Array.from(
      { length: 8 },
      () => hex(3).slice(0, 5),
    ).join(':')}`;
    return session.code;
  }

  /** A verified login: the session now acts for `userId`, and the next login gets a new text. */
  logIn(session: LoginSession, userId: number): void {
    session.userId = userId;
    session.code = undefined;
  }
}
