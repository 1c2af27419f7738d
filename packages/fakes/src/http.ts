/**
 * The small HTTP toolkit both fakes share: a server on 127.0.0.1 that can be closed promptly,
 * body reading with a size cap, JSON/HTML/redirect answers, and one page layout.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A fake listening on loopback: its base URL and how to stop it. */
export interface RunningFake {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** Where a fake listens; by default a free port on 127.0.0.1. */
export interface ListenOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number | undefined;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string | undefined;
}

/** Starts `handler` on a loopback port. A throw inside the handler answers 500, never crashes. */
export async function startHttpServer(
  handler: Handler,
  options: ListenOptions = {},
): Promise<RunningFake> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    Promise.resolve()
      .then(() => handler(req, res, url))
      .catch((err: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, { error: 'fake_internal_error', message: String(err) });
        } else {
          res.destroy();
        }
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export class BodyTooLargeError extends Error {}

/** Reads the whole request body as UTF-8 text (default cap 64 KiB). */
export function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  });
  res.end(html);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function redirect(res: ServerResponse, status: 302 | 303, location: string): void {
  res.writeHead(status, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' });
  res.end();
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One page layout for both fakes' browser pages, marked as a fake so nobody mistakes it. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
.fake { background: #fff3cd; border: 1px solid #e0c36c; padding: .5rem .75rem; border-radius: 4px; font-size: .9rem; }
button { font-size: 1rem; padding: .5rem 1.25rem; margin-right: .5rem; cursor: pointer; }
select { font-size: 1rem; padding: .25rem; }
</style>
</head>
<body>
<p class="fake">Local fake provider for development and tests: not the real service.</p>
${body}
</body>
</html>
`;
}
