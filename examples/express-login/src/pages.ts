/**
 * The app's HTML: small template functions, no template engine. Every value that comes from a
 * user, a provider or a URL goes through `escapeHtml` (a Scratch or EXBO username is user input).
 */
import type { ExboCharacter, ExboRegion } from 'passport-exbo/game-api';
import { EXBO_REGIONS } from 'passport-exbo/game-api';
import { CSRF_FIELD } from './csrf.js';
import { type LoginProblem, PROVIDER_LABELS, type ProviderKey } from './login-errors.js';
import type { AppUser } from './user.js';

/** What every page needs to know about the request. */
export interface PageContext {
  demo: boolean;
  user: AppUser | undefined;
  /** The session's CSRF token, for the logout form (only when signed in). */
  csrfToken: string | undefined;
  /** Which login buttons to offer. */
  logins: LoginOptions;
  /** A one-time message (an account was linked or unlinked). */
  notice?: string;
}

export interface LoginOptions {
  exbo: boolean;
  /** Scratch with a redirect back to this app. */
  soa2: boolean;
  /** Scratch where the user pastes the code SOA2 shows them. */
  soa2Paste: boolean;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; color: #1f2328; line-height: 1.5; }
header { display: flex; align-items: center; gap: 1rem; border-bottom: 1px solid #d0d7de; padding-bottom: .75rem; margin-bottom: 1.5rem; }
header nav { flex: 1; display: flex; gap: 1rem; }
header form { margin: 0; }
.demo { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .75rem 1rem; margin-bottom: 1.5rem; }
.problem { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: .75rem 1rem; }
.problem p { margin: .25rem 0; }
.notice { background: #dafbe1; border: 1px solid #4ac26b; border-radius: 6px; padding: .75rem 1rem; }
td form { margin: 0; }
.logins { display: flex; flex-direction: column; gap: .75rem; max-width: 22rem; }
.button, button { display: inline-block; font: inherit; font-weight: 600; text-align: center; text-decoration: none; color: #fff; background: #1f2328; border: 0; border-radius: 6px; padding: .6rem 1.2rem; cursor: pointer; }
.button.soa2 { background: #855cd6; }
.button.secondary, button.secondary { background: #eaeef2; color: #1f2328; }
.button.disabled { background: #eaeef2; color: #8c959f; cursor: not-allowed; }
.hint { font-size: .9rem; color: #59636e; margin: -.25rem 0 0; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: .3rem 1rem .3rem 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
code, input[type=text] { font-family: ui-monospace, monospace; }
input[type=text] { font-size: 1rem; padding: .4rem; width: 100%; box-sizing: border-box; }
`;

function layout(ctx: PageContext, title: string, main: string): string {
  const account = ctx.user
    ? `<span>Signed in as <strong>${escapeHtml(ctx.user.username)}</strong></span>
<form method="post" action="/logout">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(ctx.csrfToken ?? '')}">
<button type="submit" class="secondary">Log out</button>
</form>`
    : '<a href="/login">Log in</a>';
  const demo = ctx.demo
    ? `<p class="demo" role="note"><strong>Demo providers.</strong> EXBO and Scratch are local fakes
started by this app, so no real account is used and nothing leaves this machine. To use the real
providers, set the EXBO_* and SOA2_* settings (see examples/express-login/.env.example).</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Login example</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<nav><a href="/">Home</a><a href="/private">Private page</a>${ctx.user?.identities.some((i) => i.provider === 'exbo') ? '<a href="/characters">Characters</a>' : ''}</nav>
${account}
</header>
${demo}
${ctx.notice ? `<p class="notice" role="status">${escapeHtml(ctx.notice)}</p>` : ''}
<main>
<h1>${escapeHtml(title)}</h1>
${main}
</main>
</body>
</html>
`;
}

function withReturnTo(path: string, returnTo: string | undefined): string {
  return returnTo === undefined ? path : `${path}?returnTo=${encodeURIComponent(returnTo)}`;
}

/** The login buttons. Each is a plain link: starting a login changes nothing on this site. */
function loginButtons(logins: LoginOptions, returnTo: string | undefined): string {
  const buttons: string[] = [];
  buttons.push(
    logins.exbo
      ? `<a class="button" href="${escapeHtml(withReturnTo('/auth/exbo', returnTo))}">Login with EXBO</a>`
      : '<span class="button disabled">Login with EXBO (not configured)</span>',
  );
  if (logins.soa2) {
    buttons.push(
      `<a class="button soa2" href="${escapeHtml(withReturnTo('/auth/soa2', returnTo))}">Login with Scratch</a>`,
    );
  }
  if (logins.soa2Paste) {
    buttons.push(
      `<a class="button soa2" href="${escapeHtml(withReturnTo('/auth/soa2-paste', returnTo))}">Login with Scratch (paste a code)</a>`,
    );
  }
  if (!logins.soa2 && !logins.soa2Paste) {
    buttons.push('<span class="button disabled">Login with Scratch (not configured)</span>');
  } else {
    // SOA2 has no "access denied" redirect: Cancel leaves the user on its own page.
    buttons.push(
      `<p class="hint">If you press Cancel on Scratch's page, it does not send you back here:
use your browser's Back button, or open this site's address again.</p>`,
    );
  }
  return `<div class="logins">\n${buttons.join('\n')}\n</div>`;
}

export function homePage(ctx: PageContext): string {
  if (!ctx.user) {
    return layout(
      ctx,
      'Welcome',
      `<p>You are not signed in. Choose how to log in:</p>\n${loginButtons(ctx.logins, undefined)}`,
    );
  }
  const user = ctx.user;
  const rows: Array<[string, string]> = [
    ['Provider', PROVIDER_LABELS[user.provider]],
    ['Username', user.username],
    ['Display name', user.displayName],
    ['ID', user.id],
  ];
  if (user.authoritative !== undefined) {
    rows.push([
      'Authoritative',
      user.authoritative
        ? 'yes (Scratch confirms this profile exists)'
        : 'no (SOA2 knows this user, but Scratch no longer shows the profile: banned, deleted or renamed)',
    ]);
  }
  const table = rows
    .map(([name, value]) => `<tr><th>${name}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  return layout(
    ctx,
    `Hello, ${user.displayName}`,
    `<p>You are signed in. This is what the app knows about you:</p>
<table>
${table}
</table>
${linkedAccounts(ctx)}
<p><a href="/private">Open the private page</a></p>`,
  );
}

/** The accounts linked to the signed-in user, each with an Unlink button, and links to add more. */
function linkedAccounts(ctx: PageContext): string {
  const user = ctx.user as AppUser;
  const only = user.identities.length === 1;
  const rows = user.identities
    .map((identity) => {
      const label = PROVIDER_LABELS[identity.provider];
      const unlink = only
        ? '<span class="hint">your only login: link another account to unlink it</span>'
        : `<form method="post" action="/unlink">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(ctx.csrfToken ?? '')}">
<input type="hidden" name="provider" value="${identity.provider}">
<button type="submit" class="secondary">Unlink ${label}</button>
</form>`;
      return `<tr><td>${label}</td><td>${escapeHtml(identity.username)}</td><td>${escapeHtml(identity.id)}</td><td>${unlink}</td></tr>`;
    })
    .join('\n');
  const linked = new Set(user.identities.map((identity) => identity.provider));
  const offers: string[] = [];
  const offer = (provider: ProviderKey, href: string, text: string) => {
    if (!linked.has(provider))
      offers.push(`<a class="button secondary" href="${href}">${text}</a>`);
  };
  if (ctx.logins.exbo) offer('exbo', '/link/exbo', 'Link an EXBO account');
  if (ctx.logins.soa2) offer('soa2', '/link/soa2', 'Link a Scratch account');
  else if (ctx.logins.soa2Paste) offer('soa2', '/link/soa2-paste', 'Link a Scratch account');
  const characters = linked.has('exbo')
    ? '<p><a href="/characters">Your STALCRAFT characters</a> (read with your stored EXBO token)</p>'
    : '';
  return `<h2>Linked accounts</h2>
<table class="identities">
<tr><th>Provider</th><th>Account</th><th>ID</th><th></th></tr>
${rows}
</table>
${offers.length > 0 ? `<p>${offers.join(' ')}</p>` : ''}
${characters}`;
}

export interface CharactersView {
  region: ExboRegion;
  /** False: the user has no EXBO account linked. */
  linked: boolean;
  characters?: ExboCharacter[];
  /** Why the characters could not be read. */
  problem?: string;
}

/** The signed-in user's STALCRAFT characters in one region, with a region switcher. */
export function charactersPage(ctx: PageContext, view: CharactersView): string {
  if (!view.linked) {
    return layout(
      ctx,
      'STALCRAFT characters',
      `<div class="problem" role="alert"><p>Link an EXBO account to see your STALCRAFT characters.</p></div>
${ctx.logins.exbo ? '<p><a class="button" href="/link/exbo">Link an EXBO account</a></p>' : ''}`,
    );
  }
  const regions = EXBO_REGIONS.map((region) =>
    region === view.region
      ? `<strong>${region}</strong>`
      : `<a href="/characters?region=${region}">${region}</a>`,
  ).join(' ');
  let body: string;
  if (view.problem !== undefined) {
    body = `<div class="problem" role="alert"><p>${escapeHtml(view.problem)}</p></div>`;
  } else if (!view.characters || view.characters.length === 0) {
    body = `<p>You have no characters in ${view.region}.</p>`;
  } else {
    const rows = view.characters
      .map((character) => {
        const clan = character.clan
          ? `${escapeHtml(character.clan.info.name)} [${escapeHtml(character.clan.info.tag)}], ${escapeHtml(character.clan.member.rank)}`
          : '';
        return `<tr><td>${escapeHtml(character.information.name)}</td><td>${clan}</td><td>${escapeHtml(character.information.creationTime.slice(0, 10))}</td></tr>`;
      })
      .join('\n');
    body = `<table class="characters">
<tr><th>Character</th><th>Clan</th><th>Created</th></tr>
${rows}
</table>`;
  }
  return layout(
    ctx,
    'STALCRAFT characters',
    `<p>Region: ${regions}</p>
${body}`,
  );
}

export function loginPage(ctx: PageContext, returnTo: string | undefined): string {
  const intro = returnTo
    ? `<p>Please log in to continue to <code>${escapeHtml(returnTo)}</code>.</p>`
    : '<p>Choose how to log in:</p>';
  return layout(ctx, 'Log in', `${intro}\n${loginButtons(ctx.logins, returnTo)}`);
}

export function privatePage(ctx: PageContext, user: AppUser): string {
  return layout(
    ctx,
    'Private page',
    `<p>Only signed-in users can see this page. You are
<strong>${escapeHtml(user.username)}</strong> (${PROVIDER_LABELS[user.provider]}).</p>`,
  );
}

export function loginFailedPage(ctx: PageContext, problem: LoginProblem): string {
  const detail = problem.detail ? `<p class="hint">${escapeHtml(problem.detail)}</p>` : '';
  return layout(
    ctx,
    problem.title,
    `<div class="problem" role="alert"><p>${escapeHtml(problem.text)}</p>${detail}</div>
<h2>Try again</h2>
${loginButtons(ctx.logins, undefined)}`,
  );
}

/** The no-redirect mode of SOA2: the user gets a code on SOA2's site and pastes it here. */
export function pasteCodePage(
  ctx: PageContext,
  form: {
    consentURL: string;
    action: string;
    state: string;
    problem?: string;
    /** Linking the account to the signed-in user rather than logging in. */
    purpose?: 'login' | 'link';
  },
): string {
  const problem = form.problem
    ? `<p class="problem" role="alert">${escapeHtml(form.problem)}</p>`
    : '';
  return layout(
    ctx,
    'Paste your Scratch code',
    `${problem}<ol>
<li><a href="${escapeHtml(form.consentURL)}" target="_blank" rel="noopener">Open Scratch's login page</a>
(a new tab) and press <em>Confirm</em>.</li>
<li>Scratch shows you a code. Copy it, come back to this tab and paste it below.</li>
</ol>
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="state" value="${escapeHtml(form.state)}">
<label for="code">Code from Scratch</label>
<input type="text" id="code" name="code" autocomplete="off" spellcheck="false" required>
<p><button type="submit">${form.purpose === 'link' ? 'Link account' : 'Log in'}</button></p>
</form>`,
  );
}

export function errorPage(ctx: PageContext, status: number, title: string, text: string): string {
  return layout(
    ctx,
    title,
    `<div class="problem" role="alert"><p>${escapeHtml(text)}</p></div>
<p><a href="/">Back to the home page</a> <span class="hint">(error ${status})</span></p>`,
  );
}
