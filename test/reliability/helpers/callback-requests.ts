/**
 * Hostile callbacks: what an attacker (or a broken proxy, or a bored user editing the address bar)
 * can send to a callback route, as fast-check arbitraries, and how to send them over real HTTP
 * with a browser's cookies.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { ActionRecord, TestApp } from '../../helpers/app.js';
import { Browser } from '../../helpers/browser.js';
import type { ProviderName } from './strategies.js';

/** Where a parameter's value comes from. */
export type ValueSpec =
  /** The state of the login this browser started. */
  | { kind: 'session-state' }
  /**
   * The code the provider really issued for this browser's login; without a consent, a
   * well-formed code the provider never issued.
   */
  | { kind: 'real-code' }
  /** A real state from another browser's login (cross-session use). */
  | { kind: 'foreign-state' }
  /** Any Unicode text, correctly percent-encoded. */
  | { kind: 'text'; text: string }
  /** Sent exactly as is: broken percent-encoding, invalid UTF-8, separators. */
  | { kind: 'raw'; text: string }
  /** Longer than any real code or state (the strategies cap parameters at 2048 characters). */
  | { kind: 'oversized'; length: number }
  | { kind: 'empty' };

export interface Param {
  name: string;
  value: ValueSpec;
}

export interface HostileCallback {
  method: 'GET' | 'POST';
  /** Start a login first (the session then holds a state). */
  startLogin: boolean;
  /** Also consent at the fake, so a real code exists. */
  consent: boolean;
  params: Param[];
}

/** The names the strategies read, and lookalikes that must change nothing. */
const NAMES = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('code', 'state', 'error', 'error_description') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('Code', 'code[]', 'state ', '__proto__', 'constructor', 'scope', ''),
  },
);

/** Fragments that break decoders: lone `%`, bad hex, invalid UTF-8, NUL, CR LF, separators. */
const RAW_FRAGMENTS = [
  '%',
  '%zz',
  '%C3%28',
  '%FF%FE',
  '%E2%82',
  '%ED%A0%80',
  '%00',
  '%0D%0A',
  '+',
  '%2B',
  '=',
  ';',
  '%26code%3Dinjected',
  '%E2%80%AE',
];

const VALUES: fc.Arbitrary<ValueSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'session-state' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'real-code' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'foreign-state' } as const) },
  {
    weight: 3,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 64 })
      .map((text) => ({ kind: 'text', text }) as const),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...RAW_FRAGMENTS), { minLength: 1, maxLength: 3 })
      .map((parts) => ({ kind: 'raw', text: parts.join('') }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 2049, max: 2600 })
      .map((length) => ({ kind: 'oversized', length }) as const),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'empty' } as const) },
);

const PARAM = fc.record({ name: NAMES, value: VALUES });

/** Anything: up to six parameters, so missing, single and duplicated names all occur. */
const anyCallback: fc.Arbitrary<HostileCallback> = fc
  .record({
    method: fc.constantFrom('GET', 'POST'),
    startLogin: fc.boolean(),
    consent: fc.boolean(),
    params: fc.array(PARAM, { maxLength: 6 }),
  })
  .map((attempt) => ({ ...attempt, consent: attempt.startLogin && attempt.consent }));

/**
 * The callback of a login this browser started, with up to two extra parameters mixed in; without
 * `consent` its code is well-formed but was never issued.
 */
const tamperedCallback: fc.Arbitrary<HostileCallback> = fc
  .record({
    method: fc.constantFrom('GET', 'POST'),
    consent: fc.boolean(),
    extra: fc.array(PARAM, { maxLength: 2 }),
    order: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ method, consent, extra, order }) => {
    const params: Param[] = [
      { name: 'code', value: { kind: 'real-code' } },
      { name: 'state', value: { kind: 'session-state' } },
    ];
    params.splice(order % (params.length + 1), 0, ...extra);
    return { method, startLogin: true, consent, params };
  });

export const hostileCallbacks: fc.Arbitrary<HostileCallback> = fc.oneof(
  { weight: 3, arbitrary: anyCallback },
  { weight: 1, arbitrary: tamperedCallback },
);

/** The actual values for a login: what `session-state`, `real-code` and the others stand for. */
export interface LoginValues {
  sessionState?: string | undefined;
  realCode?: string | undefined;
  foreignState: () => Promise<string>;
}

/** The query string (or form body) for `params`, each encoded as its spec says. */
export async function serialize(params: Param[], values: LoginValues): Promise<string> {
  const parts: string[] = [];
  for (const { name, value } of params) {
    let encoded: string;
    switch (value.kind) {
      case 'session-state':
        encoded = encodeURIComponent(values.sessionState ?? 'no-login-was-started');
        break;
      case 'real-code':
        encoded = encodeURIComponent(values.realCode ?? 'f'.repeat(64));
        break;
      case 'foreign-state':
        encoded = encodeURIComponent(await values.foreignState());
        break;
      case 'text':
        encoded = encodeURIComponent(value.text);
        break;
      case 'raw':
        encoded = value.text;
        break;
      case 'oversized':
        encoded = 'A'.repeat(value.length);
        break;
      case 'empty':
        encoded = '';
        break;
    }
    parts.push(`${encodeURIComponent(name)}=${encoded}`);
  }
  return parts.join('&');
}

/** Sends a request with `browser`'s cookies, no redirect followed; the answer and its time. */
export async function sendWithCookies(
  browser: Browser,
  method: 'GET' | 'POST',
  url: string,
  body?: string,
): Promise<{ status: number; location: string | null; text: string; elapsedMs: number }> {
  const cookie = await browser.jar.getCookieString(url);
  const started = performance.now();
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      ...(cookie && { Cookie: cookie }),
      ...(body !== undefined && { 'Content-Type': 'application/x-www-form-urlencoded' }),
    },
    ...(body !== undefined && { body }),
  });
  for (const setCookie of res.headers.getSetCookie()) await browser.jar.setCookie(setCookie, url);
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    text,
    elapsedMs: performance.now() - started,
  };
}

/**
 * A login on `app` (test/helpers/app.ts routes) as far as the provider's redirect back: a new
 * browser starts it (for a state in its session), then calls back with a fresh code of the
 * provider's shape. The answer, the code sent and the Passport record of the callback.
 */
export async function callbackWithFreshCode(
  app: TestApp,
  name: ProviderName,
): Promise<{
  answer: Awaited<ReturnType<typeof sendWithCookies>>;
  code: string;
  record: ActionRecord | undefined;
}> {
  const browser = new Browser();
  const start = await browser.get(`${app.url}/login/${name}`, { follow: false });
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  // SOA2 codes are 64 hex characters (anything else never leaves the app); EXBO's are opaque.
  const code =
    name === 'soa2' ? randomBytes(32).toString('hex') : `def502${randomBytes(40).toString('hex')}`;
  const mark = app.records.length;
  const answer = await sendWithCookies(
    browser,
    'GET',
    `${app.url}/callback/${name}?code=${code}&state=${encodeURIComponent(state)}`,
  );
  return { answer, code, record: app.records[mark] };
}
