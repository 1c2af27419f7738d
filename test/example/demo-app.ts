/**
 * The example app as `npm start` runs it in demo mode, started in-process: the app's port is taken
 * first, the fakes are started with its callback URLs, then the app is attached. The browser-facing
 * URL uses `localhost` and the fakes use 127.0.0.1, as in server.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExboFake, Soa2Fake } from '@exbo-soa2/fakes';
import { createApp } from '../../examples/express-login/src/app.js';
import { type AppConfig, loadConfig } from '../../examples/express-login/src/config.js';
import { startDemoProviders } from '../../examples/express-login/src/demo.js';

export interface RunningExample {
  /** `http://localhost:<port>` */
  url: string;
  config: AppConfig;
  fakes: { exbo: ExboFake; soa2: Soa2Fake };
  /** Lines the app wrote with console.error while running (login failures, crashes). */
  logged: string[];
  close(): Promise<void>;
}

export async function startExample(): Promise<RunningExample> {
  const loaded = loadConfig({});
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const config = loaded.config;

  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const demo = await startDemoProviders(url);
  config.exbo = demo.exbo;
  config.soa2 = demo.soa2;

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
    fakes: demo.fakes,
    logged,
    async close() {
      console.error = originalError;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await demo.close();
    },
  };
}
