/**
 * Where to send the user after login: only ever a path on this site.
 *
 * The value arrives in a query string (`/login?returnTo=...`), so anyone can craft it. Redirecting
 * to whatever it says would make this site an open redirect (a phishing link that starts on a
 * trusted domain). Browsers are generous about what they read as another host: `//evil.example`,
 * `/\evil.example` (a backslash counts as a slash), `/\t/evil.example` (tabs and newlines are
 * dropped), `/.//evil.example` (dot segments are resolved), so the check parses the value the
 * way the browser will and looks at the result.
 */

export const DEFAULT_RETURN_TO = '/';
const MAX_LENGTH = 1024;
const PROBE_ORIGIN = 'http://app.invalid';

/** `value` as a same-site path (normalised), or undefined when it is anything else. */
export function localPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  // A single leading slash: not `//host`, not `/\host`, not a scheme or a relative path.
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // Control characters and backslashes are never needed in our paths and are how the tricks hide.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  if (!URL.canParse(value, PROBE_ORIGIN)) return undefined;
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return undefined;
  const path = url.pathname + url.search + url.hash;
  // Resolving dot segments can turn `/.//evil.example` into `//evil.example`.
  if (path.startsWith('//')) return undefined;
  return path;
}

/** `value` if it is a safe local path, else the home page. */
export function safeReturnTo(value: unknown): string {
  return localPath(value) ?? DEFAULT_RETURN_TO;
}
