/**
 * The REST routes of SOA2's account API, whose paths carry a parameter (`/login/{username}`,
 * `/applications/{client_id}`): matched by shape here, the parameter read by each handler.
 */
import {
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  updateApplication,
} from './application-endpoints.js';
import type { EndpointHandler } from './context.js';
import { finishLogin, startLogin } from './login-endpoint.js';
import { API_PATH } from './paths.js';

export const LOGIN_PATH = `${API_PATH}/login`;
export const APPLICATIONS_PATH = `${API_PATH}/applications`;

type Route = Partial<Record<string, EndpointHandler>>;

const LOGIN: Route = { PUT: startLogin, POST: finishLogin };
const APPLICATIONS: Route = { GET: listApplications, PUT: createApplication };
const APPLICATION: Route = {
  GET: getApplication,
  PATCH: updateApplication,
  DELETE: deleteApplication,
};

/** The route for `pathname`, or `undefined` (MediaWiki's "no match" 404). */
export function accountRoute(pathname: string): Route | undefined {
  if (pathname === APPLICATIONS_PATH) return APPLICATIONS;
  const slash = pathname.lastIndexOf('/');
  const parent = pathname.slice(0, slash);
  // One non-empty path segment after the prefix, as MediaWiki's `{param}` matches.
  if (slash === pathname.length - 1) return undefined;
  if (parent === LOGIN_PATH) return LOGIN;
  if (parent === APPLICATIONS_PATH) return APPLICATION;
  return undefined;
}
