/**
 * Keeps secrets and tokens out of error messages and logs.
 *
 * An unexpected body is worth quoting (an HTML 502 page says a lot), but a provider may put a token
 * anywhere in the very body we call unexpected: under `access_token`, and again inside its own
 * `error_description` or a `note`. So before anything from an answer is quoted, every value that
 * must not be shown is collected ({@link answerSecrets}: what we sent, plus every string the
 * answer holds under a token-like key), and each of them is removed from everything the error
 * quotes (errors.ts applies the list to the message, the details and the cause).
 */

const EXCERPT_LENGTH = 200;
const REDACTED = '[redacted]';
/** Shorter values would redact half the text and protect nothing (no token is this short). */
const MIN_SECRET_LENGTH = 6;
/** JSON keys whose values are never quoted: tokens, secrets, codes, CSRF values. */
const SENSITIVE_KEY = /token|secret|code|csrf|password|authorization/i;
/** Keys the pattern matches that hold no secret: SOA2's `httpCode` (a status), `token_type`. */
const HARMLESS_KEYS = new Set(['httpCode', 'token_type']);

function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !HARMLESS_KEYS.has(key);
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSensitiveKey(key) ? REDACTED : redactJson(inner);
    }
    return out;
  }
  return value;
}

/**
 * `access_token=…`, `"refresh_token": "…` and the like outside well-formed JSON: a token endpoint
 * that answers form-encoded (GitHub does without `Accept: application/json`), or a body cut short.
 * A key starts where a word starts (the lookbehind) and is judged by `isSensitiveKey`
 * afterwards, so matching stays linear in the text's length: a pattern that looked for the
 * sensitive word inside `[\w.-]*` runs retried every position of a long word, and a 40,000-letter
 * error page took most of a minute of CPU.
 */
const PAIR = /(?<![\w.-])([\w.-]+)(["']?\s*[:=]\s*["']?)([^\s"'&,;<>}]+)/g;

/** Short numbers are statuses ("status code: 502"), not secrets. */
function isStatusNumber(value: string): boolean {
  return /^\d{1,5}$/.test(value);
}

function redactPairs(text: string): string {
  return text.replace(PAIR, (pair, key: string, glue: string, value: string) =>
    isSensitiveKey(key) && !isStatusNumber(value) ? `${key}${glue}${REDACTED}` : pair,
  );
}

/** Every string under a token-like key anywhere in `json`, however deep (iterative: no recursion). */
function sensitiveStrings(json: unknown, found: string[]): void {
  const stack: Array<{ value: unknown; sensitive: boolean }> = [{ value: json, sensitive: false }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, sensitive } = item;
    if (typeof value === 'string') {
      if (sensitive) found.push(value);
    } else if (Array.isArray(value)) {
      for (const inner of value) stack.push({ value: inner, sensitive });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        stack.push({ value: inner, sensitive: sensitive || isSensitiveKey(key) });
      }
    }
  }
}

/**
 * What an error about the answer `text` must not show: the values we sent (`sent`: client secret,
 * code, tokens), and every string the answer itself holds under a token-like key (in JSON at any
 * depth, or as a `key=value` pair in text), because the provider may echo those elsewhere in the
 * same answer, e.g. in its `error_description`.
 */
export function answerSecrets(text: string, sent: readonly (string | undefined)[] = []): string[] {
  const found = sent.filter((value): value is string => typeof value === 'string');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json !== null && typeof json === 'object') sensitiveStrings(json, found);
  for (const [, key, , value] of text.matchAll(PAIR)) {
    if (key !== undefined && value !== undefined && isSensitiveKey(key)) found.push(value);
  }
  return found.filter((value) => value.length >= MIN_SECRET_LENGTH);
}

/**
 * The forms a value takes when quoted: as is, JSON-escaped (a re-serialised body) and
 * percent-encoded (a form or a URL).
 */
function quotedForms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}

/** Replaces every occurrence of each secret (client secret, code, token) in `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of quotedForms(secret)) forms.add(form);
  }
  // Longest first, so a secret that contains another is removed whole.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * A short, safe excerpt of a response body for an error message: JSON with sensitive keys blanked,
 * whitespace and control characters collapsed, every value of {@link answerSecrets} removed, cut to
 * 200 characters. Also for quoting anything a provider or a callback URL says (one line: nothing
 * can forge a log line or smuggle a terminal escape sequence).
 */
export function bodyExcerpt(text: string, secrets: readonly (string | undefined)[] = []): string {
  let shown = text;
  try {
    shown = JSON.stringify(redactJson(JSON.parse(text)));
  } catch {
    // Not JSON (or nested too deep to re-serialise): quote it as text, without the values of
    // token-like `key=value` pairs.
    shown = redactPairs(text);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed here
  shown = shown.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  shown = redactSecrets(shown, answerSecrets(text, secrets));
  return shown.length > EXCERPT_LENGTH ? `${shown.slice(0, EXCERPT_LENGTH)}…` : shown;
}

/**
 * `cause` without any of `secrets`: as it is when it quotes none of them (the usual case: the
 * caller keeps the original error and its type), else a plain copy with the same name and `code`
 * whose message, stack and causes are redacted. Never changes the original.
 */
export function redactCause(
  cause: unknown,
  secrets: readonly (string | undefined)[],
  depth = 0,
): unknown {
  if (typeof cause === 'string') return redactSecrets(cause, secrets);
  // A cause chain is short (undici: two or three links); the bound also ends a cyclic one.
  if (!(cause instanceof Error) || depth >= 4) return cause;
  const inner = redactCause(cause.cause, secrets, depth + 1);
  const message = redactSecrets(cause.message, secrets);
  const stack = cause.stack === undefined ? undefined : redactSecrets(cause.stack, secrets);
  if (message === cause.message && stack === cause.stack && inner === cause.cause) return cause;
  const copy = new Error(message, inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  if (stack !== undefined) copy.stack = stack;
  return copy;
}
