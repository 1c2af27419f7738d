/**
 * A minimal HTTP load balancer in front of several app instances, as a deployment has: the browser
 * only ever sees the balancer's address, and each request may land on any instance. By default it
 * goes round-robin per request (the harshest case for shared sessions: consecutive steps of one
 * login hit different instances); `pin(i)` sends everything to instance `i` until unpinned.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Balancer {
  /** `http://localhost:<port>`: the public address the apps' callback URLs use. */
  url: string;
  port: number;
  /**
   * The instances' own URLs. Starts empty: the instances need the balancer's address for their
   * callback URLs, so they start after it and are added here.
   */
  targets: string[];
  /** Requests each instance received through the balancer, by index in `targets`. */
  counts: number[];
  /** Sends every request to instance `index` (`undefined`: back to round-robin). */
  pin(index: number | undefined): void;
  close(): Promise<void>;
}

/**
 * Listens on a free port of 127.0.0.1, published as `localhost` (browsers then keep the app's
 * cookies apart from the fakes' on 127.0.0.1).
 */
export async function startBalancer(): Promise<Balancer> {
  const targets: string[] = [];
  const counts: number[] = [];
  // Idle connections to the instances are dropped after 2 s, before the instances' own 5 s
  // keep-alive timeout closes them under our feet.
  const agent = new Agent({ keepAlive: true, timeout: 2000 });
  let next = 0;
  let pinned: number | undefined;
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, retried = false) => {
    if (targets.length === 0) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('No instance is running.');
      return;
    }
    const index = pinned ?? next++ % targets.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const target = new URL(targets[index] as string);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        agent,
        // Host is kept (the app builds same-origin checks from it); the proxy headers say what
        // the app's TRUST_PROXY setting lets it believe.
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
          'x-forwarded-proto': 'http',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the instance closed just as we reused it: nothing reached the app,
      // so a GET goes again on a fresh connection, as proxies do.
      const safe = req.method === 'GET' || req.method === 'HEAD';
      if (safe && upstream.reusedSocket && err.code === 'ECONNRESET' && !retried) {
        return forward(req, res, true);
      }
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`Bad gateway: the instance did not answer (${err.code ?? err.message}).`);
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => forward(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    targets,
    counts,
    pin: (index) => {
      pinned = index;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
