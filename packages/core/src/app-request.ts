/**
 * The request type a `passReqToCallback: true` verify receives: the `node:http` request the
 * strategy is given, merged with the global `Express.Request` interface.
 *
 * Why the global interface: an app's own type packages declare what its middleware adds to the
 * request there (@types/passport: `req.user`, `req.login`; @types/express-session: `req.session`,
 * `req.sessionID`; the app's own augmentations), and Express's `Request` extends it. Typing `req`
 * as it lets an unannotated `req.user` or `req.session` type-check in the app, as with
 * @types/passport-oauth2, without the published types depending on @types/express (Fastify and
 * Koa apps have none) or anything at run time.
 *
 * The empty declaration below is what makes the name resolve when no such package is installed;
 * declarations merge, so it adds nothing to the app's own (the pattern @types/passport and
 * @types/express-serve-static-core use for the same interface).
 */
import type { IncomingMessage } from 'node:http';

declare global {
  namespace Express {
    interface Request {}
  }
}

/** The request a verify with `passReqToCallback: true` receives, typed as the app declares it. */
export type VerifyRequest = IncomingMessage & Express.Request;
