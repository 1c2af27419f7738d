/**
 * How one login attempt ended, read from the test app's record of Passport actions, and the checks
 * every attempt must pass: exactly one action, a message a person can act on, no secret in it.
 */
import assert from 'node:assert/strict';
import { isOAuthError, type OAuthErrorCode } from '@exbo-soa2/core';
import type { ActionName, ActionRecord } from '../../helpers/app.js';

export interface Outcome {
  action: ActionName;
  /** `fail`: the info's message; `error`: the error's message. */
  message?: string;
  /** `error`: the OAuthError code. */
  code?: OAuthErrorCode;
  /** `fail`: the status passed with it; `error`: the error's status. */
  status?: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Longest message we accept: a sentence or two, not a dump of what the attacker sent. */
export const MAX_MESSAGE_LENGTH = 600;

/** The single outcome of `record`, failing the test when there is not exactly one. */
export function outcomeOf(record: ActionRecord | undefined): Outcome {
  assert.ok(record, 'the strategy was called');
  assert.equal(
    record.actions.length,
    1,
    `exactly one Passport action per attempt, got: ${record.actions.join(', ') || 'none'}`,
  );
  const action = record.actions[0] as ActionName;
  const args = record.last ?? [];
  if (action === 'fail') {
    const info = args[0] as { message?: unknown } | undefined;
    return {
      action,
      ...(typeof info?.message === 'string' && { message: info.message }),
      ...(typeof args[1] === 'number' && { status: args[1] }),
    };
  }
  if (action === 'error') {
    const err = args[0];
    assert.ok(
      isOAuthError(err),
      `an error is an OAuthError with a stable code, got: ${String(err)}`,
    );
    assert.match(err.code, /^[A-Z]+(_[A-Z]+)+$/, 'a stable code');
    return { action, message: err.message, code: err.code, status: err.status };
  }
  return { action };
}

/**
 * A message a person can act on: present, words rather than a dump, bounded, free of control
 * characters (they would forge lines in a log), and free of every secret in `secrets`.
 */
export function assertMeaningful(
  outcome: Outcome,
  secrets: readonly (string | undefined)[],
  context: string,
): void {
  const message = outcome.message;
  assert.ok(typeof message === 'string', `${context}: ${outcome.action} carries a message`);
  assert.ok(
    message.length >= 15,
    `${context}: message too short to help: ${JSON.stringify(message)}`,
  );
  assert.ok(
    message.length <= MAX_MESSAGE_LENGTH,
    `${context}: message of ${message.length} characters: ${JSON.stringify(message.slice(0, 200))}…`,
  );
  assert.match(message, /[A-Za-z]{3,} [A-Za-z]{2,}/, `${context}: message has words`);
  assert.doesNotMatch(message, CONTROL_CHARACTERS, `${context}: control characters in message`);
  if (outcome.status !== undefined) {
    assert.ok(
      outcome.status >= 400 && outcome.status < 600,
      `${context}: status ${outcome.status}`,
    );
  }
  assertNoSecrets(message, secrets, context);
}

/** No secret (of the length worth checking) appears in `text`. */
export function assertNoSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  context: string,
): void {
  for (const secret of secrets) {
    if (secret && secret.length >= 8) {
      assert.ok(!text.includes(secret), `${context}: a secret appears in ${JSON.stringify(text)}`);
    }
  }
}
