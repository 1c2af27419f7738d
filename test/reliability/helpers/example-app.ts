/**
 * The example app (createApp) in this process, against providers a test chooses, e.g. fakes in
 * their own processes that the test then kills. Like test/example/demo-app.ts, but the providers
 * are told the app's address only after it listens, by `configure`.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createApp } from '../../../examples/express-login/src/app.js';
import type { AppConfig } from '../../../examples/express-login/src/config.js';

export interface RunningExampleApp {
  /** `http://localhost:<port>` */
  url: string;
  /** What the app logged with console.error (its log of failed logins). */
  logged: string[];
  close(): Promise<void>;
}

export async function startExampleApp(
  configure: (origin: string) => Promise<Pick<AppConfig, 'exbo' | 'soa2'>>,
): Promise<RunningExampleApp> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  const providers = await configure(url);
  const config: AppConfig = {
    demo: false,
    port,
    host: '127.0.0.1',
    sessionSecret: 'reliability-tests-session-secret-0123456789abcdef',
    trustProxy: false,
    secureCookies: false,
    ...providers,
  };
  const logged: string[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => {
    logged.push(args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' '));
  };
  server.on('request', createApp(config));
  return {
    url,
    logged,
    async close() {
      console.error = originalError;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
