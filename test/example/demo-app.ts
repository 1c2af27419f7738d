/**
 * The example app as `npm start` runs it in demo mode, started in-process: the app's port is taken
 * first, the fakes are started with its callback URLs, then the app is attached. The browser-facing
 * URL uses `localhost` and the fakes use 127.0.0.1, as in server.ts.
 */
import type { ExboFake, Soa2Fake } from '@exbo-soa2/fakes';
import { type AppConfig, loadConfig } from '../../examples/express-login/src/config.js';
import { startDemoProviders } from '../../examples/express-login/src/demo.js';
import { startExampleApp } from '../helpers/example-app.js';

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
  let demo: Awaited<ReturnType<typeof startDemoProviders>> | undefined;
  const app = await startExampleApp(async (url) => {
    demo = await startDemoProviders(url);
    return { exbo: demo.exbo, soa2: demo.soa2 };
  }, loaded.config);
  const providers = demo as NonNullable<typeof demo>;
  return {
    ...app,
    fakes: providers.fakes,
    async close() {
      await app.close();
      await providers.close();
    },
  };
}
