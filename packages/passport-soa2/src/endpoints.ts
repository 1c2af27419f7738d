/**
 * SOA2's URLs and wire constants, written once: the strategy, the standalone client and the tests
 * derive theirs here. Every URL is configurable because the real host cannot be reached from
 * development machines (the fake stands in) and because the consent page has two URL forms.
 */

import { type ConnectionOptions, checkServiceURL } from '@exbo-soa2/core';
import { PACKAGE_NAME } from './version.js';

/** SOA2's own host, the default `baseURL`. */
export const DEFAULT_BASE_URL = 'https://oauth2.scratch-wiki.info';
/** The consent page (a MediaWiki special page). */
export const AUTHORIZE_PATH = '/wiki/Special:ScratchOAuth2/authorize';
/** The REST API root; `/tokens` and `/user` live under it. */
export const API_PATH = '/w/rest.php/soa2/v0';
export const TOKENS_PATH = '/tokens';
export const USER_PATH = '/user';

/** The only scope SOA2 has. */
export const IDENTIFY_SCOPE = 'identify';

/** Overrides of SOA2's URLs, e.g. to point at the local fake. */
export interface Soa2EndpointOptions {
  /** Base of both URLs below. Default `https://oauth2.scratch-wiki.info`. */
  baseURL?: string | undefined;
  /** Default `${baseURL}/wiki/Special:ScratchOAuth2/authorize`. */
  authorizationURL?: string | undefined;
  /** Default `${baseURL}/w/rest.php/soa2/v0`. */
  apiURL?: string | undefined;
}

/** The absolute SOA2 URLs in use, as {@link soa2Endpoints} resolves them. */
export interface Soa2Endpoints {
  authorizationURL: string;
  apiURL: string;
  /** `${apiURL}/tokens`: POST exchanges a code, PATCH refreshes. */
  tokensURL: string;
  /** `${apiURL}/user`: who the access token belongs to. */
  userURL: string;
}

/** The SOA2 URLs, each overridable on its own, the rest derived from `baseURL`. */
export function soa2Endpoints(
  options: Soa2EndpointOptions & Pick<ConnectionOptions, 'allowInsecureRequests'> = {},
): Soa2Endpoints {
  const absoluteURL = (name: string, value: unknown) =>
    checkServiceURL(PACKAGE_NAME, name, value, options.allowInsecureRequests);
  const base = absoluteURL('baseURL', options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const apiURL = absoluteURL('apiURL', options.apiURL ?? `${base}${API_PATH}`).replace(/\/+$/, '');
  return {
    authorizationURL: absoluteURL(
      'authorizationURL',
      options.authorizationURL ?? `${base}${AUTHORIZE_PATH}`,
    ),
    apiURL,
    tokensURL: `${apiURL}${TOKENS_PATH}`,
    userURL: `${apiURL}${USER_PATH}`,
  };
}
