/**
 * Where `soa2 login` tells the user to post the login text: the profile page of the site the CLI
 * talks to. SOA2 verifies an account login by reading the comment on the user's own Scratch
 * profile (docs/protocols/soa2.md, "Login by profile comment"), so against SOA2's own host that
 * is the scratch.mit.edu profile. Any other API URL is the local fake (`exbo-soa2-fakes soa2`),
 * which has no Scratch and serves a stand-in profile page for the purpose under the API's base
 * URL (packages/fakes/src/soa2/profile-page.ts); a link to scratch.mit.edu would send the user to
 * a page the fake never reads.
 */
import { API_PATH, DEFAULT_BASE_URL } from '../endpoints.js';
import { scratchProfileURL } from '../username.js';

/** The fake's profile pages: `${base}${FAKE_PROFILE_PATH}/{username}`. */
export const FAKE_PROFILE_PATH = '/fake/scratch/users';

const SOA2_HOST = new URL(DEFAULT_BASE_URL).host;

/** The page where `username` posts the login text, for the SOA2 API at `apiURL`. */
export function profilePageURL(apiURL: string, username: string): string {
  const api = new URL(apiURL);
  if (api.host.toLowerCase() === SOA2_HOST) return scratchProfileURL(username);
  // The fake serves its pages from the same base as its REST API (`${base}/w/rest.php/soa2/v0`).
  const path = api.pathname.replace(/\/+$/, '');
  const base = path.endsWith(API_PATH) ? path.slice(0, -API_PATH.length) : '';
  return `${api.origin}${base}${FAKE_PROFILE_PATH}/${encodeURIComponent(username)}`;
}
