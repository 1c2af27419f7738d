/**
 * Cold load time of each package (issue 15, item 2; issue 25) and how many modules `require` of
 * each entry point loads (issue 14), in the apps footprint.ts installed (method: bench/README.md,
 * "Method"). Each sample is a fresh `node` timing only the `require()` / `import()`:
 * - *Express* (the goal, where users pay it): after Express 5, express-session and passport, whose
 *   dependencies' `"exports"` maps have loaded Node's ESM resolver already, as in any Express app;
 * - *alone*: the package is the first thing the process loads (printed, not judged).
 * Interleaved (sample i of everything, rotated, before sample i+1): a busy moment lands on all alike.
 */
import { type AppDirs, EXPRESS_APP, EXPRESS_STACK, run } from './footprint.js';
import { REPO_ROOT } from './paths.js';
import { median } from './stats.js';

/** Ours against the reference of the goal: at most {@link LOAD_GOAL_RATIO}× its time. */
export const LOAD_GOALS = [
  ['passport-exbo', 'passport-oauth2'],
  ['passport-soa2', 'passport-github2'],
] as const;
export const LOAD_GOAL_RATIO = 1.15;
const ENTRY_POINTS = [
  'passport-exbo',
  'passport-exbo/game-api',
  'passport-soa2',
  'passport-soa2/accounts',
  'passport-oauth2',
  'passport-github2',
];
const FORMATS = ['require', 'import'] as const;
type Format = (typeof FORMATS)[number];
const WHERE = ['express', 'alone'] as const;

/** What {@link measureLoadTimes} returns. */
export type LoadTimes = Awaited<ReturnType<typeof measureLoadTimes>>;

async function node(args: string[], cwd: string): Promise<string> {
  return (await run(process.execPath, args, { cwd, timeout: 30_000 })).stdout;
}

/** The app a package was installed into alone, or the Express app. */
function appOf(apps: AppDirs, name: string): string {
  const dir = apps.get(name);
  if (dir === undefined) throw new Error(`${name} was not installed`);
  return dir;
}

/** Milliseconds of `require(name)` or `import(name)` in a fresh process, after those of `first`. */
async function loadMs(name: string, format: Format, cwd: string, first: string[]) {
  const load = (pkg: string) =>
    format === 'import' ? `await import('${pkg}')` : `require('${pkg}')`;
  const code = `${first.map(load).join('; ')}; const t = performance.now(); ${load(name)}; process.stdout.write(String(performance.now() - t));`;
  const out = await node(
    [...(format === 'import' ? ['--input-type=module'] : []), '-e', code],
    cwd,
  );
  const ms = Number(out);
  if (!out || !Number.isFinite(ms)) throw new Error(`${format} of ${name} printed "${out}"`);
  return ms;
}

/** An entry point that does not resolve is reported missing; one that resolves must load. */
export async function moduleCount(entry: string, cwd = REPO_ROOT): Promise<number | undefined> {
  const code = `try { require.resolve('${entry}') } catch { process.stdout.write('missing'); process.exit() }
     const before = Object.keys(require.cache).length;
     require('${entry}');
     process.stdout.write(String(Object.keys(require.cache).length - before));`;
  const out = await node(['-e', code], cwd);
  return out === 'missing' ? undefined : Number(out);
}

/**
 * `samples` fresh processes per package, format and app: `times`, the added load time in the
 * Express app (the goal); `alone`, as the first thing a process loads; and `modules`, what
 * `require(entry)` adds to `require.cache` (`undefined`: the entry point is missing).
 */
export async function measureLoadTimes(samples: number, apps: AppDirs) {
  const names = [...new Set(LOAD_GOALS.flat())];
  const jobs = WHERE.flatMap((where) =>
    names.flatMap((n) => FORMATS.map((f) => [where, n, f] as const)),
  );
  const ms = new Map(jobs.map((job) => [job.join(' '), [] as number[]]));
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < jobs.length; j++) {
      const [where, name, format] = jobs[(i + j) % jobs.length]!;
      const [cwd, first] = where === 'express' ? [EXPRESS_APP, EXPRESS_STACK] : [name, []];
      ms.get(`${where} ${name} ${format}`)!.push(
        await loadMs(name, format, appOf(apps, cwd), first),
      );
    }
  }
  const modules = [];
  for (const entry of ENTRY_POINTS) {
    modules.push({ entry, count: await moduleCount(entry, appOf(apps, entry.split('/')[0]!)) });
  }
  const times = (where: string) =>
    names.map((packageName) => ({
      packageName,
      requireMs: median(ms.get(`${where} ${packageName} require`)!),
      importMs: median(ms.get(`${where} ${packageName} import`)!),
    }));
  return { samples, times: times('express'), alone: times('alone'), modules };
}
