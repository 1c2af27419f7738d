/**
 * The Express app: sessions, Passport with both strategies, the pages, login, logout, linking a
 * second account, and the STALCRAFT characters page (through the user's stored EXBO tokens).
 *
 * `createApp(config, { database })` only builds the app; server.ts (or a test) decides where it
 * listens and which database it uses.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import { type AuthenticateOptions, Passport } from 'passport';
import {
  type ExboProfile,
  Strategy as ExboStrategy,
  type ExboTokenParams,
  isOAuthError,
  type VerifyCallback,
} from 'passport-exbo';
import { EXBO_REGIONS, ExboGameApi, type ExboRegion, GAME_API_URLS } from 'passport-exbo/game-api';
import { type Soa2Profile, Strategy as Soa2Strategy } from 'passport-soa2';
import type { AppConfig } from './config.js';
import { crossSiteProblem, csrfToken } from './csrf.js';
import { type Database, openSqlite } from './database.js';
import { ExboTokenProblem, ExboTokens } from './exbo-tokens.js';
import {
  explainError,
  explainFailure,
  logLine,
  PROVIDER_LABELS,
  type ProviderKey,
} from './login-errors.js';
import {
  charactersPage,
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
import {
  type AppUser,
  identityFromExbo,
  identityFromSoa2,
  type LoginResult,
  type SessionUser,
} from './user.js';
import { findOrCreateUser, linkIdentity, loadUser, unlinkIdentity } from './users.js';

declare module 'express-session' {
  interface SessionData {
    /** A one-time message for the next page (after linking or unlinking an account). */
    notice?: string;
  }
}

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
  /**
   * The users, their linked accounts and EXBO tokens (see database.ts; server.ts opens SQLite or
   * PostgreSQL). Default: a SQLite database in memory, gone when the process ends.
   */
  database?: Database | undefined;
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
  const db = options.database ?? openSqlite(':memory:');
  const logins: LoginOptions = { exbo: false, soa2: false, soa2Paste: false };
  let soa2Paste: Soa2Strategy | undefined;
  let exboTokens: ExboTokens | undefined;
  let gameApi: ExboGameApi | undefined;

  if (config.exbo) {
    const exbo = new ExboStrategy(
      {
        clientID: config.exbo.clientID,
        clientSecret: config.exbo.clientSecret,
        callbackURL: config.exbo.callbackURL,
        stateMaxAge: LOGIN_MAX_AGE_MS,
        proxy: outboundProxy(config),
        ...(config.exbo.baseURL && { baseURL: config.exbo.baseURL }),
      },
      // The account and its tokens go to finishLogin, which stores the tokens in the database
      // (exbo_tokens) once it knows the app's user: never in the session.
      (
        accessToken: string,
        refreshToken: string,
        params: ExboTokenParams,
        profile: ExboProfile,
        done: VerifyCallback,
      ) => {
        const result: LoginResult = {
          identity: identityFromExbo(profile),
          exboTokens: { accessToken, refreshToken, expiresIn: params.expires_in },
        };
        done(null, result);
      },
    );
    passport.use(EXBO, exbo);
    logins.exbo = true;
    // Refreshes go through the strategy's own client (its transport, proxy and timeouts).
    exboTokens = new ExboTokens(db, exbo.client);
    gameApi = new ExboGameApi({
      baseURL: config.exbo.gameApiURL ?? GAME_API_URLS.production,
      client: exbo.client,
    });
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
    ) => done(null, { identity: identityFromSoa2(profile) } satisfies LoginResult);
    if (soa2.callbackURL) {
      passport.use(SOA2, new Soa2Strategy({ ...options, callbackURL: soa2.callbackURL }, verify));
      logins.soa2 = true;
    }
    // No callbackURL: SOA2 shows the code on its own page and the user pastes it into ours.
    soa2Paste = new Soa2Strategy({ ...options, name: SOA2_PASTE }, verify);
    passport.use(SOA2_PASTE, soa2Paste);
    logins.soa2Paste = true;
  }

  // The session keeps the app's user id and how they signed in; the rest comes from the database.
  passport.serializeUser((user, done) => {
    const kept: SessionUser = { userId: user.userId, provider: user.provider };
    done(null, kept);
  });
  passport.deserializeUser((kept: Partial<SessionUser> | undefined, done) => {
    // A session from before the database (or a damaged one) names no user: signed out.
    if (
      typeof kept?.userId !== 'number' ||
      (kept.provider !== 'exbo' && kept.provider !== 'soa2')
    ) {
      return done(null, false);
    }
    loadUser(db, { userId: kept.userId, provider: kept.provider }).then(
      (user) => done(null, user ?? false),
      (err: unknown) => done(err),
    );
  });

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

  const context = (req: Request): PageContext => {
    const notice = req.session?.notice;
    if (notice !== undefined) delete req.session.notice;
    return {
      demo: config.demo,
      user: req.user,
      csrfToken: req.user && req.session ? csrfToken(req) : undefined,
      logins,
      ...(notice !== undefined && { notice }),
    };
  };

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
    (name: string, purpose: 'login' | 'link' = 'login'): RequestHandler =>
    (req, res, next) => {
      const returnTo = localPath(req.query.returnTo);
      expireWithLogin(req);
      // @types/passport types `state` as a string; passport-oauth2-style strategies take an object.
      const options = { state: loginState(returnTo, purpose) } as unknown as AuthenticateOptions;
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
        const state = (info as { state?: { returnTo?: unknown; link?: unknown } } | undefined)
          ?.state;
        const result = user as unknown as LoginResult;
        if (state?.link === true) {
          // A signed-in user linking another account: the verified account plays the part of
          // passport.authorize's req.account, and the login session is left as it is.
          return finishLink(req, res, result).catch(next);
        }
        signIn(result).then((signedIn) => {
          // req.login regenerates the session (a fresh id: no session fixation), then saves it.
          req.login(signedIn, (loginErr) => {
            if (loginErr) return next(loginErr);
            res.redirect(303, safeReturnTo(state?.returnTo));
          });
        }, next);
      };
      passport.authenticate(name, done)(req, res, next);
    };

  /** A login: the user of this account (created on its first login), and its EXBO tokens kept. */
  const signIn = async (result: LoginResult): Promise<AppUser> => {
    const userId = await findOrCreateUser(db, result.identity);
    if (result.exboTokens) await exboTokens?.save(userId, result.exboTokens);
    const user = await loadUser(db, { userId, provider: result.identity.provider });
    if (!user) throw new Error(`user ${userId} has no identity right after signing in`);
    return user;
  };

  /** Links the account a provider just verified to the signed-in user, then goes home. */
  const finishLink = async (req: Request, res: express.Response, result: LoginResult) => {
    const label = PROVIDER_LABELS[result.identity.provider];
    if (!req.user) {
      return res
        .status(401)
        .send(
          errorPage(
            context(req),
            401,
            'Not signed in',
            `You were signed out before the link with ${label} finished. Log in and link the account again.`,
          ),
        );
    }
    const outcome = await linkIdentity(db, req.user.userId, result.identity);
    if (!outcome.ok) {
      const text =
        outcome.reason === 'linked-to-another-user'
          ? `This ${label} account (${result.identity.username}) is already linked to another user of this site. Log in with it to use that user, or unlink it there first.`
          : `You already have another ${label} account linked. Unlink it first to link this one.`;
      return res.status(409).send(errorPage(context(req), 409, 'Account not linked', text));
    }
    if (result.exboTokens) await exboTokens?.save(req.user.userId, result.exboTokens);
    req.session.notice = outcome.already
      ? `Your ${label} account ${result.identity.username} was already linked.`
      : `Linked your ${label} account ${result.identity.username}.`;
    res.redirect(303, '/');
  };

  // Linking uses the same strategies and callback URLs as logging in (a provider app registers
  // one redirect URI); the login's state says which it is.
  if (logins.exbo) {
    app.get('/auth/exbo', startLogin(EXBO));
    app.get('/link/exbo', requireLogin, startLogin(EXBO, 'link'));
    app.get('/auth/exbo/callback', finishLogin(EXBO, 'exbo'));
  }
  if (logins.soa2) {
    app.get('/auth/soa2', startLogin(SOA2));
    app.get('/link/soa2', requireLogin, startLogin(SOA2, 'link'));
    app.get('/auth/soa2/callback', finishLogin(SOA2, 'soa2'));
  }
  if (soa2Paste) {
    const strategy = soa2Paste;
    // Instead of redirecting, show a page that links to SOA2 (in a new tab) and has a form for
    // the code; the form posts the code with this login's state.
    const pastePage =
      (purpose: 'login' | 'link'): RequestHandler =>
      async (req, res) => {
        const returnTo = localPath(req.query.returnTo);
        expireWithLogin(req);
        const login = await strategy.authorizationRequest(req, {
          state: loginState(returnTo, purpose),
        });
        res.send(
          pasteCodePage(context(req), {
            consentURL: login.url,
            state: login.state,
            action: '/auth/soa2-paste/callback',
            purpose,
          }),
        );
      };
    app.get('/auth/soa2-paste', pastePage('login'));
    app.get('/link/soa2-paste', requireLogin, pastePage('link'));
    app.post('/auth/soa2-paste/callback', finishLogin(SOA2_PASTE, 'soa2'));
  }

  // Unlinking changes state: a POST from our own form, like logout.
  app.post('/unlink', requireLogin, async (req, res, next) => {
    const problem = crossSiteProblem(req);
    if (problem) {
      return res
        .status(403)
        .send(errorPage(context(req), 403, 'Unlink refused', `${problem} Nothing was unlinked.`));
    }
    const provider: unknown = req.body?.provider;
    if (provider !== 'exbo' && provider !== 'soa2') {
      return res
        .status(400)
        .send(errorPage(context(req), 400, 'Unlink refused', 'Which account should be unlinked?'));
    }
    const user = req.user as AppUser;
    const label = PROVIDER_LABELS[provider];
    try {
      const outcome = await unlinkIdentity(db, user.userId, provider);
      if (outcome === 'last-identity') {
        return res
          .status(409)
          .send(
            errorPage(
              context(req),
              409,
              'Unlink refused',
              `Your ${label} account is the only way you sign in here: link another account before unlinking it.`,
            ),
          );
      }
      req.session.notice =
        outcome === 'unlinked'
          ? `Unlinked your ${label} account.`
          : `No ${label} account was linked.`;
      res.redirect(303, '/');
    } catch (err) {
      next(err);
    }
  });

  // The user's STALCRAFT characters, read with their stored EXBO token (refreshed when needed).
  app.get('/characters', requireLogin, async (req, res, next) => {
    const user = req.user as AppUser;
    const region = regionOf(req.query.region);
    if (!exboTokens || !gameApi || !user.identities.some((i) => i.provider === 'exbo')) {
      return res.status(409).send(charactersPage(context(req), { region, linked: false }));
    }
    try {
      const token = await exboTokens.validAccessToken(user.userId);
      const characters = await gameApi.characters(region, token);
      res.send(charactersPage(context(req), { region, linked: true, characters }));
    } catch (err) {
      if (err instanceof ExboTokenProblem) {
        const status = err.kind === 'unavailable' ? 503 : 409;
        return res
          .status(status)
          .send(charactersPage(context(req), { region, linked: true, problem: err.message }));
      }
      if (isOAuthError(err)) {
        console.error(logLine(err, 'exbo'));
        const text =
          err.code === 'RATE_LIMITED'
            ? 'The STALCRAFT API asks us to slow down. Please try again in a minute.'
            : err.code === 'TOKEN_REJECTED'
              ? 'The STALCRAFT API refused your EXBO token: log in with EXBO again.'
              : 'The STALCRAFT API could not be reached. Please try again in a moment.';
        return res
          .status(503)
          .send(charactersPage(context(req), { region, linked: true, problem: text }));
      }
      next(err);
    }
  });

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

/** The region of `?region=` (any case), else RU. */
function regionOf(value: unknown): ExboRegion {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return EXBO_REGIONS.find((region) => region === upper) ?? 'RU';
}

/** What a started login carries through the provider and back (`info.state` at the callback). */
function loginState(returnTo: string | undefined, purpose: 'login' | 'link') {
  return { ...(returnTo && { returnTo }), ...(purpose === 'link' && { link: true }) };
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
