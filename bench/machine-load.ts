/**
 * How busy the whole machine was, to tell a clean run from one that shared its CPUs with something
 * else (on a shared development machine: builds, test runs, a browser). Linux only: the busy time
 * of all CPUs from /proc/stat; elsewhere the figure is left out.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on every Linux build in practice). */
const USER_HZ = 100;

/** CPU-seconds all CPUs spent busy since boot, or `undefined` when /proc/stat is unavailable. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
      (sum, v) => sum + (v ?? 0),
      0,
    );
    return Number.isFinite(busy) ? busy / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until other processes use less than `maxCores` CPUs (sampled over `sampleMs`), for at most
 * `maxWaitMs`; returns the last sample. A shared machine's builds and test runs would otherwise be
 * billed as noise to whichever variant happened to run beside them.
 */
export async function waitForQuiet(
  maxCores: number,
  maxWaitMs: number,
  sampleMs = 500,
): Promise<number | undefined> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineBusySeconds();
    const ownBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const after = machineBusySeconds();
    if (before === undefined || after === undefined) return undefined;
    const own = process.cpuUsage(ownBefore);
    const others = Math.max(0, after - before - (own.user + own.system) / 1e6) / (sampleMs / 1000);
    if (others <= maxCores || Date.now() >= deadline) return others;
  }
}
