/**
 * Reading request parameters the strict way. PHP quietly keeps the last of repeated parameters and
 * Laravel also parses JSON bodies; the fake rejects both, so a client that passes here sends exactly
 * one of each parameter in the documented encoding.
 */
import type { IncomingMessage } from 'node:http';
import { invalidRequest } from './league-errors.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** True when the request declares a form body (any charset parameter allowed). */
export function isFormRequest(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.split(';')[0]?.trim().toLowerCase() === FORM_TYPE;
}

/**
 * The body's parameters when it is a form, otherwise none: the token endpoint reads neither JSON
 * bodies nor the query string, so such a request simply lacks every parameter.
 */
export function formParams(req: IncomingMessage, body: string): URLSearchParams {
  return isFormRequest(req) ? new URLSearchParams(body) : new URLSearchParams();
}

/** One parameter: `undefined` when absent, a 400 `invalid_request` when given more than once. */
export function optionalParam(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) {
    throw invalidRequest(name, `Check the \`${name}\` parameter: it was given more than once`);
  }
  return values[0];
}

/** One parameter that must be present (an empty value counts as present, as in league). */
export function requiredParam(params: URLSearchParams, name: string): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw invalidRequest(name);
  return value;
}
