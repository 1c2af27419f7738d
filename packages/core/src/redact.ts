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

/**
 * At most this many values are taken from an answer (besides the ones we sent): a real answer
 * holds two or three tokens, and a hostile one with a hundred thousand would otherwise make
 * redaction cost the number of values times the length of the text (a minute of CPU for one
 * login callback of 1 MiB).
 */
const MAX_FOUND_SECRETS = 64;

/**
 * Adds the strings under a token-like key in `json` to `found`, breadth first (the tokens of a
 * real answer are near the top, so they are among the first found), until `found` is full.
 */
function sensitiveStrings(json: unknown, found: Set<string>): void {
  const queue: Array<{ value: unknown; sensitive: boolean }> = [{ value: json, sensitive: false }];
  for (let next = 0; next < queue.length && found.size < MAX_FOUND_SECRETS; next++) {
    const { value, sensitive } = queue[next] as { value: unknown; sensitive: boolean };
    if (typeof value === 'string') {
      if (sensitive && value.length >= MIN_SECRET_LENGTH) found.add(value);
    } else if (Array.isArray(value)) {
      for (const inner of value) queue.push({ value: inner, sensitive });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        queue.push({ value: inner, sensitive: sensitive || isSensitiveKey(key) });
      }
    }
  }
}

/**
 * What an error about the answer `text` must not show: the values we sent (`sent`: client secret,
 * code, tokens), all of them, and up to 64 strings the answer itself holds
 * under a token-like key (in JSON at any depth, or as a `key=value` pair in text), because the
 * provider may echo those elsewhere in the same answer, e.g. in its `error_description`.
 */
export function answerSecrets(text: string, sent: readonly (string | undefined)[] = []): string[] {
  const kept = sent.filter(
    (value): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH,
  );
  const found = new Set<string>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json !== null && typeof json === 'object') sensitiveStrings(json, found);
  for (const [, key, , value] of text.matchAll(PAIR)) {
    if (found.size >= MAX_FOUND_SECRETS) break;
    if (isSensitiveKey(key as string) && (value as string).length >= MIN_SECRET_LENGTH) {
      found.add(value as string);
    }
  }
  return [...new Set([...kept, ...found])];
}

/**
 * How much of a text {@link redactSecrets} keeps (characters): more than any message needs, and
 * what bounds the cost of redaction whatever the provider sent.
 */
const REDACTED_TEXT_LENGTH = 2000;
/** The longest form one character of a secret takes when quoted (`&#x0001F600;`, `%F0%9F%98%80`). */
const MAX_FORM_LENGTH = 16;

/** A hex number matched in either letter case (percent-encoding and escapes are case-insensitive). */
function hexPattern(value: number, width = 0): string {
  return value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
}

/** The named HTML entities a text may use for a character. */
const HTML_NAMES: Record<string, string[]> = {
  '&': ['&amp;'],
  '<': ['&lt;'],
  '>': ['&gt;'],
  '"': ['&quot;'],
  "'": ['&apos;', '&#39;'],
};

/**
 * A pattern for one character of a secret in every form it takes when quoted: as is,
 * JSON-escaped (`\"`, `\/` as PHP writes it, `\u00e9`), percent-encoded in either case (a form or
 * a URL; `+` for a space in a form) and as an HTML entity (`&amp;`, `&#38;`, `&#x26;`). Letters
 * and digits are the same in every form.
 */
function charPattern(char: string): string {
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const code = char.codePointAt(0) as number;
  const forms = new Set([char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')]);
  const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
  forms.add(units.map((unit) => `\\\\u${hexPattern(unit, 4)}`).join(''));
  if (char === '"' || char === '\\' || char === '/') forms.add(`\\\\\\${char}`);
  forms.add([...Buffer.from(char)].map((byte) => `%${hexPattern(byte, 2)}`).join(''));
  if (char === ' ') forms.add('\\+');
  for (const name of HTML_NAMES[char] ?? []) forms.add(name);
  forms.add(`&#0{0,4}${code};`);
  forms.add(`&#[xX]0{0,4}${hexPattern(code)};`);
  return `(?:${[...forms].join('|')})`;
}

/** One pattern matching every quoted form of every secret, the longest secrets first. */
function secretsPattern(secrets: readonly (string | undefined)[]): RegExp | undefined {
  const values = [
    ...new Set(
      secrets.filter(
        (secret): secret is string =>
          typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH,
      ),
    ),
  ];
  if (values.length === 0) return undefined;
  // Longest first: where two secrets start at one place, the one that contains the other is
  // removed whole.
  values.sort((a, b) => b.length - a.length);
  const alternatives = values.map((secret) => [...secret].map(charPattern).join(''));
  return new RegExp(alternatives.join('|'), 'g');
}

/**
 * `text` without any of `secrets` (client secret, code, token) in any quoted form, cut to its
 * first `limit` characters (an ellipsis says so). One pass over those characters only, so the
 * cost is bounded by `limit`, not by the length of what a provider sent.
 */
export function redactSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  limit = REDACTED_TEXT_LENGTH,
): string {
  const pattern = secretsPattern(secrets);
  if (pattern === undefined) return text.length > limit ? `${text.slice(0, limit)}…` : text;
  // Every secret that starts within `limit` ends within this window, and is removed whole.
  const longest = Math.max(...secrets.map((secret) => secret?.length ?? 0));
  const window = text.slice(0, limit + longest * MAX_FORM_LENGTH);
  let out = '';
  let at = 0;
  for (let match = pattern.exec(window); match !== null; match = pattern.exec(window)) {
    if (match.index >= limit) break;
    out += `${window.slice(at, match.index)}${REDACTED}`;
    at = match.index + match[0].length;
  }
  if (at < limit) out += window.slice(at, limit);
  return text.length > Math.max(at, limit) ? `${out}…` : out;
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

/** Bounds of the copy {@link redactCause} makes: real cause chains are two or three links. */
const MAX_CAUSE_DEPTH = 8;
const MAX_CAUSE_NODES = 100;
/** Properties (or array elements) copied per object; a stack trace fits in one string. */
const MAX_CAUSE_PROPERTIES = 100;
const MAX_CAUSE_STRING = 8192;
/** What stands where the copy stops: too deep, too many objects, binary data. */
const CUT = '[cut]';

/**
 * `cause` without any of `secrets`, to a bounded depth: as it is when nothing in it had to change
 * (the usual case: the caller keeps the original error and its type), else a copy. The copy
 * follows every own property, string- or symbol-keyed, enumerable or not (`message`, `stack`,
 * `url`, `body`, `cause`, `AggregateError`'s `errors`, plain objects and arrays), redacts and cuts
 * every string (8,192 characters), keeps a cycle as a cycle, and stops at 8 levels, 100 objects
 * and 100 properties an object. An error is copied as an `Error` with the same name. Never
 * changes the original.
 */
export function redactCause(cause: unknown, secrets: readonly (string | undefined)[]): unknown {
  const copies = new Map<object, unknown>();
  let changed = false;
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      const clean = redactSecrets(value, secrets, MAX_CAUSE_STRING);
      if (clean !== value) changed = true;
      return clean;
    }
    if (value === null || typeof value !== 'object') return value;
    if (copies.has(value)) return copies.get(value);
    if (depth >= MAX_CAUSE_DEPTH || copies.size >= MAX_CAUSE_NODES || ArrayBuffer.isView(value)) {
      changed = true;
      return CUT;
    }
    const out: object = value instanceof Error ? new Error() : Array.isArray(value) ? [] : {};
    copies.set(value, out);
    const keys = Reflect.ownKeys(value).filter(
      (key) => !(Array.isArray(value) && key === 'length'),
    );
    if (keys.length > MAX_CAUSE_PROPERTIES) changed = true;
    for (const key of keys.slice(0, MAX_CAUSE_PROPERTIES)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      let inner: unknown;
      try {
        inner = (value as Record<PropertyKey, unknown>)[key];
      } catch {
        inner = CUT; // A getter that throws: nothing to show.
      }
      Object.defineProperty(out, key, {
        value: copy(inner, depth + 1),
        enumerable: descriptor?.enumerable ?? true,
        writable: true,
        configurable: true,
      });
    }
    // `name` usually lives on the prototype, which the copy does not keep.
    if (value instanceof Error && !Object.hasOwn(value, 'name')) {
      Object.defineProperty(out, 'name', {
        value: value.name,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const result = copy(cause, 0);
  return changed ? result : cause;
}
