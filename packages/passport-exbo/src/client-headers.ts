/**
 * EXBO's secret-based authentication for app-level game-API calls: the application's id and secret
 * as headers instead of a bearer token (exbo.md, "Secret-based authentication"). No token is
 * requested, so nothing is replaced and nothing expires.
 *
 * These headers carry the client secret: send them to the game-API host only (never to the token
 * endpoint, never to a third party).
 */

export interface ExboClientCredentials {
  clientID: string;
  clientSecret: string;
}

/** `{ 'Client-Id': …, 'Client-Secret': … }` for a game-API request. */
export function clientSecretHeaders(credentials: ExboClientCredentials): Record<string, string> {
  const { clientID, clientSecret } = credentials ?? ({} as ExboClientCredentials);
  if (typeof clientID !== 'string' || clientID === '') {
    throw new TypeError('passport-exbo: clientID is required for Client-Id/Client-Secret headers');
  }
  if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new TypeError(
      'passport-exbo: clientSecret is required for Client-Id/Client-Secret headers',
    );
  }
  return { 'Client-Id': clientID, 'Client-Secret': clientSecret };
}
