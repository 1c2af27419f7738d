/**
 * The fake's stand-in for EXBO's login + consent screen. There are no passwords: the person (or test)
 * picks one of the configured accounts and presses Allow or Deny. One form, posted back to
 * `/oauth/authorize`, carrying the request in hidden fields plus the page's nonce.
 */
import { escapeHtml, htmlPage } from '../http.js';
import type { ExboClientConfig, ExboUserConfig } from './defaults.js';

export interface ConsentPageInput {
  client: ExboClientConfig;
  redirectUri: string;
  state: string | undefined;
  nonce: string;
  users: readonly ExboUserConfig[];
  selectedUserId: number;
}

export function consentPage(input: ConsentPageInput): string {
  const { client, redirectUri, state, nonce, users, selectedUserId } = input;
  const clientName = client.name ?? `EXBO app ${client.clientId}`;
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const options = users
    .map(
      (user) =>
        `<option value="${user.id}"${user.id === selectedUserId ? ' selected' : ''}>${escapeHtml(user.login)}</option>`,
    )
    .join('\n');
  const body = `<h1>EXBO</h1>
<p><strong>${escapeHtml(clientName)}</strong> wants to sign you in with your EXBO account.</p>
<p>It will see your account's id, UUID, login, display name and distributor.</p>
<form method="post" action="/oauth/authorize">
${hidden('nonce', nonce)}
${hidden('client_id', client.clientId)}
${hidden('redirect_uri', redirectUri)}
${state === undefined ? '' : hidden('state', state)}
<p><label for="user">Sign in as</label>
<select id="user" name="user">
${options}
</select></p>
<p><button name="decision" value="approve">Allow</button>
<button name="decision" value="deny">Deny</button></p>
</form>
<p>You will be sent back to <code>${escapeHtml(redirectUri)}</code>.</p>`;
  return htmlPage(`EXBO: authorize ${clientName}`, body);
}
