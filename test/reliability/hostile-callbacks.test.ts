/**
 * Hostile callbacks, property-based, against both strategies through real HTTP: random,
 * duplicated, empty, oversized and mis-encoded code / state / error parameters, with and without a
 * login in progress, in the query or in a form body.
 *
 * Every attempt must end, quickly, in exactly one Passport action: a login start (redirect) when
 * the request does not look like a callback at all, otherwise fail or error with a message a
 * person can act on; success only for the real code with this session's state. Nothing reaches a
 * token endpoint unless the code is the real one and the state is this session's, no message
 * carries a secret, and the process sees no unhandled rejection or uncaught exception.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboFake,
  type Soa2Fake,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import fc from 'fast-check';
import { type TestApp, trackProcessErrors } from '../helpers/app.js';
import { Browser, parseForm } from '../helpers/browser.js';
import {
  type HostileCallback,
  hostileCallbacks,
  type Param,
  sendWithCookies,
  serialize,
} from './helpers/callback-requests.js';
import { assertMeaningful, outcomeOf } from './helpers/outcome.js';
import {
  CLIENT_SECRETS,
  callbackURL,
  PROVIDERS,
  type ProviderName,
  startBothStrategies,
} from './helpers/strategies.js';

/** Per request to a provider; an attempt makes at most two (token, profile). */
const TIMEOUT_MS = 1000;
const RUNS_PER_PROVIDER = 200;

let exboFake: ExboFake;
let soa2Fake: Soa2Fake;
let app: TestApp;
const tracked = trackProcessErrors();

before(async () => {
  exboFake = await startExboFake();
  soa2Fake = await startSoa2Fake();
  app = await startBothStrategies(
    { exbo: { baseURL: exboFake.url }, soa2: { baseURL: soa2Fake.url } },
    TIMEOUT_MS,
  );
  exboFake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [callbackURL(app, 'exbo')] });
  soa2Fake.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [callbackURL(app, 'soa2')] });
});
after(async () => {
  tracked.stop();
  await app.close();
  await exboFake.close();
  await soa2Fake.close();
});

/** Token requests each fake has received so far. */
function tokenRequests(provider: ProviderName): number {
  return provider === 'exbo'
    ? exboFake.requests.filter((r) => r.path === '/oauth/token').length
    : soa2Fake.requests.filter((r) => r.path.endsWith('/tokens')).length;
}

/** Starts a login in `browser`: its state, and with `consent` the code the fake issued. */
async function startLogin(
  browser: Browser,
  provider: ProviderName,
  consent: boolean,
): Promise<{ state: string; code?: string }> {
  const start = await browser.get(`${app.url}/login/${provider}`, { follow: false });
  const authorize = new URL(start.headers.get('location') ?? '');
  const state = authorize.searchParams.get('state') ?? '';
  if (!consent) return { state };
  const page = await browser.get(authorize.toString());
  const form = parseForm(page);
  const button = provider === 'exbo' ? 'approve' : 'confirm';
  const back = await browser.submit(page, button, {}, { follow: false });
  assert.ok(form.action, 'the fake shows its consent form');
  const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
  return { state, code };
}

/** How many times `name` is sent where the strategy reads it (query; form body for code/state). */
function count(attempt: HostileCallback, name: string): number {
  const inQuery = attempt.method === 'GET';
  const fromBody = name === 'code' || name === 'state';
  return inQuery || fromBody ? attempt.params.filter((p) => p.name === name).length : 0;
}

function only(attempt: HostileCallback, name: string): Param | undefined {
  return count(attempt, name) === 1 ? attempt.params.find((p) => p.name === name) : undefined;
}

/** Outcomes seen per provider, so a property that never reaches a branch is noticed. */
const seen: Record<ProviderName, Record<string, number>> = { exbo: {}, soa2: {} };

async function attemptCallback(provider: ProviderName, attempt: HostileCallback): Promise<void> {
  const browser = new Browser();
  const login = attempt.startLogin
    ? await startLogin(browser, provider, attempt.consent)
    : undefined;
  const serialized = await serialize(attempt.params, {
    sessionState: login?.state,
    realCode: login?.code,
    foreignState: async () => (await startLogin(new Browser(), provider, false)).state,
  });
  const base = `${app.url}/callback/${provider}`;
  const mark = app.records.length;
  const tokensBefore = tokenRequests(provider);
  const answer =
    attempt.method === 'GET'
      ? await sendWithCookies(browser, 'GET', serialized ? `${base}?${serialized}` : base)
      : await sendWithCookies(browser, 'POST', base, serialized);
  const context = `${provider} ${attempt.method} ${serialized.slice(0, 300)}`;

  assert.ok(answer.elapsedMs < 2 * TIMEOUT_MS + 1000, `${context}: took ${answer.elapsedMs} ms`);
  const outcome = outcomeOf(app.records[mark]);
  const code = only(attempt, 'code');
  const state = only(attempt, 'state');
  const stateMatches = login !== undefined && state?.value.kind === 'session-state';
  const genuine = stateMatches && login.code !== undefined && code?.value.kind === 'real-code';
  // What may reach the token endpoint: this session's state with one code of a plausible shape.
  // EXBO codes are opaque (any text is plausible); SOA2's are 64 hex characters.
  const kind = code?.value.kind;
  const plausibleCode =
    provider === 'exbo'
      ? kind !== undefined &&
        kind !== 'empty' &&
        kind !== 'oversized' &&
        !(code?.value.kind === 'text' && code.value.text === '')
      : kind === 'real-code' ||
        (code?.value.kind === 'text' && /^\s*[0-9a-f]{64}\s*$/.test(code.value.text));
  // EXBO's `error` takes precedence over a code (OAuth 2.0); SOA2 never sends one, so with a code
  // and this session's state its strategy goes on (the callback checks out either way).
  const errorBlocks = provider === 'exbo' && count(attempt, 'error') > 0;
  const mayExchange = stateMatches && plausibleCode && !errorBlocks;
  const looksLikeCallback = ['code', 'state', 'error'].some((name) => count(attempt, name) > 0);
  seen[provider][outcome.action] = (seen[provider][outcome.action] ?? 0) + 1;

  if (outcome.action === 'success') {
    assert.ok(genuine, `${context}: signed in without the real code and this session's state`);
  } else if (outcome.action === 'redirect') {
    assert.ok(!looksLikeCallback, `${context}: a callback was treated as the start of a login`);
  } else {
    assert.ok(
      outcome.action === 'fail' || outcome.action === 'error',
      `${context}: ${outcome.action}`,
    );
    assertMeaningful(outcome, [...CLIENT_SECRETS, login?.code], context);
  }
  assert.ok(answer.status < 500 || outcome.action === 'error', `${context}: HTTP ${answer.status}`);
  if (!mayExchange) {
    assert.equal(tokenRequests(provider), tokensBefore, `${context}: garbage sent to the provider`);
  }
  assert.deepEqual(tracked.errors, [], `${context}: unhandled rejection or uncaught exception`);
}

describe('hostile callbacks', () => {
  for (const provider of PROVIDERS) {
    test(`${provider}: every forged, duplicated, empty, oversized or mis-encoded callback ends cleanly`, {
      timeout: 110_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(hostileCallbacks, (attempt) => attemptCallback(provider, attempt)),
        { numRuns: RUNS_PER_PROVIDER },
      );
      await app.assertOneActionEach();
      // Every kind of ending was reached: real logins, starts, failures and errors.
      for (const action of ['success', 'redirect', 'fail', 'error']) {
        assert.ok(
          (seen[provider][action] ?? 0) > 0,
          `no ${action} in ${JSON.stringify(seen[provider])}`,
        );
      }
    });
  }

  test('the generator reaches the interesting cases (not a vacuous property)', () => {
    const sample = fc.sample(hostileCallbacks, { numRuns: RUNS_PER_PROVIDER, seed: 1 });
    const has = (predicate: (attempt: HostileCallback) => boolean) => sample.some(predicate);
    assert.ok(
      has((a) => a.params.filter((p) => p.name === 'code').length > 1),
      'duplicated code',
    );
    assert.ok(
      has((a) => a.params.some((p) => p.value.kind === 'oversized')),
      'oversized value',
    );
    assert.ok(
      has((a) => a.params.some((p) => p.value.kind === 'raw')),
      'mis-encoded value',
    );
    assert.ok(
      has(
        (a) =>
          a.consent &&
          a.params.filter((p) => p.name === 'code').length === 1 &&
          a.params.filter((p) => p.name === 'state').length === 1,
      ),
      'a plausible real callback',
    );
  });
});
