/**
 * What the kit keeps of a body or a header: its SHAPE, never its value. Keys and value types,
 * string lengths and formats (JWT, hex, UUID, digits), a JWT's header and claim names; for the
 * headers that matter, the media type, or a number's digit count (13 digits: Unix milliseconds, 10:
 * seconds). Nothing a shape holds can be a secret, a token or a user's data. The one exception is
 * {@link protocolValues}: the values of a few keys that are protocol vocabulary, not data.
 */

export type Shape =
  | { type: 'null' | 'boolean' | 'integer' | 'number' }
  | {
      type: 'string';
      length: number;
      format: 'empty' | 'jwt' | 'hex' | 'uuid' | 'digits' | 'text';
      /** For a JWT: the shapes of its decoded header and payload. */
      jwt?: { header: Shape; payload: Shape };
    }
  | { type: 'array'; length: number; items: Shape[] }
  | { type: 'object'; keys: Record<string, Shape> };

/** A body: JSON (its shape), form fields (their shapes), other text (its media type and length). */
export type BodyShape =
  | { kind: 'empty' }
  | { kind: 'json'; shape: Shape }
  | { kind: 'form'; shape: Shape }
  | { kind: 'text'; mediaType: string; length: number };

function decodeJwtPart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function stringShape(value: string): Shape {
  const parts = value.split('.');
  if (parts.length === 3 && parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    const header = decodeJwtPart(parts[0]!);
    const payload = decodeJwtPart(parts[1]!);
    if (header && typeof header === 'object' && payload && typeof payload === 'object') {
      return {
        type: 'string',
        length: value.length,
        format: 'jwt',
        jwt: { header: shapeOf(header), payload: shapeOf(payload) },
      };
    }
  }
  const format =
    value === ''
      ? 'empty'
      : /^[0-9]+$/.test(value)
        ? 'digits'
        : /^[0-9a-f]{16,}$/i.test(value)
          ? 'hex'
          : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
            ? 'uuid'
            : 'text';
  return { type: 'string', length: value.length, format };
}

/** The shape of a parsed JSON value. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'string') return stringShape(value);
  if (Array.isArray(value)) {
    const items: Shape[] = [];
    const seen = new Set<string>();
    for (const item of value) {
      const shape = shapeOf(item);
      const key = JSON.stringify(shape, (k, v) => (k === 'length' ? undefined : v));
      if (!seen.has(key)) {
        seen.add(key);
        items.push(shape);
      }
    }
    return { type: 'array', length: value.length, items };
  }
  const keys: Record<string, Shape> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    keys[key] = shapeOf(item);
  }
  return { type: 'object', keys };
}

/** The shape of a body as sent or received with this Content-Type. */
export function bodyShape(text: string, contentType: string | null): BodyShape {
  if (text === '') return { kind: 'empty' };
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { kind: 'form', shape: shapeOf(Object.fromEntries(new URLSearchParams(text))) };
  }
  try {
    return { kind: 'json', shape: shapeOf(JSON.parse(text)) };
  } catch {
    return { kind: 'text', mediaType: mediaType || '(none)', length: text.length };
  }
}

/** Headers whose shape is recorded: what clients read, or what tells the open questions apart. */
const NUMERIC_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
];

/**
 * The headers that matter, as shapes: `content-type` (media type), the rate-limit and Retry-After
 * numbers (`digits:13`), and whether `location`, `www-authenticate` and `set-cookie` are there.
 */
export function headerShapes(headers: Headers): Record<string, string> {
  const shapes: Record<string, string> = {};
  const type = headers.get('content-type');
  if (type !== null) shapes['content-type'] = type.split(';')[0]!.trim().toLowerCase();
  for (const name of NUMERIC_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    const trimmed = value.trim();
    shapes[name] = /^\d+$/.test(trimmed) ? `digits:${trimmed.length}` : 'not a number';
  }
  for (const name of ['location', 'www-authenticate', 'set-cookie']) {
    if (headers.get(name) !== null) shapes[name] = 'present';
  }
  return shapes;
}

/** One line for a table cell: `object{access_token,expires_in,…}`, `array[3]`, `text/html`. */
export function describeBody(body: BodyShape): string {
  if (body.kind === 'empty') return 'empty';
  if (body.kind === 'text') return body.mediaType;
  const shape = body.shape;
  if (shape.type === 'object') {
    const keys = Object.keys(shape.keys);
    const listed = keys.slice(0, 4).join(',');
    return `{${listed}${keys.length > 4 ? ',…' : ''}}`;
  }
  if (shape.type === 'array') return `array[${shape.length}]`;
  return shape.type;
}

/**
 * Top-level keys whose values are protocol vocabulary (`invalid_request`, `Bearer`, `Not Found`,
 * `rest-unsupported-content-type`), which the open questions are about; every other value is
 * dropped. Kept only when short and word-like, so a value that is not vocabulary never gets through.
 */
const VOCABULARY_KEYS = ['error', 'token_type', 'httpReason', 'title', 'errorKey'];

export function protocolValues(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return {};
  const values: Record<string, string> = {};
  for (const key of VOCABULARY_KEYS) {
    const value = (json as Record<string, unknown>)[key];
    if (typeof value === 'string' && /^[A-Za-z][A-Za-z _-]{0,39}$/.test(value)) values[key] = value;
  }
  return values;
}
