/**
 * `GET /user` (docs/protocols/soa2.md, "GET /user"): `Authorization: Bearer <base64 of the access
 * token>`. Exactly one space, strict base64, so a raw token (hex is valid base64 alphabet, but
 * decodes to bytes no token has) gets 401 as it does on the real server. 203 for users whose
 * Scratch profile is gone.
 */
import { sendJson } from '../http.js';
import type { EndpointHandler } from './context.js';
import { IDENTIFY_SCOPE } from './paths.js';
import { sendSoa2Error } from './wire-errors.js';

/** Standard base64 with padding, canonical (re-encoding gives the same text), else `undefined`. */
function strictBase64Decode(text: string): string | undefined {
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return bytes.toString('utf8');
}

export const currentUser: EndpointHandler = (ctx, req, res) => {
  const header = req.headers.authorization;
  if (!header) return sendSoa2Error(res, 401);
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'bearer') return sendSoa2Error(res, 401);
  const token = strictBase64Decode(parts[1]!);
  if (!token) return sendSoa2Error(res, 401);
  const access = ctx.tokens.access(token, ctx.nowSeconds());
  if (!access) return sendSoa2Error(res, 401);
  if (!access.scopes.includes(IDENTIFY_SCOPE)) return sendSoa2Error(res, 403);
  const user = ctx.users.byId(access.userId);
  if (!user) return sendSoa2Error(res, 404);
  sendJson(res, user.authoritative ? 200 : 203, { user_id: user.userId, user_name: user.userName });
};
