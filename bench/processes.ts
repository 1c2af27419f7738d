/**
 * Starting the two kinds of child process a measurement needs: the fakes (both providers, one
 * account per concurrency slot) and an app running one variant against them. Shared by the
 * side-by-side benchmark (login-benchmark.ts) and the paired comparison (paired.ts).
 */
import { fileURLToPath } from 'node:url';
import type { AppReady } from './app-process.js';
import type { AppConfig } from './apps.js';
import type { FakesReady, RegisterCall } from './fakes-process.js';
import { type Child, type ProcessSnapshot, startChild } from './ipc.js';
import { VARIANTS, type VariantName } from './variants.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Minting is not measured; a little parallelism keeps the setup phase short. */
export const MINT_PARALLEL = 8;

/** User plus system CPU time between two snapshots of one process, microseconds. */
export function cpuMicros(before: ProcessSnapshot, after: ProcessSnapshot): number {
  return after.userMicros - before.userMicros + (after.systemMicros - before.systemMicros);
}

/** The fakes process, with `concurrency` accounts per provider. */
export function startFakes(concurrency: number): Promise<Child<FakesReady>> {
  return startChild<FakesReady>(here('./fakes-process.js'), [String(concurrency)]);
}

/** An app process running `variant`, its callback URL registered with the fakes. */
export interface RunningApp {
  app: Child<AppReady>;
  appURL: string;
  callbackURL: string;
  /** The app's own counters. */
  snapshot(): Promise<ProcessSnapshot>;
}

/** Starts an app for `variant` pointed at `fakes`. */
export async function startApp(
  variant: VariantName,
  fakes: Child<FakesReady>,
): Promise<RunningApp> {
  const config: AppConfig = {
    variant,
    exbo: { ...fakes.ready.exbo, ...fakes.ready.clients.exbo },
    soa2: { ...fakes.ready.soa2, ...fakes.ready.clients.soa2 },
  };
  const app = await startChild<AppReady>(here('./app-process.js'), [JSON.stringify(config)]);
  try {
    const { port, callbackURL } = app.ready;
    await fakes.call('register', {
      provider: VARIANTS[variant].provider,
      redirectUri: callbackURL,
    } satisfies RegisterCall);
    return {
      app,
      appURL: `http://127.0.0.1:${port}`,
      callbackURL,
      snapshot: () => app.call<ProcessSnapshot>('snapshot'),
    };
  } catch (err) {
    await app.stop();
    throw err;
  }
}
