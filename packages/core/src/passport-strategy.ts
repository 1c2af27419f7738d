/**
 * The part of Passport's strategy protocol both strategies use, typed here so that their published
 * types need neither `@types/passport-strategy` nor `@types/passport-oauth2`: Passport runs each
 * request on a copy of the strategy (`Object.create`) that it gives these methods.
 */

/** What Passport gives a strategy for each `authenticate` call. */
export interface PassportStrategyActions {
  /** The login succeeded: `user` is logged in, `info` becomes `req.authInfo`. */
  success(user: unknown, info?: unknown): void;
  /** The login failed (bad or refused callback): `challenge` is the message, `status` the HTTP status. */
  fail(challenge?: unknown, status?: number): void;
  /** Send the browser elsewhere (to the provider's consent page). */
  redirect(url: string, status?: number): void;
  /** Let the request through without a login. */
  pass(): void;
  /** An error (provider unreachable, bad configuration): goes to the app's error handler. */
  error(err: unknown): void;
}
