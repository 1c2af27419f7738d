/**
 * How busy the whole machine is, to tell a clean run from one that shared its 2 CPUs with someone
 * else's build (a busy neighbour inflates CPU per login by up to 50 %). Linux only: the busy time
 * of all CPUs from /proc/stat; elsewhere NaN, and the figure shows as "–".
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU-seconds all CPUs spent busy since boot (/proc/stat counts in USER_HZ = 100 ticks/s). */
export function machineBusySeconds(): number {
  try {
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU-seconds used so far by process `pid` and all its live descendants (the benchmark: driver,
 * apps, fakes), from /proc/<pid>/stat in the same ticks; NaN where /proc is missing.
 */
export function treeCpuSeconds(pid = process.pid): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (in parentheses, may hold spaces): utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean),
    );
    // A child that exits meanwhile counts as 0.
    const childSeconds = children.map((child) => treeCpuSeconds(Number(child)) || 0);
    return (
      (Number(fields[11]) + Number(fields[12])) / 100 + childSeconds.reduce((a, b) => a + b, 0)
    );
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits (at most `maxWaitMs`) until other processes use at most `maxCores` CPUs, sampled over
 * half-second windows; returns the last sample.
 */
export async function waitForQuiet(maxCores: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const [before, ownBefore] = [machineBusySeconds(), process.cpuUsage()];
    await new Promise((resolve) => setTimeout(resolve, 500));
    const own = process.cpuUsage(ownBefore);
    const others = (machineBusySeconds() - before - (own.user + own.system) / 1e6) / 0.5;
    if (!(others > maxCores) || Date.now() >= deadline) return Math.max(0, others);
  }
}
