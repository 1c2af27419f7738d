/**
 * CPU pinning. The app under test gets a core of its own (the last one); the fakes and the driver
 * share the others. Without it, on 2 cores the app, the fake provider and the driver preempt each
 * other at random and both throughput and CPU per login get noisier. Uses util-linux `taskset`
 * (`-a`: every thread of the process, GC and libuv threads included); when it is missing or there
 * is only one CPU, nothing is pinned and the report says so.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CpuPlan {
  /** taskset CPU list for the app under test, e.g. `1`. */
  app: string;
  /** taskset CPU list for the orchestrator/driver and the fakes, e.g. `0`. */
  rest: string;
}

/** `0,2-3` → `[0, 2, 3]` (taskset's list format). */
function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.trim().split('-').map(Number);
    if (from === undefined || to === undefined || !(from <= to)) return [];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** The plan for the CPUs this process may use, or `undefined` when pinning is impossible. */
export async function cpuPlan(): Promise<CpuPlan | undefined> {
  let allowed: number[];
  try {
    const { stdout } = await run('taskset', ['-c', '-p', String(process.pid)]);
    allowed = parseCpuList(stdout.slice(stdout.lastIndexOf(':') + 1));
  } catch {
    return undefined;
  }
  if (allowed.length < 2) return undefined;
  return { app: String(allowed.at(-1)), rest: allowed.slice(0, -1).join(',') };
}

/** Restricts every thread of `pid` to `cpuList`. */
export async function pin(pid: number, cpuList: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', cpuList, String(pid)]);
}
