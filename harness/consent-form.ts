/**
 * Approving a login on one of this project's fakes without a browser: read the consent page's one
 * form, pick the account, press its first button (Allow on EXBO, Confirm on SOA2). Both fakes render
 * that shape: hidden inputs carrying the request, a `<select name="user">`, then the buttons. Used by
 * the benchmark (which mints logins this way: the tests' scripted browser, test/helpers/browser.ts,
 * mints 2.4× slower) and by the conformance kit's fake side.
 */

const attribute = (tag: string, name: string) =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]?.replace(/&amp;/g, '&');

/** The form submission that approves the login shown in `html` for account `userId`. */
export function approveConsent(
  html: string,
  pageURL: string,
  userId: string | number,
): { action: string; fields: Record<string, string> } {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/.exec(html);
  const button = form && /<button\b[^>]*>/.exec(form[2]!)?.[0];
  if (!form || !button) throw new Error(`no consent form at ${pageURL}: ${html.slice(0, 200)}`);
  const fields: Record<string, string> = { user: String(userId) };
  for (const [input] of form[2]!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    fields[attribute(input, 'name')!] = attribute(input, 'value') ?? '';
  }
  fields[attribute(button, 'name')!] = attribute(button, 'value') ?? '';
  return { action: new URL(attribute(form[1]!, 'action') ?? '', pageURL).href, fields };
}
