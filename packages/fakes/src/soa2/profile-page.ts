/**
 * A stand-in for a Scratch profile's comments, for people using the fake by hand (e.g. the
 * `soa2 login` CLI against `exbo-soa2-fakes soa2`): SOA2's account login asks the user to post a
 * text as a comment on their own profile, and the fake has no Scratch. Tests use
 * `fake.postComment` instead. The page is marked as the fake's, at a path the real wiki lacks.
 */
import { escapeHtml, htmlPage, redirect, sendHtml } from '../http.js';
import type { EndpointHandler } from './context.js';
import { problemPage } from './pages.js';

/** `${PROFILE_PAGE_PATH}/{username}`: a fake Scratch user's profile comments. */
export const PROFILE_PAGE_PATH = '/fake/scratch/users';

/** The page's methods for `pathname`, or `undefined` when it is not a profile page. */
export function profileRoute(pathname: string): Record<string, EndpointHandler> | undefined {
  const prefix = `${PROFILE_PAGE_PATH}/`;
  if (!pathname.startsWith(prefix) || pathname.length === prefix.length) return undefined;
  if (pathname.slice(prefix.length).includes('/')) return undefined;
  return { GET: showProfile, POST: postComment };
}

function username(url: URL): string {
  try {
    return decodeURIComponent(url.pathname.slice(PROFILE_PAGE_PATH.length + 1));
  } catch {
    return '';
  }
}

const showProfile: EndpointHandler = (ctx, _req, res, url) => {
  const user = ctx.users.byName(username(url));
  if (!user) {
    return sendHtml(
      res,
      404,
      problemPage('No such Scratcher', 'The fake has no user by that name.'),
    );
  }
  const comments = ctx.comments
    .on(user.userName)
    .map((comment) => `<li><pre>${escapeHtml(comment)}</pre></li>`)
    .join('\n');
  const name = escapeHtml(user.userName);
  sendHtml(
    res,
    200,
    htmlPage(
      `${user.userName} on Scratch`,
      `<h1>${name}</h1>
<p>Comments on ${name}'s profile, posted as ${name}. To log in to SOA2's account API, post the
whole text <code>soa2 login</code> printed.</p>
<form method="post">
<p><textarea name="comment" rows="3" cols="60" required></textarea></p>
<p><button>Post</button></p>
</form>
<ol>
${comments}
</ol>`,
    ),
  );
};

/** Posts the form's comment, then shows the page again (POST, redirect, GET). */
const postComment: EndpointHandler = (ctx, _req, res, url, body) => {
  const user = ctx.users.byName(username(url));
  const comment = new URLSearchParams(body).get('comment');
  if (!user || !comment) {
    return sendHtml(res, 400, problemPage('Nothing posted', 'Write a comment on a known profile.'));
  }
  ctx.comments.post(user.userName, comment);
  redirect(res, 303, url.pathname);
};
