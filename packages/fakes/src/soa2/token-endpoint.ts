/**
 * `/tokens`: POST exchanges a code, PATCH refreshes (docs/protocols/soa2.md, "Code exchange: POST
 * /tokens", "Refresh: PATCH /tokens"). The checks run in the real server's order (body shape 400 →
 * client 401 → code/refresh token 404 → scopes 417 / expiry 410), and its quirks are kept:
 * `client_id` must be a JSON integer, form bodies are 400, `scopes` may be a string or an array but
 * must equal what the user approved.
 */
import { sendJson } from '../http.js';
import type { EndpointHandler } from './context.js';
import { IDENTIFY_SCOPE } from './paths.js';
import { sendSoa2Error } from './wire-errors.js';

type Body = Record<string, unknown>;

/** PHP's `json_decode($body, true)` followed by `if (!$data) return 400`: a non-empty JSON object. */
export function jsonObject(body: string): Body | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return Object.keys(data).length === 0 ? undefined : (data as Body);
}

/** `scopes` as SOA2 reads it: a string split on whitespace, or an array; each must be known. */
function readScopes(value: unknown): string[] | undefined {
  const scopes = typeof value === 'string' ? value.split(/\s+/) : value;
  if (!Array.isArray(scopes)) return undefined;
  return scopes.every((scope) => scope === IDENTIFY_SCOPE) ? (scopes as string[]) : undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** POST: code → tokens. */
export const exchangeCode: EndpointHandler = (ctx, _req, res, _url, body) => {
  const data = jsonObject(body);
  if (!data) return sendSoa2Error(res, 400);
  const { client_id, client_secret, code } = data;
  if (!Number.isInteger(client_id)) return sendSoa2Error(res, 400);
  if (typeof client_secret !== 'string' || typeof code !== 'string') {
    return sendSoa2Error(res, 400);
  }
  const scopes = readScopes(data.scopes);
  if (!scopes) return sendSoa2Error(res, 400);
  const client = ctx.clients.authenticate(client_id as number, client_secret);
  if (!client) return sendSoa2Error(res, 401);
  const now = ctx.nowSeconds();
  const issued = ctx.codes.find(code, now);
  if (!issued) return sendSoa2Error(res, 404);
  if (ctx.strict && issued.clientId !== client.clientId) return sendSoa2Error(res, 404);
  // A 417 leaves the code usable: only a successful exchange uses it up.
  if (!sameList(issued.scopes, scopes)) return sendSoa2Error(res, 417);
  // The tokens belong to the code's application (the real server does not check who redeems it).
  const answer = ctx.tokens.issue(issued.clientId, issued.userId, issued.scopes, now);
  ctx.codes.use(code);
  sendJson(res, 200, answer);
};

/** PATCH: refresh token → new access token (the refresh token is neither rotated nor extended). */
export const refreshToken: EndpointHandler = (ctx, _req, res, _url, body) => {
  const data = jsonObject(body);
  if (!data) return sendSoa2Error(res, 400);
  const { client_id, client_secret, refresh_token } = data;
  if (!Number.isInteger(client_id)) return sendSoa2Error(res, 400);
  if (typeof client_secret !== 'string' || typeof refresh_token !== 'string') {
    return sendSoa2Error(res, 400);
  }
  const client = ctx.clients.authenticate(client_id as number, client_secret);
  if (!client) return sendSoa2Error(res, 401);
  const outcome = ctx.tokens.refresh(refresh_token, client.clientId, ctx.nowSeconds());
  if (outcome === 'unknown') return sendSoa2Error(res, 404);
  if (outcome === 'expired') return sendSoa2Error(res, 410);
  sendJson(res, 200, outcome);
};
