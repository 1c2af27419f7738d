/**
 * The one `RATE_LIMITED` builder and `answerText`, which both packages' `errors.ts` use (the
 * packages' own 429 answers through real servers are in test/reliability/hostile-answers.test.ts
 * and test/exbo/game-api.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerText, OAuthError, rateLimitedError } from '@exbo-soa2/core';

const BASE = { provider: 'soa2', providerLabel: 'SOA2', status: 429, purpose: 'the token refresh' };

test('RATE_LIMITED with a retryAfter says when in the message', () => {
  const err = rateLimitedError({ ...BASE, retryAfter: 30 });
  assert.ok(err instanceof OAuthError);
  assert.equal(err.code, 'RATE_LIMITED');
  assert.equal(err.message, 'SOA2 rate-limited the token refresh: retry in 30 s');
  assert.equal(err.retryAfter, 30);
  assert.equal(err.upstreamStatus, 429);
  assert.equal(err.provider, 'soa2');
});

test('RATE_LIMITED without a retryAfter has none and says no time', () => {
  const err = rateLimitedError(BASE);
  assert.equal(err.message, 'SOA2 rate-limited the token refresh');
  assert.equal('retryAfter' in err, false);
});

test("RATE_LIMITED with a provider's own 'when' uses it instead", () => {
  const err = rateLimitedError({
    ...BASE,
    provider: 'exbo',
    providerLabel: 'EXBO',
    retryAfter: 0,
    when: 'the bucket refills at 2026-01-01T00:00:00.000Z (retry in 0 s)',
  });
  assert.equal(
    err.message,
    'EXBO rate-limited the token refresh: the bucket refills at 2026-01-01T00:00:00.000Z (retry in 0 s)',
  );
  // 0 is a real answer ("now"), not an absent one.
  assert.equal(err.retryAfter, 0);
});

test('answerText keeps non-empty strings only', () => {
  assert.equal(answerText('Not Found'), 'Not Found');
  for (const value of ['', undefined, null, 404, {}, ['x']]) {
    assert.equal(answerText(value), undefined, String(value));
  }
});
