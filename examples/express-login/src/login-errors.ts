/**
 * Login failures in plain words.
 *
 * The strategies report two kinds of failure: `fail` (the user said no, or the login's state did
 * not match: nothing is broken) and `error` (an OAuthError whose stable `code` says what went wrong
 * with the provider). Users get a sentence they can act on; the server log gets the precise code
 * and message (which never contain tokens or secrets). Never a stack trace in the browser.
 */
import type { Request } from 'express';
import { isOAuthError } from 'passport-exbo';

export type ProviderKey = 'exbo' | 'soa2';

export const PROVIDER_LABELS: Record<ProviderKey, string> = {
  exbo: 'EXBO',
  soa2: 'Scratch',
};

export interface LoginProblem {
  status: number;
  title: string;
  text: string;
  /** The strategy's own explanation, when it is meant for people. */
  detail?: string;
}

/**
 * A `fail` from the strategy: the user declined, the response was malformed (400), or the login's
 * state did not check out (403).
 */
export function explainFailure(
  req: Request,
  provider: ProviderKey,
  info: unknown,
  status: number | undefined,
): LoginProblem {
  const label = PROVIDER_LABELS[provider];
  const message = (info as { message?: unknown } | undefined)?.message;
  const detail = typeof message === 'string' ? { detail: message } : {};
  // EXBO sends the user back with error=access_denied when they press Deny. (SOA2 never comes
  // back on Cancel: the user stays on its "Authorization Cancelled" page.)
  if (req.query.error === 'access_denied') {
    return {
      status: 403,
      title: 'Login cancelled',
      text: `You declined the login at ${label}, so you are not signed in. You can try again whenever you like.`,
    };
  }
  if (status === 400 && req.method === 'POST') {
    // The "paste a code" form: most likely a partial copy.
    return {
      status: 400,
      title: 'That code was not accepted',
      text: `A code from ${label} is 64 characters, 0-9 and a-f. Go back, copy the whole code from ${label}'s page and paste it again.`,
      ...detail,
    };
  }
  if (status === 400) {
    return {
      status: 400,
      title: 'The login did not come back complete',
      text: `The address ${label} sent you back with was incomplete or altered. Please log in again.`,
      ...detail,
    };
  }
  return {
    status: 403,
    title: 'Your login expired',
    text: 'This login was started too long ago, in another browser, or was already used. Nothing is wrong with your account: please log in again.',
    ...detail,
  };
}

/** An `error` from the strategy (or anything else that went wrong during the login). */
export function explainError(err: unknown, provider: ProviderKey): LoginProblem {
  const label = PROVIDER_LABELS[provider];
  if (!isOAuthError(err)) {
    return {
      status: 500,
      title: 'Something went wrong',
      text: 'The login could not be finished because of a problem on this site. Please try again.',
    };
  }
  switch (err.code) {
    case 'PROVIDER_UNREACHABLE':
    case 'PROVIDER_TIMEOUT':
    case 'PROVIDER_ERROR':
    case 'PROVIDER_BAD_RESPONSE':
    case 'RATE_LIMITED':
      return {
        status: err.status,
        title: `${label} is not answering`,
        text: `${label} seems to be down or overloaded, so your login could not be finished. Please try again in a few minutes.`,
      };
    case 'CODE_REJECTED':
    case 'TOKEN_REJECTED':
      return {
        status: err.status,
        title: 'Your login expired',
        text: `${label} no longer accepts this login (it was already used or took too long). Please log in again.`,
      };
    default:
      // CLIENT_REJECTED, REQUEST_REJECTED, SCOPE_MISMATCH, SESSION_REQUIRED, AUTHORIZATION_ERROR,
      // PROXY_AUTH_REQUIRED (the outbound proxy wants other credentials):
      // nothing the user can fix; the site's settings or code need attention.
      return {
        status: err.status,
        title: `Login with ${label} is not working`,
        text: `This site's connection to ${label} is not set up correctly. The site's owner can find the details in the server log.`,
      };
  }
}

/** One line for the server log: the precise reason, without stack noise for known errors. */
export function logLine(err: unknown, provider: ProviderKey): string {
  if (isOAuthError(err)) return `Login with ${provider} failed: ${err.code}: ${err.message}`;
  return `Login with ${provider} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
