/**
 * Keeps secrets and tokens out of error messages and logs.
 *
 * An unexpected body is worth quoting (an HTML 502 page says a lot), but a token endpoint may put
 * a token in the very body we call unexpected, so excerpts go through here first.
 */

const EXCERPT_LENGTH = 200;
const REDACTED = '[redacted]';
/** JSON keys whose values are never quoted: tokens, secrets, codes, CSRF values. */
const SENSITIVE_KEY = /token|secret|code|csrf|password|authorization/i;

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      // SOA2 error bodies carry `httpCode`: a status, not a secret.
      out[key] = SENSITIVE_KEY.test(key) && key !== 'httpCode' ? REDACTED : redactJson(inner);
    }
    return out;
  }
  return value;
}

/**
 * `access_token=…`, `"refresh_token": "…` and the like outside well-formed JSON: a token endpoint
 * that answers form-encoded (GitHub does without `Accept: application/json`), or a body cut short.
 */
const SENSITIVE_PAIR =
  /([\w.-]*(?:token|secret|code|csrf|password|authorization)[\w.-]*)(["']?\s*[:=]\s*["']?)([^\s"'&,;<>}]+)/gi;

function redactPairs(text: string): string {
  // Short numbers are statuses ("status code: 502"), not secrets.
  return text.replace(SENSITIVE_PAIR, (pair, key: string, glue: string, value: string) =>
    /^\d{1,5}$/.test(value) ? pair : `${key}${glue}${REDACTED}`,
  );
}

/** Replaces every occurrence of each secret (client secret, code, token sent) in `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact half the text and protect nothing.
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A short, safe excerpt of a response body for an error message: JSON with sensitive keys blanked,
 * whitespace and control characters collapsed, known secrets removed, cut to 200 characters.
 * Also for quoting anything a provider or a callback URL says (one line: nothing can forge a log
 * line or smuggle a terminal escape sequence).
 */
export function bodyExcerpt(text: string, secrets: readonly (string | undefined)[] = []): string {
  let shown = text;
  try {
    shown = JSON.stringify(redactJson(JSON.parse(text)));
  } catch {
    // Not JSON: quote it as text, without the values of token-like `key=value` pairs.
    shown = redactPairs(text);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed here
  shown = redactSecrets(shown.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim(), secrets);
  return shown.length > EXCERPT_LENGTH ? `${shown.slice(0, EXCERPT_LENGTH)}…` : shown;
}
