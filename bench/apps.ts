/**
 * The five login implementations (bench/README.md, "Method", Variants), each as the two route handlers an
 * Express app mounts: `login` (state in the session, redirect to the provider) and `callback`
 * (state check, token POST, profile GET, `req.login`). Every variant ends its callback the same
 * way: the user `{ id, username }` is in the session and the next handler answers. The floors do
 * the least a correct login can: no timeout, no error mapping, no validation beyond `ok`.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Passport } from 'passport';
import { Strategy as ExboStrategy } from 'passport-exbo';
import OAuth2Strategy, { InternalOAuthError } from 'passport-oauth2';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import type { VariantName } from './variants.js';

declare module 'express-session' {
  interface SessionData {
    /** The floor's pending state. */
    benchState?: string;
  }
}

/** The user every variant puts in the session. */
export interface BenchUser {
  id: string;
  username: string;
}

/** Everything an app needs to reach the fakes. */
export interface AppConfig {
  variant: VariantName;
  /** Where the app serves the provider's redirect back. */
  callbackPath: string;
  exbo: { baseURL: string; clientID: string; clientSecret: string };
  soa2: { baseURL: string; clientID: number; clientSecret: string };
}

/**
 * EXBO's URLs below a base URL (the fakes mirror the real hosts' paths), for the variants written
 * by hand; the packages derive them from `baseURL` themselves.
 */
function exboURLs(baseURL: string) {
  return {
    authorizationURL: `${baseURL}/oauth/authorize`,
    tokenURL: `${baseURL}/oauth/token`,
    userProfileURL: `${baseURL}/oauth/user`,
  };
}

export interface LoginRoutes {
  login: RequestHandler;
  callback: RequestHandler;
}

/** The same verify for every strategy: keep two fields of the profile. */
const verify = (
  _at: string,
  _rt: string,
  profile: BenchUser,
  done: (e: null, u: BenchUser) => void,
) => done(null, { id: profile.id, username: profile.username });

function strategyRoutes(passport: InstanceType<typeof Passport>, name: string): LoginRoutes {
  return {
    login: passport.authenticate(name),
    // failWithError: a failed login reaches the error handler as a 4xx, which the driver counts.
    callback: passport.authenticate(name, { failWithError: true }),
  };
}

/** An EXBO login on stock passport-oauth2, written the way its README and EXBO's docs lead to. */
class HandWrittenExboStrategy extends OAuth2Strategy {
  private readonly profileURL: string;

  constructor(config: AppConfig['exbo'], callbackURL: string) {
    const { authorizationURL, tokenURL, userProfileURL } = exboURLs(config.baseURL);
    super(
      {
        authorizationURL,
        tokenURL,
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL,
        state: true,
        // EXBO (Laravel) answers a non-JSON request for the profile with a redirect to a login page.
        customHeaders: { Accept: 'application/json' },
      },
      verify,
    );
    this.name = 'oauth2-exbo';
    this.profileURL = userProfileURL;
    // Otherwise node-oauth puts the access token in the profile URL's query string.
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  /** EXBO's docs require `scope=` present and empty; passport-oauth2 drops a falsy scope option. */
  override authorizationParams(): object {
    return { scope: '' };
  }

  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void) {
    this._oauth2.get(this.profileURL, accessToken, (err, body) => {
      if (err) return done(new InternalOAuthError('Failed to fetch user profile', err));
      try {
        const raw = String(body);
        const json = JSON.parse(raw) as { id: number; login: string; display_login: string | null };
        done(null, {
          provider: 'exbo',
          id: String(json.id),
          username: json.login,
          displayName: json.display_login || json.login,
          _raw: raw,
          _json: json,
        });
      } catch (parseError) {
        done(parseError);
      }
    });
  }
}

/**
 * A floor's two routes: a random state in the session and a redirect to `authorizeURL` with it;
 * then the state check, `exchange` (token POST + profile GET) and `req.login`.
 */
function floorRoutes(
  authorizeURL: string,
  query: Record<string, string>,
  exchange: (code: string) => Promise<BenchUser>,
): LoginRoutes {
  return {
    login: (req, res) => {
      const state = randomBytes(32).toString('base64url');
      req.session.benchState = state;
      res.redirect(`${authorizeURL}?${new URLSearchParams({ ...query, state })}`);
    },
    callback: async (req: Request, res: Response, next: NextFunction) => {
      const { code, state } = req.query;
      if (typeof code !== 'string' || !state || state !== req.session.benchState) {
        res.status(403).json({ error: 'state mismatch' });
        return;
      }
      delete req.session.benchState;
      // Express.User is the app's to declare (the test project sees the example app's): a cast.
      exchange(code).then((user) => req.login(user as Express.User, next), next);
    },
  };
}

async function fetchJson(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

function floorExbo(config: AppConfig['exbo'], redirect_uri: string): LoginRoutes {
  const { clientID: client_id, clientSecret: client_secret } = config;
  const query = { client_id, redirect_uri, response_type: 'code', scope: '' };
  const { authorizationURL, tokenURL, userProfileURL } = exboURLs(config.baseURL);
  return floorRoutes(authorizationURL, query, async (code) => {
    const tokens = await fetchJson(tokenURL, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id,
        client_secret,
        code,
        redirect_uri,
      }),
    });
    const user = await fetchJson(userProfileURL, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${tokens.access_token}` },
    });
    return { id: String(user.id), username: String(user.login) };
  });
}

function floorSoa2(config: AppConfig['soa2'], redirect_uri: string): LoginRoutes {
  const { clientID: client_id, clientSecret: client_secret } = config;
  const query = { client_id: String(client_id), redirect_uri, scopes: 'identify' };
  const authorizationURL = `${config.baseURL}/wiki/Special:ScratchOAuth2/authorize`;
  const apiURL = `${config.baseURL}/w/rest.php/soa2/v0`;
  return floorRoutes(authorizationURL, query, async (code) => {
    const tokens = await fetchJson(`${apiURL}/tokens`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id, client_secret, code, scopes: ['identify'] }),
    });
    // SOA2 wants the token base64-encoded in the bearer header.
    const bearer = Buffer.from(String(tokens.access_token), 'utf8').toString('base64');
    const user = await fetchJson(`${apiURL}/user`, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` },
    });
    return { id: String(user.user_id), username: String(user.user_name) };
  });
}

/** Builds the variant's routes, registering its strategy on `passport` when it has one. */
export function buildLoginRoutes(
  config: AppConfig,
  callbackURL: string,
  passport: InstanceType<typeof Passport>,
): LoginRoutes {
  switch (config.variant) {
    case 'passport-exbo':
      passport.use(new ExboStrategy({ ...config.exbo, callbackURL }, verify));
      return strategyRoutes(passport, 'exbo');
    case 'oauth2-exbo':
      passport.use(new HandWrittenExboStrategy(config.exbo, callbackURL));
      return strategyRoutes(passport, 'oauth2-exbo');
    case 'floor-exbo':
      return floorExbo(config.exbo, callbackURL);
    case 'passport-soa2':
      passport.use(new Soa2Strategy({ ...config.soa2, callbackURL }, verify));
      return strategyRoutes(passport, 'soa2');
    case 'floor-soa2':
      return floorSoa2(config.soa2, callbackURL);
  }
}
