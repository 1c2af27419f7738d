/**
 * The Express app: sessions, Passport with both strategies, the pages, login, logout.
 *
 * `createApp(config)` only builds the app; server.ts (or a test) decides where it listens.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import { type AuthenticateOptions, Passport } from 'passport';
import { type ExboProfile, Strategy as ExboStrategy, type VerifyCallback } from 'passport-exbo';
import { type Soa2Profile, Strategy as Soa2Strategy } from 'passport-soa2';
import type { AppConfig } from './config.js';
import { crossSiteProblem, csrfToken } from './csrf.js';
import { explainError, explainFailure, logLine, type ProviderKey } from './login-errors.js';
import {
  errorPage,
  homePage,
  type LoginOptions,
  loginFailedPage,
  loginPage,
  type PageContext,
  pasteCodePage,
  privatePage,
} from './pages.js';
import { localPath, safeReturnTo } from './return-to.js';
import { memorySessionStore } from './session-store.js';
import { type AppUser, userFromExbo, userFromSoa2 } from './user.js';

/** Our session cookie's name: distinct from anything a provider (or the local fakes) sets. */
export const SESSION_COOKIE = 'example_login.sid';
/** How long a signed-in session lasts. */
const SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;
/**
 * How long a started login may take (both strategies' `stateMaxAge`), and so how long a session
 * that only holds a started login lives: an abandoned login is gone after an hour, not eight.
 */
const LOGIN_MAX_AGE_MS = 60 * 60 * 1000;

/** Strategy names, as given to passport.use() and passport.authenticate(). */
const EXBO = 'exbo';
const SOA2 = 'soa2';
/** The same SOA2 client without a redirect URI: SOA2 shows the user a code to paste here. */
const SOA2_PASTE = 'soa2-paste';

export interface AppOptions {
  /**
   * Where sessions are kept (see session-store.ts): a shared store such as Redis when several
   * instances serve the app. Default: a bounded memory store, for a single process.
   */
  sessionStore?: Store | undefined;
}

/**
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` for the real providers, so `HTTPS_PROXY=… npm start`
 * works on a network that only lets traffic out through a proxy; none in demo mode, whose fakes
 * run on this machine (a company proxy cannot reach them).
 */
function outboundProxy(config: AppConfig): 'env' | false {
  return config.demo ? false : 'env';
}

export function createApp(config: AppConfig, options: AppOptions = {}): express.Express {
  // An Authenticator per app rather than the `passport` singleton, so tests can run several apps.
  const passport = new Passport();
  const logins: LoginOptions = { exbo: false, soa2: false, soa2Paste: false };
  let soa2Paste: Soa2Strategy | undefined;

  if (config.exbo) {
    passport.use(
      EXBO,
      new ExboStrategy(
        {
          clientID: config.exbo.clientID,
          clientSecret: config.exbo.clientSecret,
          callbackURL: config.exbo.callbackURL,
          stateMaxAge: LOGIN_MAX_AGE_MS,
          proxy: outboundProxy(config),
          ...(config.exbo.baseURL && { baseURL: config.exbo.baseURL }),
        },
        // The tokens are not kept: this app only needs to know who logged in (see user.ts).
        (_accessToken: string, _refreshToken: string, profile: ExboProfile, done: VerifyCallback) =>
          done(null, userFromExbo(profile)),
      ),
    );
    logins.exbo = true;
  }
  if (config.soa2) {
    const soa2 = config.soa2;
    const options = {
      clientID: soa2.clientID,
      clientSecret: soa2.clientSecret,
      stateMaxAge: LOGIN_MAX_AGE_MS,
      proxy: outboundProxy(config),
      ...(soa2.baseURL && { baseURL: soa2.baseURL }),
      ...(soa2.authorizationURL && { authorizationURL: soa2.authorizationURL }),
      ...(soa2.apiURL && { apiURL: soa2.apiURL }),
    };
    const verify = (
      _accessToken: string,
      _refreshToken: string,
      profile: Soa2Profile,
      done: VerifyCallback,
    ) => done(null, userFromSoa2(profile));
    if (soa2.callbackURL) {
      passport.use(SOA2, new Soa2Strategy({ ...options, callbackURL: soa2.callbackURL }, verify));
      logins.soa2 = true;
    }
    // No callbackURL: SOA2 shows the code on its own page and the user pastes it into ours.
    soa2Paste = new Soa2Strategy({ ...options, name: SOA2_PASTE }, verify);
    passport.use(SOA2_PASTE, soa2Paste);
    logins.soa2Paste = true;
  }

  // The whole (small) user object lives in the session; see user.ts for what a real app keeps.
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: AppUser, done) => done(null, user));

  const app = express();
  app.disable('x-powered-by');
  // Behind a TLS-terminating proxy, this makes req.protocol (and so the Secure cookie and the
  // same-origin check) see https.
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders);
  app.use(express.urlencoded({ extended: false, limit: '8kb' }));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      // Without a store: memory (bounded and pruned, see session-store.ts), which forgets everyone
      // on restart and is not shared between processes. server.ts passes a Redis store when
      // REDIS_URL is set.
      store: options.sessionStore ?? memorySessionStore(),
      resave: false,
      saveUninitialized: false,
      cookie: {
        httpOnly: true,
        // Lax: sent when the provider redirects the browser back (a top-level GET), not on
        // cross-site POSTs or from other sites' frames and scripts.
        sameSite: 'lax',
        secure: config.secureCookies,
        // A session that signs in is a new one (req.login regenerates it), created with this.
        maxAge: SESSION_MAX_AGE_MS,
      },
    }),
  );
  app.use(passport.session());

  const context = (req: Request): PageContext => ({
    demo: config.demo,
    user: req.user,
    csrfToken: req.user && req.session ? csrfToken(req) : undefined,
    logins,
  });

  app.get('/', (req, res) => {
    res.send(homePage(context(req)));
  });

  app.get('/login', (req, res) => {
    const returnTo = localPath(req.query.returnTo);
    if (req.user) return res.redirect(303, returnTo ?? '/');
    res.send(loginPage(context(req), returnTo));
  });

  /**
   * A visitor's session that is about to hold only a started login lives as long as the login may
   * take (express-session stores each session with its own cookie's maxAge, and the store expires
   * it then). A signed-in user starting another login keeps their session's lifetime.
   */
  const expireWithLogin = (req: Request) => {
    if (!req.user) req.session.cookie.maxAge = LOGIN_MAX_AGE_MS;
  };

  const requireLogin: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };

  app.get('/private', requireLogin, (req, res) => {
    res.send(privatePage(context(req), req.user as AppUser));
  });

  /**
   * Starts a login. The return-to path travels with the login's state (it comes back as
   * `info.state`) because Passport regenerates the session at login, dropping anything stored in
   * it before.
   */
  const startLogin =
    (name: string): RequestHandler =>
    (req, res, next) => {
      const returnTo = localPath(req.query.returnTo);
      expireWithLogin(req);
      // @types/passport types `state` as a string; passport-oauth2-style strategies take an object.
      const options = { state: returnTo ? { returnTo } : {} } as unknown as AuthenticateOptions;
      passport.authenticate(name, options)(req, res, next);
    };

  /**
   * Finishes a login: the provider sent the user back (or they pasted a code). A custom callback
   * rather than failureRedirect, so each kind of failure gets its own plain-words page.
   */
  const finishLogin =
    (name: string, provider: ProviderKey): RequestHandler =>
    (req, res, next) => {
      const done = (err: unknown, user: AppUser | false, info: unknown, status?: number) => {
        if (err) {
          console.error(logLine(err, provider));
          const problem = explainError(err, provider);
          return res.status(problem.status).send(loginFailedPage(context(req), problem));
        }
        if (!user) {
          const problem = explainFailure(req, provider, info, status);
          return res.status(problem.status).send(loginFailedPage(context(req), problem));
        }
        // req.login regenerates the session (a fresh id: no session fixation), then saves it.
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const state = (info as { state?: { returnTo?: unknown } } | undefined)?.state;
          res.redirect(303, safeReturnTo(state?.returnTo));
        });
      };
      passport.authenticate(name, done)(req, res, next);
    };

  if (logins.exbo) {
    app.get('/auth/exbo', startLogin(EXBO));
    app.get('/auth/exbo/callback', finishLogin(EXBO, 'exbo'));
  }
  if (logins.soa2) {
    app.get('/auth/soa2', startLogin(SOA2));
    app.get('/auth/soa2/callback', finishLogin(SOA2, 'soa2'));
  }
  if (soa2Paste) {
    const strategy = soa2Paste;
    // Instead of redirecting, show a page that links to SOA2 (in a new tab) and has a form for
    // the code; the form posts the code with this login's state.
    app.get('/auth/soa2-paste', async (req, res) => {
      const returnTo = localPath(req.query.returnTo);
      expireWithLogin(req);
      const login = await strategy.authorizationRequest(req, {
        state: returnTo ? { returnTo } : {},
      });
      res.send(
        pasteCodePage(context(req), {
          consentURL: login.url,
          state: login.state,
          action: '/auth/soa2-paste/callback',
        }),
      );
    });
    app.post('/auth/soa2-paste/callback', finishLogin(SOA2_PASTE, 'soa2'));
  }

  // Logout changes state, so it is a POST from our own form: a link or an image on another site
  // cannot sign people out.
  app.post('/logout', (req, res, next) => {
    const problem = crossSiteProblem(req);
    if (problem) {
      return res
        .status(403)
        .send(
          errorPage(context(req), 403, 'Logout refused', `${problem} You are still signed in.`),
        );
    }
    req.logout((err) => {
      if (err) return next(err);
      res.redirect(303, '/');
    });
  });

  app.use((req, res) => {
    res
      .status(404)
      .send(errorPage(context(req), 404, 'Page not found', 'There is no page at this address.'));
  });

  // Last resort: the details go to the server log, never to the browser.
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 ? err.status : 500;
    if (status >= 500) console.error(err);
    if (res.headersSent) return void res.end();
    const text =
      status < 500
        ? 'The request could not be understood.'
        : 'Something went wrong on our side. Please try again.';
    res.status(status).send(errorPage(context(req), status, 'Something went wrong', text));
  };
  app.use(onError);

  return app;
}

/**
 * Headers any app with logins should send: no framing, no sniffing, nothing loaded from elsewhere,
 * and no caching of pages that show who is signed in (Back after logout must not show them).
 */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  next();
};
