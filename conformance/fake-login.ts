/**
 * Logging in on one of this project's fakes without a browser: open its consent page, post its
 * form as the first default account with the approving button, and read the code from the redirect.
 * Only the fakes can be driven like this (the real consent pages need a person); the kit uses it
 * for the fake side of each comparison, and the tests and the CI check for the "real" side too.
 */
import { approveConsent } from '../harness/consent-form.js';
import { DEFAULT_EXBO_USERS, DEFAULT_SOA2_USERS, ExboClient } from './packages.js';

/** Opens `pageUrl`, approves as account `userId`; the `code` of the redirect. */
async function approve(pageUrl: string, userId: number): Promise<string> {
  const page = await fetch(pageUrl, { signal: AbortSignal.timeout(10_000) });
  const { action, fields } = approveConsent(await page.text(), pageUrl, userId);
  const answer = await fetch(action, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const code = new URL(answer.headers.get('location') ?? '', pageUrl).searchParams.get('code');
  if (!code) {
    throw new Error(`the fake's consent page did not redirect with a code (HTTP ${answer.status})`);
  }
  return code;
}

/** A user token pair from an EXBO fake at `baseUrl`, for a client registered there. */
export async function exboFakeLogin(
  baseUrl: string,
  client: { clientId: string; clientSecret: string; callbackUrl: string },
): Promise<{ accessToken: string; refreshToken: string }> {
  const url = new URL('/oauth/authorize', baseUrl);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.callbackUrl,
    response_type: 'code',
    scope: '',
    state: 'conformance',
  }).toString();
  const code = await approve(url.toString(), DEFAULT_EXBO_USERS[0]!.id);
  const tokens = await new ExboClient({
    baseURL: baseUrl,
    clientID: client.clientId,
    clientSecret: client.clientSecret,
    callbackURL: client.callbackUrl,
  }).exchangeCode(code);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? '' };
}

/** A fresh authorization code from an SOA2 fake at `baseUrl`. */
export function soa2FakeCode(
  baseUrl: string,
  client: { clientId: number; callbackUrl: string },
): Promise<string> {
  const url = new URL('/wiki/Special:ScratchOAuth2/authorize', baseUrl);
  url.search = new URLSearchParams({
    client_id: String(client.clientId),
    redirect_uri: client.callbackUrl,
    scopes: 'identify',
    state: 'conformance',
  }).toString();
  return approve(url.toString(), DEFAULT_SOA2_USERS[0]!.userId);
}
