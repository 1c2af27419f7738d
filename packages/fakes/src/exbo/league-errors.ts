/**
 * EXBO's OAuth server is Laravel Passport on league/oauth2-server 8.x: its errors have league's body
 * shape and league's (partly non-RFC) status/error pairs, reproduced here once for every endpoint.
 * The `error_description` texts are league's own; the hints explain the fake's reason in plain words
 * (the real server's hints are terser, and clients must not parse them).
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

export class LeagueError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly hint: string,
  ) {
    super(`${error}: ${description} (${hint})`);
    this.name = 'LeagueError';
  }

  /** league 8 body: `message` is its deprecated copy of `error_description`. */
  get body(): { error: string; error_description: string; hint: string; message: string } {
    return {
      error: this.error,
      error_description: this.description,
      hint: this.hint,
      message: this.description,
    };
  }
}

const INVALID_REQUEST_DESCRIPTION =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';

/** A parameter is missing, repeated or malformed, or the code is bad: 400 `invalid_request`. */
export function invalidRequest(parameter: string, hint?: string): LeagueError {
  return new LeagueError(
    400,
    'invalid_request',
    INVALID_REQUEST_DESCRIPTION,
    hint ?? `Check the \`${parameter}\` parameter`,
  );
}

/** Unknown client, wrong secret, or a redirect_uri not registered for the client: 401. */
export function invalidClient(hint: string): LeagueError {
  return new LeagueError(401, 'invalid_client', 'Client authentication failed', hint);
}

/** EXBO has no scopes at all, so any non-empty scope is unknown to it. */
export function invalidScope(scope: string): LeagueError {
  return new LeagueError(
    400,
    'invalid_scope',
    'The requested scope is invalid, unknown, or malformed',
    `Check the \`${scope}\` scope`,
  );
}

/** Unknown or missing grant_type, which is also what a body that is not a form ends up as. */
export function unsupportedGrantType(
  hint = 'Check that all required parameters have been provided',
): LeagueError {
  return new LeagueError(
    400,
    'unsupported_grant_type',
    'The authorization grant type is not supported by the authorization server.',
    hint,
  );
}

/** league's non-RFC answer for any unusable refresh token: 401 with `invalid_request`. */
export function invalidRefreshToken(hint: string): LeagueError {
  return new LeagueError(401, 'invalid_request', 'The refresh token is invalid.', hint);
}

/** Sent back to the redirect_uri when the user presses Deny. */
export const ACCESS_DENIED = {
  error: 'access_denied',
  description: 'The resource owner or authorization server denied the request.',
  hint: 'The user denied the request',
} as const;

export function sendLeagueError(res: ServerResponse, err: LeagueError): void {
  sendJson(res, err.status, err.body);
}
