/**
 * The HTTP transport both strategies use to talk to their provider.
 *
 * Why not node-oauth (passport-oauth2's transport): it has no timeout, decodes bodies chunk by chunk
 * (a Cyrillic login split across two TCP chunks turns into U+FFFD), follows no Accept convention and
 * puts tokens in query strings. Here: one deadline covering connect, headers and body,
 * `Accept: application/json`, the whole body decoded once as UTF-8, redirects never followed (a
 * redirect from an API is an answer we report, not a place to go), and a size cap on bodies. The
 * bytes go out through `node:http` with kept-alive connections, or through an injected `fetch`
 * (senders.ts says why not the global fetch by default). With a `proxy`, `node:http` connections
 * go through a CONNECT tunnel (proxy-tunnel.ts). `NODE_DEBUG=passport-<provider>` logs every request
 * (debug-log.ts).
 */
import { type ConnectionOptions, connectionOptions } from './connection-options.js';
import { type DebugLog, debugLogOf, pathWithoutQueryValues } from './debug-log.js';
import { OAuthError } from './errors.js';
import { BodyTooLargeError, Exchange } from './exchange.js';
import { type ProxyEnv, ProxyError, type ProxySettings, proxySettings } from './proxy-settings.js';
import { answerSecrets, bodyExcerpt } from './redact.js';
import {
  type Answer,
  failingSender,
  fetchSender,
  nodeHttpSender,
  proxiedSender,
  type Sender,
} from './senders.js';

/** How a {@link Transport} names its provider, identifies itself and bounds each request. */
export interface TransportOptions extends ConnectionOptions {
  /** Provider name used in errors, e.g. `'exbo'`. */
  provider: string;
  /** Human name used in messages, e.g. `'EXBO'`. */
  providerLabel: string;
  /** Sent as `User-Agent`, e.g. `'passport-exbo/0.1.0'`; its package part names option errors. */
  userAgent: string;
  /** Bodies longer than this are refused (bytes). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** The environment `proxy: 'env'` reads (proxy-settings.ts `proxyEnv`). Default `process.env`, now. */
  env?: ProxyEnv | undefined;
}

/** One request for {@link Transport.request}; give at most one of `form` and `json`. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Values that must never appear in an error (secrets, codes, tokens sent in this request). */
  secrets?: readonly (string | undefined)[];
  /** What this request is for, used in messages: "the token request", "the profile request". */
  purpose: string;
}

/** A provider's whole answer, whatever its status: judging it is the caller's job. */
export interface HttpResponse {
  status: number;
  /** The answer's headers (built when first read). */
  headers: Headers;
  /** The whole body, decoded once as UTF-8. */
  text: string;
  /** The parsed body when it is JSON, otherwise `undefined`. */
  json: unknown;
}

/** Deadline of each provider request when no `timeout` option is given: 10 seconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Sends requests to one provider: a deadline on every request, `Accept: application/json`, the
 * whole body decoded once as UTF-8, redirects returned instead of followed, bodies size-capped.
 * Failures to get an answer become {@link OAuthError}s (`PROVIDER_TIMEOUT`,
 * `PROVIDER_UNREACHABLE`, `PROVIDER_BAD_RESPONSE` for an oversized body); any status is returned.
 * The constructor throws a `RangeError` (`ERR_INVALID_ARG_VALUE`) for a non-positive `timeout`.
 */
export class Transport {
  readonly provider: string;
  readonly providerLabel: string;
  readonly timeout: number;
  private readonly send: Sender;
  private readonly userAgent: string;
  private readonly maxBodyBytes: number;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly debug: DebugLog;

  constructor(options: TransportOptions) {
    const owner = options.userAgent.split('/')[0] ?? options.userAgent;
    const connection = connectionOptions(owner, options);
    const timeout = connection.timeout ?? DEFAULT_TIMEOUT_MS;
    this.provider = options.provider;
    this.providerLabel = options.providerLabel;
    this.userAgent = options.userAgent;
    this.timeout = timeout;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.send = chooseSender(connection, timeout, options.env);
    this.debug = debugLogOf(this.provider);
  }

  /** Sends one request and reads the whole answer; throws only {@link OAuthError}. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      ...req.headers,
    };
    let body: string | undefined;
    if (req.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = formBody(req.form);
    } else if (req.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.json);
    }

    const exchange = new Exchange(this.timeout, this.maxBodyBytes);
    const started = this.debug.enabled ? performance.now() : 0;
    try {
      const answer = await this.send(req.url, { method: req.method, headers, body }, exchange);
      if (this.debug.enabled) this.logAnswer(req, answer, started);
      const text = this.decoder.decode(answer.body);
      const json = parseJson(text);
      const problem = jsonShapeProblem(json);
      if (problem !== undefined) {
        throw new OAuthError(
          'PROVIDER_BAD_RESPONSE',
          `${this.providerLabel} answered ${req.purpose} with HTTP ${answer.status} and JSON ${problem}`,
          { provider: this.provider, upstreamStatus: answer.status },
        );
      }
      return new ProviderAnswer(answer.status, text, json, answer.headers);
    } catch (err) {
      const error = err instanceof OAuthError ? err : this.toOAuthError(err, req, exchange);
      if (this.debug.enabled) this.logFailure(req, error, started);
      throw error;
    } finally {
      exchange.finish();
    }
  }

  /**
   * The error for an answer the caller's protocol does not expect: `PROVIDER_ERROR` for a 5xx,
   * `PROVIDER_BAD_RESPONSE` otherwise, with a redacted excerpt of the body.
   */
  unexpected(
    res: HttpResponse,
    purpose: string,
    what: string,
    secrets: readonly (string | undefined)[] = [],
  ): OAuthError {
    const serverFailed = res.status >= 500;
    const type = res.headers.get('content-type') ?? 'no content type';
    const location = res.status >= 300 && res.status < 400 ? ' (a redirect)' : '';
    return new OAuthError(
      serverFailed ? 'PROVIDER_ERROR' : 'PROVIDER_BAD_RESPONSE',
      `${this.providerLabel} answered ${purpose} with HTTP ${res.status}${location}, ${type}: ${what}`,
      {
        provider: this.provider,
        upstreamStatus: res.status,
        bodyExcerpt: bodyExcerpt(res.text, secrets),
        redact: answerSecrets(res.text, secrets),
      },
    );
  }

  /** One debug line per answer: what was asked, what came back, how long, over which connection. */
  private logAnswer(req: HttpRequest, answer: Answer, started: number): void {
    const type = answer.headers().get('content-type')?.split(';')[0] ?? 'no content type';
    const connection =
      answer.reused === undefined
        ? 'through fetch'
        : answer.reused
          ? 'reused connection'
          : 'new connection';
    this.debug(
      `${this.requestLine(req)} -> ${answer.status} ${type} ${answer.body.byteLength} bytes ` +
        `${Math.round(performance.now() - started)} ms, ${connection}${this.viaText(req.url)}`,
    );
  }

  private logFailure(req: HttpRequest, error: OAuthError, started: number): void {
    this.debug(
      `${this.requestLine(req)} -> failed after ${Math.round(performance.now() - started)} ms: ` +
        `${error.code}: ${error.message}`,
    );
  }

  private requestLine(req: HttpRequest): string {
    return `${this.providerLabel} ${req.method} ${safeHost(req.url)}${pathWithoutQueryValues(req.url)} (${req.purpose})`;
  }

  /** `, via proxy host:port` or `, direct`: only for debug lines and errors. */
  private viaText(url: string): string {
    const via = this.send.via?.(url);
    return via ? `, via proxy ${via}` : this.send.via ? ', direct' : '';
  }

  private toOAuthError(err: unknown, req: HttpRequest, exchange: Exchange): OAuthError {
    // Set once the status line arrived: a failure after it broke off an answer (truncated body,
    // connection reset mid-body, body dripping past the deadline), which the message says.
    const answeredStatus = exchange.status;
    if (err instanceof BodyTooLargeError) {
      return new OAuthError(
        'PROVIDER_BAD_RESPONSE',
        `${this.providerLabel} sent an answer larger than ${err.maxBytes} bytes to ${req.purpose}`,
        { provider: this.provider, upstreamStatus: answeredStatus },
      );
    }
    const proxy = err instanceof ProxyError ? err : undefined;
    const via = proxy?.proxy ?? this.send.via?.(req.url);
    const host = safeHost(req.url);
    const label = this.providerLabel;
    const throughProxy = via ? ` through the proxy at ${via}` : '';
    const answered = answeredStatus !== undefined;
    const upstream = answered ? { upstreamStatus: answeredStatus } : {};
    if (exchange.expired) {
      return new OAuthError(
        'PROVIDER_TIMEOUT',
        answered
          ? `${label} did not finish its answer to ${req.purpose} within ${this.timeout} ms (HTTP ${answeredStatus}, ${host})${throughProxy}`
          : `${label} did not answer ${req.purpose} within ${this.timeout} ms (${host})${throughProxy}`,
        { provider: this.provider, ...upstream },
      );
    }
    if (proxy?.proxyStatus === 407 || proxy?.proxyStatus === 401) {
      // Wrong or missing proxy credentials: retrying cannot help, the configuration must change.
      // 407 is the standard answer; tinyproxy 1.11 answers a wrong password with 401, which to a
      // CONNECT can only be about the proxy's own credentials (the provider was not reached).
      return new OAuthError(
        'PROXY_AUTH_REQUIRED',
        `The proxy at ${proxy.proxy} refused ${req.purpose} to ${label} (${host}) with HTTP ${proxy.proxyStatus}: ` +
          'its credentials are missing or wrong (give them in the proxy URL: http://user:password@host:port)',
        { provider: this.provider, cause: err },
      );
    }
    const reason = networkReason(err);
    return new OAuthError(
      'PROVIDER_UNREACHABLE',
      answered
        ? `${label} broke off its answer to ${req.purpose} (HTTP ${answeredStatus}, ${host})${throughProxy}: ${reason}`
        : `${label} could not be reached for ${req.purpose} (${host})${throughProxy}: ${reason}`,
      { provider: this.provider, cause: err, redact: req.secrets ?? [], ...upstream },
    );
  }
}

/**
 * An {@link HttpResponse} whose headers are built on first read. A class, not an object literal
 * with a getter: V8 creates such literals on a slow path, ~20 µs per request on Node 20.
 */
class ProviderAnswer implements HttpResponse {
  #headers: Headers | undefined;

  constructor(
    readonly status: number,
    readonly text: string,
    readonly json: unknown,
    private readonly readHeaders: () => Headers,
  ) {}

  get headers(): Headers {
    this.#headers ??= this.readHeaders();
    return this.#headers;
  }
}

/**
 * `application/x-www-form-urlencoded`, as `URLSearchParams` would write it except that a space is
 * `%20` (the same to every form parser), with half its CPU and fewer objects on Node 20. A lone
 * surrogate becomes U+FFFD, as there (`node:querystring` would merge it with the next character).
 */
function formBody(form: Record<string, string>): string {
  let body = '';
  for (const [name, value] of Object.entries(form)) {
    if (body !== '') body += '&';
    body += `${encodeURIComponent(name.toWellFormed())}=${encodeURIComponent(value.toWellFormed())}`;
  }
  return body;
}

/**
 * The sender for checked connection options (connection-options.ts): the injected `fetch`; else
 * `node:http`, through a proxy when one is set (explicitly, or by the environment under `'env'`,
 * read now). Without a proxy nothing of proxy-tunnel.ts is loaded and requests pay nothing for
 * the option. A broken proxy variable fails each request with its message, not the constructor:
 * an app's start-up does not depend on a shell variable it never meant for us.
 */
function chooseSender(options: ConnectionOptions, timeout: number, env?: ProxyEnv): Sender {
  // Checked by connectionOptions: a proxy URL never comes with a fetch.
  if (options.fetch) return fetchSender(options.fetch);
  let settings: ProxySettings | undefined;
  try {
    settings = proxySettings(options.proxy ?? 'env', env);
  } catch (err) {
    return failingSender(err as Error);
  }
  return settings ? proxiedSender(settings, timeout) : nodeHttpSender();
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Bounds on the JSON a provider may send. `JSON.parse` itself copes with any nesting, but what
 * the app does next does not: an app that keeps the profile in its session serialises
 * `profile._json` recursively, and 100,000 levels (under 1 MiB) overflow the stack there. Real
 * answers are a few levels deep (the game API's about six) with at most a few thousand values.
 */
const MAX_JSON_DEPTH = 64;
/** Object members and array elements, counted together over the whole answer. */
const MAX_JSON_VALUES = 100_000;

/** Why `json` is beyond those bounds, or `undefined` when it is not (checked without recursion). */
function jsonShapeProblem(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const stack: Array<{ value: object; depth: number }> = [{ value: json, depth: 1 }];
  let values = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
    const inner = Array.isArray(item.value) ? item.value : Object.values(item.value);
    values += inner.length;
    if (values > MAX_JSON_VALUES) return `of more than ${MAX_JSON_VALUES} values`;
    for (const value of inner) {
      if (value !== null && typeof value === 'object') stack.push({ value, depth: item.depth + 1 });
    }
  }
  return undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

/** The most specific reason undici gives: `fetch failed` wraps the system error in `cause`. */
function networkReason(err: unknown): string {
  let current: unknown = err;
  let reason = 'network error';
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    reason =
      typeof code === 'string' && !current.message.includes(code)
        ? `${code}: ${current.message}`
        : current.message;
    current = current.cause;
  }
  return reason;
}
