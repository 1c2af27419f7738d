/**
 * Protection for state-changing POSTs (logout, pasting a code) against cross-site requests.
 *
 * Two independent checks, so either one failing open is not enough for an attacker:
 * 1. a random token kept in the session and repeated in a hidden form field, which another site
 *    cannot read;
 * 2. the browser's own statement of where the request comes from: `Sec-Fetch-Site` (all current
 *    browsers) or else `Origin`, which must be this site.
 * A logout is low stakes, but forced logouts are a nuisance and the same pattern protects every
 * form people add after copying this app.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const CSRF_FIELD = '_csrf';

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}

/** The session's token, created on first use (login regenerates the session, so it changes). */
export function csrfToken(req: Request): string {
  if (!req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/** Why a POST must be refused, or undefined when it comes from one of our own forms. */
export function crossSiteProblem(req: Request): string | undefined {
  const fetchSite = req.get('sec-fetch-site');
  // `none` is the user typing or bookmarking: no other site involved.
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return 'The request came from another site.';
  }
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) {
    return 'The request came from another site.';
  }
  const sent: unknown = req.body?.[CSRF_FIELD];
  const expected = req.session.csrfToken;
  if (typeof sent !== 'string' || expected === undefined || !sameToken(sent, expected)) {
    return 'The form has expired or did not come from this site.';
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
