/**
 * A small scripted browser for HTTP-level login tests: a real cookie jar (tough-cookie), redirects
 * followed by hand so every hop can be inspected, and HTML forms submitted the way a browser would.
 */
import { CookieJar } from 'tough-cookie';
import type { Dispatcher } from 'undici';

export interface Hop {
  method: string;
  url: string;
  status: number;
  location?: string;
}

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** Every request made to get here, redirects included. */
  hops: Hop[];
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Submit buttons: name → value. */
  buttons: Array<{ name: string; value: string; label: string }>;
}

const MAX_REDIRECTS = 10;
/**
 * How long one request may take, its answer's body included. Without a deadline a server that
 * never answers hangs the test until the runner's own timeout, which does not say which request.
 */
const REQUEST_TIMEOUT_MS = 10_000;

export class Browser {
  readonly jar = new CookieJar();

  /**
   * `dispatcher`: how fetch connects, e.g. an undici Agent trusting a test CA (harness/cluster.ts)
   * for https sites; default Node's global one. `requestTimeoutMs`: each request's deadline.
   */
  constructor(
    private readonly options: { dispatcher?: Dispatcher; requestTimeoutMs?: number } = {},
  ) {}

  /** GET `url` and follow redirects. */
  get(url: string, options: { follow?: boolean } = {}): Promise<Page> {
    return this.navigate('GET', url, undefined, options.follow ?? true);
  }

  /** POST a form body to `url` and follow redirects. */
  post(url: string, fields: Record<string, string>, options: { follow?: boolean } = {}) {
    return this.navigate('POST', url, new URLSearchParams(fields), options.follow ?? true);
  }

  /**
   * Submits the page's form, pressing the submit button whose name/value or label matches
   * `button` (a browser sends only the pressed button's name=value). With `follow: false` the
   * answer to the submission itself is returned (e.g. to read a redirect's Location).
   */
  submit(
    page: Page,
    button: string,
    extra: Record<string, string> = {},
    options: { follow?: boolean } = {},
  ): Promise<Page> {
    const form = parseForm(page);
    const pressed = form.buttons.find((b) => b.value === button || b.label === button);
    if (!pressed) {
      throw new Error(`no button "${button}" in form: ${JSON.stringify(form.buttons)}`);
    }
    const fields = { ...form.fields, ...extra, [pressed.name]: pressed.value };
    const action = new URL(form.action || page.url, page.url).toString();
    if (form.method === 'get') {
      const target = new URL(action);
      for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
      return this.get(target.toString(), options);
    }
    return this.post(action, fields, options);
  }

  private async navigate(
    method: string,
    startUrl: string,
    body: URLSearchParams | undefined,
    follow: boolean,
  ): Promise<Page> {
    const hops: Hop[] = [];
    let url = startUrl;
    let currentMethod = method;
    let currentBody = body;
    for (let i = 0; i <= MAX_REDIRECTS; i++) {
      const headers: Record<string, string> = { Accept: 'text/html,application/json' };
      const cookie = await this.jar.getCookieString(url);
      if (cookie) headers.Cookie = cookie;
      if (currentBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
      const { res, text } = await this.request(url, {
        method: currentMethod,
        headers,
        body: currentBody?.toString(),
        redirect: 'manual',
        ...(this.options.dispatcher && { dispatcher: this.options.dispatcher }),
      } as RequestInit);
      for (const setCookie of res.headers.getSetCookie()) {
        await this.jar.setCookie(setCookie, url);
      }
      const location = res.headers.get('location') ?? undefined;
      hops.push({ method: currentMethod, url, status: res.status, ...(location && { location }) });
      if (follow && location && res.status >= 300 && res.status < 400) {
        url = new URL(location, url).toString();
        // 303 (and, as browsers do, 301/302 after a POST) turn into a GET.
        if (res.status !== 307 && res.status !== 308) {
          currentMethod = 'GET';
          currentBody = undefined;
        }
        continue;
      }
      return { url, status: res.status, headers: res.headers, text, hops };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${startUrl}`);
  }

  /** One request and its whole body, within the deadline; past it, an error naming the request. */
  private async request(url: string, init: RequestInit): Promise<{ res: Response; text: string }> {
    const ms = this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const signal = AbortSignal.timeout(ms);
    try {
      const res = await fetch(url, { ...init, signal });
      return { res, text: await res.text() };
    } catch (err) {
      if (!signal.aborted) throw err;
      throw new Error(`${init.method} ${url}: no answer within ${ms} ms`, { cause: err });
    }
  }
}

/** Undoes the five HTML escapes pages use in text and attribute values. */
export function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3] ?? '') : undefined;
}

/** The first form of a page: hidden/text inputs, selected options, and submit buttons. */
export function parseForm(page: Page): Form {
  const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
  if (!formMatch) throw new Error(`no form on ${page.url}:\n${page.text.slice(0, 500)}`);
  const [whole, inner = ''] = formMatch;
  const openTag = whole.slice(0, whole.indexOf('>') + 1);
  const fields: Record<string, string> = {};
  const buttons: Form['buttons'] = [];
  for (const [tag] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    const type = (attr(tag, 'type') ?? 'text').toLowerCase();
    if (!name) continue;
    if (type === 'submit') buttons.push({ name, value: attr(tag, 'value') ?? '', label: '' });
    else fields[name] = attr(tag, 'value') ?? '';
  }
  for (const match of inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    const tag = `<button${match[1]}>`;
    const name = attr(tag, 'name');
    const label = (match[2] ?? '').replace(/<[^>]+>/g, '').trim();
    if (name) buttons.push({ name, value: attr(tag, 'value') ?? '', label });
  }
  for (const match of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    const name = attr(`<select${match[1]}>`, 'name');
    const options = [...(match[2] ?? '').matchAll(/<option\b[^>]*>/gi)].map(([tag]) => tag);
    const chosen = options.find((tag) => /\sselected\b/i.test(tag)) ?? options[0];
    if (name && chosen) fields[name] = attr(chosen, 'value') ?? '';
  }
  return {
    action: attr(openTag, 'action') ?? '',
    method: (attr(openTag, 'method') ?? 'get').toLowerCase(),
    fields,
    buttons,
  };
}
