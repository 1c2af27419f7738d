/**
 * EXBO's URLs, written once: the strategy, the standalone client and the tests derive theirs here.
 * Every URL is configurable because the real hosts are unreachable from development machines (the
 * fake stands in) and because EXBO serves the same API under more than one host.
 */

import { type ConnectionOptions, checkServiceURL } from '@exbo-soa2/core';
import { PACKAGE_NAME } from './version.js';

/** EXBO's own host, the default `baseURL`. */
export const DEFAULT_BASE_URL = 'https://exbo.net';
const AUTHORIZE_PATH = '/oauth/authorize';
const TOKEN_PATH = '/oauth/token';
const USER_PATH = '/oauth/user';

/** Overrides of EXBO's OAuth URLs, e.g. to point at the local fake. */
export interface ExboEndpointOptions {
  /** Base of the three OAuth URLs. Default `https://exbo.net`. */
  baseURL?: string | undefined;
  /** Default `${baseURL}/oauth/authorize`. */
  authorizationURL?: string | undefined;
  /** Default `${baseURL}/oauth/token`. */
  tokenURL?: string | undefined;
  /** Default `${baseURL}/oauth/user`. */
  userProfileURL?: string | undefined;
}

/** The three absolute OAuth URLs in use, as {@link exboEndpoints} resolves them. */
export interface ExboEndpoints {
  authorizationURL: string;
  tokenURL: string;
  userProfileURL: string;
}

/** The three OAuth URLs, each overridable on its own, the rest derived from `baseURL`. */
export function exboEndpoints(
  options: ExboEndpointOptions & Pick<ConnectionOptions, 'allowInsecureRequests'> = {},
): ExboEndpoints {
  const absoluteURL = (name: string, value: unknown) =>
    checkServiceURL(PACKAGE_NAME, name, value, options.allowInsecureRequests);
  const base = absoluteURL('baseURL', options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  return {
    authorizationURL: absoluteURL(
      'authorizationURL',
      options.authorizationURL ?? `${base}${AUTHORIZE_PATH}`,
    ),
    tokenURL: absoluteURL('tokenURL', options.tokenURL ?? `${base}${TOKEN_PATH}`),
    userProfileURL: absoluteURL('userProfileURL', options.userProfileURL ?? `${base}${USER_PATH}`),
  };
}
