/**
 * One measured run of one variant: fresh fakes process, fresh app process, logins minted, warm-up,
 * then the measured callbacks between two snapshots of the app's own counters.
 *
 * Fresh processes per run keep runs independent: the fakes' token stores grow with every login (the
 * EXBO fake scans all tokens at each exchange), and an app's heap carries its history.
 */
import { join } from 'node:path';
import { type CpuPlan, pin } from './affinity.js';
import type { StopProfileCall } from './app-process.js';
import { mintLogins, runCallbacks } from './driver.js';
import { HttpClient } from './http-client.js';
import type { ProcessSnapshot } from './ipc.js';
import { machineBusySeconds } from './machine-load.js';
import type { BenchMode } from './modes.js';
import { cpuMicros, MINT_PARALLEL, startApp, startFakes } from './processes.js';
import { median, percentile } from './stats.js';
import { VARIANTS, type VariantName } from './variants.js';

export interface LoginRunResult {
  variant: VariantName;
  round: number;
  /** Measured complete callbacks. */
  logins: number;
  concurrency: number;
  loginsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** App process CPU time (user + system, all threads) per measured login, microseconds. */
  cpuMicrosPerLogin: number;
  /** App CPU time / wall time over the measured phase: near 1.0 means the app was the bottleneck. */
  appCpuShare: number;
  /** Peak RSS of the app process over its whole life (setup included), bytes. */
  peakRssBytes: number;
  /** Outgoing TCP connections the app opened per measured login (0 = all reused). */
  connectionsPerLogin: number;
  /** The fakes' CPU per login: the provider's cost, not counted above. */
  fakeCpuMicrosPerLogin: number;
  /** The driver's CPU per login (this process): it shares the machine's 2 cores. */
  driverCpuMicrosPerLogin: number;
  /**
   * CPUs' worth of work done by processes outside the benchmark during the measured phase (busy
   * time of the machine minus the app, fakes and driver); near 0 on a quiet machine. `NaN` when
   * unknown (not Linux).
   */
  otherLoadCores: number;
  failureCount: number;
  failures: string[];
}

export interface RunSetup {
  /** Where each process runs; `undefined`: wherever the OS puts it. */
  cpuPlan: CpuPlan | undefined;
  /** Also CPU-profile the app's measured phase into `<dir>/<variant>-round<n>.cpuprofile`. */
  profileDir: string | undefined;
}

/** Runs `variant` once. */
export async function runLoginBenchmark(
  variant: VariantName,
  round: number,
  mode: BenchMode,
  { cpuPlan, profileDir }: RunSetup,
): Promise<LoginRunResult> {
  const info = VARIANTS[variant];
  const fakes = await startFakes(mode.concurrency);
  const client = new HttpClient(mode.concurrency);
  try {
    if (cpuPlan) await pin(fakes.pid, cpuPlan.rest);
    const { app, appURL, callbackURL, snapshot } = await startApp(variant, fakes);
    try {
      if (cpuPlan) await pin(app.pid, cpuPlan.app);

      const users = fakes.ready.users[info.provider];
      const perSlot = mode.warmupPerSlot + mode.measuredPerSlot;
      const minted = await mintLogins(client, appURL, callbackURL, users, perSlot, MINT_PARALLEL);
      const warmup = minted.map((logins) => logins.slice(0, mode.warmupPerSlot));
      const measured = minted.map((logins) => logins.slice(mode.warmupPerSlot));

      const warm = await runCallbacks(client, appURL, warmup);
      if (warm.failureCount > 0) {
        throw new Error(`${variant}: warm-up logins failed: ${warm.failures.join(' | ')}`);
      }

      const appBefore = await snapshot();
      const fakesBefore = await fakes.call<ProcessSnapshot>('snapshot');
      if (profileDir) await app.call('startProfile');
      const busyBefore = machineBusySeconds();
      const driverBefore = process.cpuUsage();
      const run = await runCallbacks(client, appURL, measured);
      const driverCpu = process.cpuUsage(driverBefore);
      const busyAfter = machineBusySeconds();
      const appAfter = await snapshot();
      const fakesAfter = await fakes.call<ProcessSnapshot>('snapshot');
      if (profileDir) {
        const path = join(profileDir, `${variant}-round${round + 1}.cpuprofile`);
        await app.call('stopProfile', { path } satisfies StopProfileCall);
      }

      const logins = run.latenciesMs.length;
      const appWallMs = appAfter.atMs - appBefore.atMs;
      const ourCpuMicros =
        cpuMicros(appBefore, appAfter) +
        cpuMicros(fakesBefore, fakesAfter) +
        driverCpu.user +
        driverCpu.system;
      const otherLoadCores =
        busyBefore === undefined || busyAfter === undefined
          ? Number.NaN
          : Math.max(0, busyAfter - busyBefore - ourCpuMicros / 1e6) / (run.wallMs / 1000);
      return {
        variant,
        round,
        logins,
        concurrency: mode.concurrency,
        loginsPerSecond: logins / (run.wallMs / 1000),
        p50Ms: percentile(run.latenciesMs, 50),
        p99Ms: percentile(run.latenciesMs, 99),
        cpuMicrosPerLogin: cpuMicros(appBefore, appAfter) / logins,
        appCpuShare: cpuMicros(appBefore, appAfter) / 1000 / appWallMs,
        peakRssBytes: appAfter.maxRssBytes,
        connectionsPerLogin: (appAfter.connectionsOpened - appBefore.connectionsOpened) / logins,
        fakeCpuMicrosPerLogin: cpuMicros(fakesBefore, fakesAfter) / logins,
        driverCpuMicrosPerLogin: (driverCpu.user + driverCpu.system) / logins,
        otherLoadCores,
        failureCount: run.failureCount,
        failures: run.failures,
      };
    } finally {
      await app.stop();
    }
  } finally {
    client.close();
    await fakes.stop();
  }
}

/** Per-variant summary of several rounds: the median of each figure. */
export type LoginSummary = Omit<LoginRunResult, 'round' | 'failures'> & {
  rounds: number;
  /** Smallest and largest CPU per login over the rounds, to show the spread. */
  cpuMicrosPerLoginRange: [number, number];
  loginsPerSecondRange: [number, number];
};

export function summarise(runs: readonly LoginRunResult[]): LoginSummary {
  const first = runs[0]!;
  const pick = (field: keyof LoginRunResult) => median(runs.map((run) => run[field] as number));
  const cpu = runs.map((run) => run.cpuMicrosPerLogin);
  const rate = runs.map((run) => run.loginsPerSecond);
  return {
    variant: first.variant,
    rounds: runs.length,
    logins: runs.reduce((sum, run) => sum + run.logins, 0),
    concurrency: first.concurrency,
    loginsPerSecond: pick('loginsPerSecond'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    cpuMicrosPerLogin: pick('cpuMicrosPerLogin'),
    appCpuShare: pick('appCpuShare'),
    peakRssBytes: pick('peakRssBytes'),
    connectionsPerLogin: pick('connectionsPerLogin'),
    fakeCpuMicrosPerLogin: pick('fakeCpuMicrosPerLogin'),
    driverCpuMicrosPerLogin: pick('driverCpuMicrosPerLogin'),
    otherLoadCores: Math.max(...runs.map((run) => run.otherLoadCores)),
    failureCount: runs.reduce((sum, run) => sum + run.failureCount, 0),
    cpuMicrosPerLoginRange: [Math.min(...cpu), Math.max(...cpu)],
    loginsPerSecondRange: [Math.min(...rate), Math.max(...rate)],
  };
}
