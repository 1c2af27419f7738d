/**
 * One measured run of one variant: fresh fakes and app processes (the fakes' token stores grow with
 * every login, and an app's heap carries its history), logins minted, the warm-up, then the
 * measured callbacks between two snapshots of the app's own counters.
 *
 * No full GC is forced before the measured phase: on an idle heap it frees the maps optimized code
 * depends on, and V8 then recompiles the hot path inside the phase (bench/README.md, "Steady
 * state").
 */
import { cpuMicros, type RunningApp, startApp, startFakes } from './children.js';
import { Driver, mintLogins, type PendingLogin, runCallbacks, take } from './driver.js';
import { machineBusySeconds, treeCpuSeconds } from './machine-load.js';
import { median, percentile } from './stats.js';
import { VARIANTS, type VariantName } from './variants.js';

export interface RunSize {
  concurrency: number;
  warmupPerSlot: number;
  measuredPerSlot: number;
}

export interface WarmApp extends RunningApp {
  /** Minted logins per slot, not used yet. */
  queue: PendingLogin[][];
}

/**
 * Starts fresh fakes and an app for each variant, mints `warmupPerSlot + measuredPerSlot` logins per
 * slot for each app and completes the warm-up, runs `measure`, and stops everything.
 */
export async function withWarmApps<T>(
  variants: readonly VariantName[],
  size: RunSize,
  measure: (apps: WarmApp[], driver: Driver) => Promise<T>,
): Promise<T> {
  const fakes = await startFakes(size.concurrency);
  const driver = new Driver(size.concurrency);
  const apps: WarmApp[] = [];
  try {
    for (const variant of variants) {
      const app: WarmApp = { ...(await startApp(variant, fakes)), queue: [] };
      apps.push(app);
      // Every code is minted before any is used; EXBO's live ten minutes, so keep runs shorter.
      const users = fakes.accounts[VARIANTS[variant].provider].map((account) => account.id);
      const perSlot = size.warmupPerSlot + size.measuredPerSlot;
      app.queue = await mintLogins(driver, app, users, perSlot);
      const warm = await runCallbacks(driver, app.appURL, take(app.queue, size.warmupPerSlot));
      if (warm.failureCount > 0) throw new Error(`${variant} warm-up: ${warm.failures[0]}`);
    }
    return await measure(apps, driver);
  } finally {
    driver.close();
    for (const app of apps) await app.stop();
    await fakes.close();
  }
}

/** One measured run's figures. */
export type LoginRun = Awaited<ReturnType<typeof runVariant>>;

export function runVariant(variant: VariantName, size: RunSize) {
  return withWarmApps([variant], size, async ([app], driver) => {
    const appBefore = await app!.snapshot();
    const [busyBefore, treeBefore, driverBefore] = [
      machineBusySeconds(),
      treeCpuSeconds(),
      process.cpuUsage(),
    ];
    const run = await runCallbacks(driver, app!.appURL, app!.queue);
    const driverCpu = process.cpuUsage(driverBefore);
    const [busyAfter, treeAfter] = [machineBusySeconds(), treeCpuSeconds()];
    const appAfter = await app!.snapshot();

    const logins = run.latenciesMs.length;
    const appCpu = cpuMicros(appBefore, appAfter);
    // The fakes: what the whole benchmark used, minus the app and the driver.
    const fakesCpu = (treeAfter - treeBefore) * 1e6 - appCpu - driverCpu.user - driverCpu.system;
    const others = busyAfter - busyBefore - (treeAfter - treeBefore);
    return {
      variant,
      logins,
      loginsPerSecond: logins / (run.wallMs / 1000),
      p50Ms: percentile(run.latenciesMs, 50),
      p99Ms: percentile(run.latenciesMs, 99),
      /** The app process's CPU time per measured login, microseconds. */
      cpuMicrosPerLogin: appCpu / logins,
      /** Over the app's whole life (setup included, the same for every variant). */
      peakRssBytes: appAfter.maxRssBytes,
      /** Outgoing TCP connections the app opened per measured login: 0 = all kept alive. */
      connectionsPerLogin: (appAfter.connectionsOpened - appBefore.connectionsOpened) / logins,
      /** The fakes' CPU per login: the provider's cost, never billed to the app. */
      fakeCpuMicrosPerLogin: Math.max(0, fakesCpu) / logins,
      /** Other processes' CPUs' worth of work in the phase (0 when quiet; NaN: no /proc/stat). */
      otherLoadCores: Math.max(0, others) / (run.wallMs / 1000),
      failureCount: run.failureCount,
      failures: run.failures,
    };
  });
}

/** Several rounds of one variant: the median of each figure, and the range of two. */
export interface LoginSummary extends LoginRun {
  rounds: number;
  cpuRange: [number, number];
  rateRange: [number, number];
}

export function summarise(runs: readonly LoginRun[]): LoginSummary {
  const all = <F extends keyof LoginRun>(field: F) => runs.map((run) => run[field]);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
  return {
    variant: runs[0]!.variant,
    rounds: runs.length,
    logins: sum(all('logins')),
    loginsPerSecond: median(all('loginsPerSecond')),
    p50Ms: median(all('p50Ms')),
    p99Ms: median(all('p99Ms')),
    cpuMicrosPerLogin: median(all('cpuMicrosPerLogin')),
    peakRssBytes: median(all('peakRssBytes')),
    connectionsPerLogin: median(all('connectionsPerLogin')),
    fakeCpuMicrosPerLogin: median(all('fakeCpuMicrosPerLogin')),
    otherLoadCores: Math.max(...all('otherLoadCores')),
    failureCount: sum(all('failureCount')),
    failures: all('failures').flat().slice(0, 5),
    cpuRange: range(all('cpuMicrosPerLogin')),
    rateRange: range(all('loginsPerSecond')),
  };
}
