/**
 * What the kit counts as a difference between a real answer and the fake's (conformance/compare.ts):
 * protocol, not data. Shapes are built from JSON values here, as the recorder builds them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareStep } from '../../conformance/compare.js';
import type { ExchangeRecord } from '../../conformance/record.js';
import { bodyShape, protocolValues } from '../../conformance/shape.js';
import type { StepResult } from '../../conformance/steps.js';

function answer(json: unknown, headers: Record<string, string> = {}, status = 200): StepResult {
  const text = JSON.stringify(json);
  const exchange: ExchangeRecord = {
    method: 'GET',
    path: '/x',
    query: [],
    auth: 'none',
    requestType: '(none)',
    requestBody: { kind: 'empty' },
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: bodyShape(text, 'application/json'),
    values: protocolValues(text),
  };
  return { step: 'x', outcome: 'ok', exchanges: [exchange] };
}

const differences = (real: StepResult, fake: StepResult) => compareStep(real, fake).differences;

describe('what counts as a difference', () => {
  test('data is not: other lengths, other array sizes, null for a nullable field', () => {
    assert.deepEqual(
      differences(answer({ login: 'Test-1' }), answer({ login: 'Сталкер-Бандит' })),
      [],
    );
    assert.deepEqual(differences(answer([{ id: 'RU' }, { id: 'EU' }]), answer([{ id: 'NA' }])), []);
    assert.deepEqual(differences(answer([]), answer([{ id: 'NA' }])), []);
    assert.deepEqual(
      differences(answer({ display_login: null }), answer({ display_login: 'x' })),
      [],
    );
    assert.deepEqual(
      differences(
        answer({}, { 'x-ratelimit-remaining': 'digits:3' }),
        answer({}, { 'x-ratelimit-remaining': 'digits:2' }),
      ),
      [],
    );
  });

  test('protocol is: types, keys, token formats and lengths, the reset unit, vocabulary, status', () => {
    assert.deepEqual(differences(answer({ id: '1' }), answer({ id: 1 })), [
      'body.id: string vs integer',
    ]);
    assert.deepEqual(differences(answer({ a: 1, b: 2 }), answer({ a: 1, c: 2 })), [
      'body.b: only on the real side',
      'body.c: only on the fake',
    ]);
    assert.deepEqual(differences(answer({ t: 'ab'.repeat(32) }), answer({ t: 'ab'.repeat(64) })), [
      'body.t: 64 vs 128 hex characters',
    ]);
    const jwt = (claims: object) =>
      `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
    assert.deepEqual(
      differences(
        answer({ refresh_token: jwt({ exp: 1 }) }),
        answer({ refresh_token: 'def502abc' }),
      ),
      ['body.refresh_token: jwt string vs text string'],
    );
    assert.deepEqual(
      differences(answer({ t: jwt({ exp: 1, sub: '1' }) }), answer({ t: jwt({ exp: 1 }) })),
      ['body.t (JWT claims).sub: only on the real side'],
    );
    assert.deepEqual(
      differences(
        answer({}, { 'x-ratelimit-reset': 'digits:10' }),
        answer({}, { 'x-ratelimit-reset': 'digits:13' }),
      ),
      ['header x-ratelimit-reset: digits:10 vs digits:13'],
    );
    assert.deepEqual(
      differences(
        answer({ error: 'invalid_grant' }, {}, 400),
        answer({ error: 'invalid_request' }, {}, 400),
      ),
      ['body.error: invalid_grant vs invalid_request'],
    );
    assert.deepEqual(differences(answer({}, {}, 400), answer({}, {}, 401)), ['status: 400 vs 401']);
  });

  test('only protocol vocabulary keeps its value', () => {
    assert.deepEqual(
      protocolValues(JSON.stringify({ error: 'invalid_client', hint: 'x', access_token: 'abc' })),
      {
        error: 'invalid_client',
      },
    );
    // A value that is not word-like (a token, say) is never kept, even under a vocabulary key.
    assert.deepEqual(
      protocolValues(JSON.stringify({ error: 'eyJ0eXAiOiJKV1Qi.eyJhdWQiOiIxIn0.sig' })),
      {},
    );
  });
});
