/**
 * Approving a login on a fake's consent page the way a person does: read the page's one form, pick
 * the account, press its first button (Allow on EXBO, Confirm on SOA2). Both fakes render the same
 * shape: hidden inputs carrying the request, a `<select name="user">`, then the buttons.
 *
 * Not test/helpers/browser.ts's form parser: the bench is compiled on its own (`tsc -p bench`) and
 * runs as plain node, outside the test tree and its dependencies (tough-cookie).
 */

export interface ConsentSubmission {
  /** Absolute URL the form posts to. */
  action: string;
  fields: Record<string, string>;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
}

/** The submission that approves the login for account `userId`; throws if the page has no form. */
export function approveConsent(html: string, pageURL: string, userId: number): ConsentSubmission {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no consent form at ${pageURL}: ${html.slice(0, 200)}`);
  const formTag = form[0].slice(0, form[0].indexOf('>') + 1);
  const fields: Record<string, string> = {};
  for (const [input] of form[1]!.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(input, 'name');
    if (name !== undefined && attribute(input, 'type') === 'hidden') {
      fields[name] = attribute(input, 'value') ?? '';
    }
  }
  fields.user = String(userId);
  const button = /<button\b[^>]*>/.exec(form[1]!);
  const buttonName = button ? attribute(button[0], 'name') : undefined;
  if (!button || buttonName === undefined) throw new Error(`no button in the form at ${pageURL}`);
  fields[buttonName] = attribute(button[0], 'value') ?? '';
  return { action: new URL(attribute(formTag, 'action') ?? '', pageURL).toString(), fields };
}
