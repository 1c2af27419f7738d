/**
 * What the Fastify and Koa compatibility tests share: the four logins each app offers (both
 * strategies, each with a relative and an absolute callback URL), the verify that turns a
 * profile into the session's user, and a login driven through the consent page of either fake.
 */
import type { ExboProfile, VerifyCallback } from 'passport-exbo';
import type { Soa2Profile } from 'passport-soa2';
import type { Browser, Page } from '../helpers/browser.js';
import { EXBO_CLIENT, type Fakes, loginWithExbo, loginWithSoa2, SOA2_CLIENT } from './logins.js';

/** What the apps keep in their sessions and answer at `/me`. */
export interface AppUser {
  provider: string;
  id: string;
  name: string;
}

export interface LoginRoute {
  /** The strategy's name and the route's: `/auth/${name}`, `/auth/${name}/callback`. */
  name: string;
  provider: 'exbo' | 'soa2';
  /** A relative callback URL is resolved from the request's own host, as behind any framework. */
  callback: 'relative' | 'absolute';
  /** The user the login signs in as. */
  user: AppUser;
}

export const LOGIN_ROUTES: readonly LoginRoute[] = [
  {
    name: 'exbo',
    provider: 'exbo',
    callback: 'relative',
    // A Cyrillic name survives each framework's session and JSON reply.
    user: { provider: 'exbo', id: '90103', name: 'Сталкер-Бандит' },
  },
  {
    name: 'exbo-absolute',
    provider: 'exbo',
    callback: 'absolute',
    user: { provider: 'exbo', id: '90103', name: 'Сталкер-Бандит' },
  },
  {
    name: 'soa2',
    provider: 'soa2',
    callback: 'relative',
    user: { provider: 'soa2', id: '10114764', name: 'kenny2scratch' },
  },
  {
    name: 'soa2-absolute',
    provider: 'soa2',
    callback: 'absolute',
    user: { provider: 'soa2', id: '10114764', name: 'kenny2scratch' },
  },
];

/** The callback URL the strategy of `route` is given, for an app listening at `appURL`. */
export function callbackURL(route: LoginRoute, appURL: string): string {
  const path = `/auth/${route.name}/callback`;
  return route.callback === 'absolute' ? `${appURL}${path}` : path;
}

/** The options of the strategy behind `route`, against the fakes. */
export function strategyOptions(route: LoginRoute, appURL: string, fakes: Fakes) {
  const common = { name: route.name, callbackURL: callbackURL(route, appURL) };
  return route.provider === 'exbo'
    ? {
        ...common,
        clientID: EXBO_CLIENT.clientId,
        clientSecret: EXBO_CLIENT.clientSecret,
        baseURL: fakes.exbo.url,
      }
    : {
        ...common,
        clientID: SOA2_CLIENT.clientId,
        clientSecret: SOA2_CLIENT.clientSecret,
        baseURL: fakes.soa2.url,
      };
}

/** Passport verifies as most apps write them: callback style, the user from the profile. */
export function verifyExbo(
  _accessToken: string,
  _refreshToken: string,
  profile: ExboProfile,
  done: VerifyCallback,
): void {
  done(null, { provider: profile.provider, id: profile.id, name: profile.displayName });
}

export function verifySoa2(
  _accessToken: string,
  _refreshToken: string,
  profile: Soa2Profile,
  done: VerifyCallback,
): void {
  done(null, { provider: profile.provider, id: profile.id, name: profile.username });
}

/** Registers every route's absolute callback URL with the fakes, for an app at `appURL`. */
export function allowAppCallbacks(fakes: Fakes, appURL: string): void {
  const urls = (provider: string) =>
    LOGIN_ROUTES.filter((route) => route.provider === provider).map(
      (route) => `${appURL}/auth/${route.name}/callback`,
    );
  fakes.allowCallbacks({ exbo: urls('exbo'), soa2: urls('soa2') });
}

/** Logs in through `route` of the app at `appURL`; the answer to the callback, redirects followed. */
export function logIn(
  browser: Browser,
  appURL: string,
  route: LoginRoute,
  options: { decision?: 'approve' | 'deny' } = {},
): Promise<Page> {
  const start = `${appURL}/auth/${route.name}`;
  return route.provider === 'exbo'
    ? loginWithExbo(browser, start, { user: 'Сталкер', ...options })
    : loginWithSoa2(browser, start);
}
