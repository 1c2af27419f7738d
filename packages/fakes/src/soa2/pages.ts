/**
 * The fake's browser pages: consent, "Invalid Auth URL", "Authorization Cancelled" and the code
 * page. There are no passwords: the person (or test) picks the signed-in Scratch user on the
 * consent page, and may preselect one with a `user` query parameter (id or name).
 */
import { escapeHtml, htmlPage } from '../http.js';
import { displayName, type Soa2Application } from './clients.js';
import type { Soa2UserConfig } from './defaults.js';
import { AUTHORIZE_PATH } from './paths.js';

export interface ConsentPageInput {
  client: Soa2Application;
  redirectUri: string | undefined;
  scopes: string[];
  state: string;
  users: readonly Soa2UserConfig[];
  selectedUserId: number;
  /** Names the pending code behind this page (the fake's stand-in for SOA2's session). */
  pageId: string;
  /** An error shown above the page, e.g. {@link AUTHORIZATION_FAILED}. */
  problem?: string | undefined;
}

/** SOA2's `soa2-auth-maybe-invalid` message, shown above a fresh consent page. */
export const AUTHORIZATION_FAILED =
  'Authorization failed. Please read the page below and try again. If the problem persists, you may have been given a faulty authorization URL.';

const SCOPE_TEXT: Record<string, string> = {
  identify: 'Know your Scratch username and user ID',
};

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

/** One form posted back to the consent page, carrying the request in hidden fields. */
export function consentPage(input: ConsentPageInput): string {
  const { client, redirectUri, scopes, state, users, selectedUserId, pageId, problem } = input;
  const name = displayName(client);
  const options = users
    .map(
      (user) =>
        `<option value="${user.userId}"${user.userId === selectedUserId ? ' selected' : ''}>${escapeHtml(user.userName)}${user.authoritative === false ? ' (profile gone: /user answers 203)' : ''}</option>`,
    )
    .join('\n');
  const scopeItems = scopes
    .map((scope) => `<li>${escapeHtml(SCOPE_TEXT[scope] ?? scope)}</li>`)
    .join('\n');
  const body = `${problem === undefined ? '' : `<p class="error">${escapeHtml(problem)}</p>\n`}<h1>Authorize ${escapeHtml(name)}</h1>
<p><strong>${escapeHtml(name)}</strong> would like to:</p>
<ul>
${scopeItems}
</ul>
<form method="post" action="${AUTHORIZE_PATH}">
${hidden('authing', pageId)}
${hidden('client_id', String(client.clientId))}
${redirectUri === undefined ? '' : hidden('redirect_uri', redirectUri)}
${hidden('scopes', scopes.join(' '))}
${hidden('state', state)}
<p><label for="user">Signed in to Scratch as</label>
<select id="user" name="user">
${options}
</select></p>
<p><button name="action" value="confirm">Confirm</button>
<button name="action" value="cancel">Cancel</button></p>
</form>
<p>${
    redirectUri === undefined
      ? 'No redirect URI: you will be shown a code to paste into the application.'
      : `You will be sent back to <code>${escapeHtml(redirectUri)}</code>.`
  }</p>`;
  return htmlPage(`Authorize ${name}`, body);
}

/** What SOA2 shows for any invalid authorize parameter (HTTP 200; nothing reaches the app). */
export function invalidAuthPage(reason: string): string {
  return htmlPage(
    'Invalid Auth URL',
    `<h1>Invalid Auth URL</h1>
<p>The authorization URL is invalid. Please contact the application's developer.</p>
<p class="fake">Only the fake says why: ${escapeHtml(reason)}</p>`,
  );
}

/** Cancel never redirects back (docs/protocols/soa2.md, "Authorize"): the user stays here. */
export function cancelledPage(): string {
  return htmlPage(
    'Authorization Cancelled',
    `<h1>Authorization Cancelled</h1>
<p>You cancelled the authorization. The application has not been told; you may close this page.</p>`,
  );
}

/** The code shown when the request had no redirect_uri, for the user to paste into the app. */
export function codePage(code: string): string {
  return htmlPage(
    'Authorization code',
    `<h1>Authorization code</h1>
<p>Copy this code and paste it into the application you are signing in to:</p>
<pre id="soa2-code">${escapeHtml(code)}</pre>`,
  );
}

/** Any other problem with a browser request to the fake. */
export function problemPage(title: string, text: string): string {
  return htmlPage(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}
