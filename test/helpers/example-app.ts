/**
 * The example app (createApp) in this process, against providers a test chooses: the demo fakes
 * (test/example/demo-app.ts), or fakes in their own processes that a test then kills. The app's
 * port is taken first and `configure` is told its address, so providers can register its callback
 * URLs before the app serves; the browser-facing URL uses `localhost`, providers 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createApp } from '../../examples/express-login/src/app.js';
import type { AppConfig } from '../../examples/express-login/src/config.js';

export interface RunningExampleApp {
  /** `http://localhost:<port>` */
  url: string;
  /** The configuration the app runs with. */
  config: AppConfig;
  /** What the app logged with console.error (its log of failed logins). */
  logged: string[];
  close(): Promise<void>;
}

const TEST_CONFIG: AppConfig = {
  demo: false,
  port: 0,
  host: '127.0.0.1',
  sessionSecret: 'example-app-tests-session-secret-0123456789abcdef',
  trustProxy: false,
  secureCookies: false,
};

export async function startExampleApp(
  configure: (origin: string) => Promise<Pick<AppConfig, 'exbo' | 'soa2'>>,
  base: AppConfig = TEST_CONFIG,
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
  const config: AppConfig = { ...base, port, ...providers };
  // The app logs login failures for its operator; keep them for assertions instead of noise.
  const logged: string[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => {
    logged.push(args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' '));
  };
  server.on('request', createApp(config));
  return {
    url,
    config,
    logged,
    async close() {
      console.error = originalError;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
