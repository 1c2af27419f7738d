/**
 * Running one protocol step: its exchanges are recorded (record.ts), its outcome is what our client
 * made of the answer (`ok`, or the `OAuthError` code it rejected with), and its facts are
 * observations that are not exchanges (the decoded kind of a token).
 */
import { decodeAccessToken, OAuthError } from './packages.js';
import type { ExchangeRecord, Recorder } from './record.js';

export interface StepResult {
  /** e.g. `app-token`, `bad-refresh`. */
  step: string;
  /** `ok` (finished), an `OAuthError` code, `skipped: …` or `error: <name>`. */
  outcome: string;
  exchanges: ExchangeRecord[];
  facts?: Record<string, string>;
}

/** What a step does; it may resolve to facts (`Record<string, string>`). A rejection is its outcome. */
export type StepAction = () => Promise<unknown>;

/** Runs `action`, collecting what `recorder` saw; never throws. */
export async function runStep(
  recorder: Recorder,
  step: string,
  action: StepAction | string,
): Promise<StepResult> {
  if (typeof action === 'string') return { step, outcome: `skipped: ${action}`, exchanges: [] };
  let outcome = 'ok';
  let facts: Record<string, string> | undefined;
  try {
    const value = await action();
    if (value !== null && typeof value === 'object') facts = value as Record<string, string>;
  } catch (err) {
    // Only the error's code or class: a message could quote what the provider said.
    outcome = err instanceof OAuthError ? err.code : `error: ${(err as Error)?.name ?? 'unknown'}`;
  }
  return { step, outcome, exchanges: recorder.take(), ...(facts && { facts }) };
}

/**
 * Which kind of token this is, by decoding it (never verifying): `user`, `application` or
 * `refresh` for a JWT (passport-exbo's `decodeAccessToken`), `opaque` for anything else.
 */
export function tokenKind(token: string | undefined): string {
  if (token === undefined) return 'absent';
  try {
    return `jwt:${decodeAccessToken(token).kind}`;
  } catch {
    return token.split('.').length === 3 ? 'jwt:undecodable' : 'opaque';
  }
}

/** Runs steps one after another on one recorder and keeps their results, in order. */
export class StepLog {
  readonly results: StepResult[] = [];
  readonly #recorder: Recorder;

  constructor(recorder: Recorder) {
    this.#recorder = recorder;
  }

  /** Runs `action` (or records it as skipped, with the reason given as a string). */
  async step(name: string, action: StepAction | string): Promise<void> {
    this.results.push(await runStep(this.#recorder, name, action));
  }
}
