/**
 * Error answers as SOA2 and MediaWiki send them (docs/protocols/soa2.md, "Error bodies"). SOA2's
 * own errors are `{"httpCode": 404, "httpReason": "Not Found"}` and nothing else; MediaWiki's
 * (unknown route, wrong method, missing Content-Type) add a message in several keys.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
};

/** An error raised by SOA2 itself. */
export function sendSoa2Error(res: ServerResponse, status: number): void {
  sendJson(res, status, { httpCode: status, httpReason: REASONS[status] ?? 'Error' });
}

/** An error raised by MediaWiki's REST framework around SOA2. */
export function sendMediaWikiError(
  res: ServerResponse,
  status: number,
  messageKey: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    {
      messageTranslations: { en: message },
      error: messageKey,
      message,
      httpCode: status,
      httpReason: REASONS[status] ?? 'Error',
    },
    headers,
  );
}
