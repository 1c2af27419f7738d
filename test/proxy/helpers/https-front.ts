/**
 * HTTPS in front of the HTTP fakes: a run-time test CA made with openssl, a certificate it signs
 * for 127.0.0.1, and a TLS server that passes each decrypted connection to a fake's port, as a
 * provider's TLS-terminating load balancer would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';

export interface TestCA {
  /** The CA certificate's file, for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  /** Key and certificate for 127.0.0.1, signed by the CA. */
  key: string;
  cert: string;
  /** The temp dir holding the files (remove it after the tests). */
  dir: string;
}

/** A CA and a server certificate for IP 127.0.0.1 signed by it, valid for a day. */
export function makeTestCA(): TestCA {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-test-ca-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=proxy test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  const ext = file('server.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > '${ext}'`]);
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    file('server.pem'),
  );
  return {
    caFile: file('ca.pem'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8'),
    dir,
  };
}

export interface HttpsFront {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `https://127.0.0.1:<listenPort>` (default: a free port) by passing decrypted bytes to the HTTP server at `target`. */
export async function startHttpsFront(
  target: string,
  ca: Pick<TestCA, 'key' | 'cert'>,
  listenPort = 0,
): Promise<HttpsFront> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer({ key: ca.key, cert: ca.cert }, (clear) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(clear);
    sockets.add(upstream);
    clear.pipe(upstream).pipe(clear);
    const end = () => {
      clear.destroy();
      upstream.destroy();
      sockets.delete(clear);
      sockets.delete(upstream);
    };
    clear.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port: frontPort } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${frontPort}`,
    port: frontPort,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
