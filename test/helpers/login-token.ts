/**
 * The token a session-less app issues after a login: a JWT-shaped HMAC-SHA256 token
 * (`header.payload.signature`), as apps with `session: false` hand out. node:crypto only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_KEY = 'the session-less test apps sign their login tokens with this key';

function sign(data: string, key: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** A signed token carrying `claims`. */
export function issueToken(claims: object, key = TOKEN_KEY): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${header}.${payload}.${sign(`${header}.${payload}`, key)}`;
}

/** The claims of a token this key signed, or undefined. */
export function readToken(token: string | undefined, key = TOKEN_KEY): unknown {
  const [header, payload, signature, ...rest] = (token ?? '').split('.');
  if (!header || !payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(`${header}.${payload}`, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** The bearer token of an `Authorization` header. */
export function bearer(header: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(header ?? '')?.[1];
}
