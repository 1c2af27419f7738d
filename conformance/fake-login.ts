/**
 * Logging in on one of this project's fakes without a browser: open its consent page, post its
 * form with the preselected account and the approving button, and read the code from the redirect.
 * Only the fakes can be driven like this (the real consent pages need a person); the kit uses it
 * for the fake side of each comparison, and the tests and the CI check for the "real" side too.
 */
import { ExboClient } from './packages.js';

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Opens `pageUrl`, posts its form with `button` pressed; the `code` of the redirect. */
async function approve(pageUrl: string, button: Record<string, string>): Promise<string> {
  const page = await fetch(pageUrl, { signal: AbortSignal.timeout(10_000) });
  const html = await page.text();
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
  )) {
    form.set(name!, unescapeHtml(value!));
  }
  const user = /<option value="([^"]+)" selected>/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  if (user === undefined || action === undefined) {
    throw new Error(`no consent form at ${new URL(pageUrl).pathname} (HTTP ${page.status})`);
  }
  form.set('user', unescapeHtml(user));
  for (const [name, value] of Object.entries(button)) form.set(name, value);
  const answer = await fetch(new URL(unescapeHtml(action), pageUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const code = new URL(answer.headers.get('location') ?? '', pageUrl).searchParams.get('code');
  if (!code)
    throw new Error(`the fake's consent page did not redirect with a code (HTTP ${answer.status})`);
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
  const code = await approve(url.toString(), { decision: 'approve' });
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
  return approve(url.toString(), { action: 'confirm' });
}
