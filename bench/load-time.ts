/**
 * Cold load time of each package (issue 15, item 2) and how many modules `require` of each entry
 * point loads (issue 14). Each sample is a fresh `node` in an app that installed only that package
 * from its tarball (footprint.ts), as the issue measured it: the package and its dependencies are
 * files in the app's node_modules, not the repository's workspace links. The OS file cache is warm,
 * as on a server that restarts, and only the `require()` / `import()` inside the process is timed,
 * not Node's start-up. Samples are interleaved:
 * sample i of every package and format runs before sample i+1 of any, in rotated order, so a busy
 * moment of the shared machine lands on all packages alike instead of on one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AppDirs } from './footprint.js';
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

export interface LoadTime {
  packageName: string;
  requireMs: number;
  importMs: number;
}

export interface LoadTimes {
  /** Fresh processes per package and format. */
  samples: number;
  times: LoadTime[];
  /** Modules `require(entry)` adds to `require.cache`; `undefined`: the entry point is missing. */
  modules: { entry: string; count: number | undefined }[];
}

const run = promisify(execFile);

async function node(args: string[], cwd: string): Promise<string> {
  return (await run(process.execPath, args, { cwd, timeout: 30_000 })).stdout;
}

/** The app `name` was installed into; an entry point's is its package's. */
function appOf(apps: AppDirs, entry: string): string {
  const name = entry.split('/')[0]!;
  const dir = apps.get(name);
  if (dir === undefined) throw new Error(`${name} was not installed`);
  return dir;
}

async function loadMs(
  name: string,
  format: (typeof FORMATS)[number],
  cwd: string,
): Promise<number> {
  const load = format === 'import' ? `await import('${name}')` : `require('${name}')`;
  const code = `const t = performance.now(); ${load}; process.stdout.write(String(performance.now() - t));`;
  const args = format === 'import' ? ['--input-type=module', '-e', code] : ['-e', code];
  const out = await node(args, cwd);
  const ms = Number(out);
  if (!out || !Number.isFinite(ms)) throw new Error(`${format} of ${name} printed "${out}"`);
  return ms;
}

/** An entry point that does not resolve is reported missing; one that resolves must load. */
export async function moduleCount(entry: string, cwd = REPO_ROOT): Promise<number | undefined> {
  const out = await node(
    [
      '-e',
      `try { require.resolve('${entry}') } catch { process.stdout.write('missing'); process.exit() }
     const before = Object.keys(require.cache).length;
     require('${entry}');
     process.stdout.write(String(Object.keys(require.cache).length - before));`,
    ],
    cwd,
  );
  return out === 'missing' ? undefined : Number(out);
}

export async function measureLoadTimes(samples: number, apps: AppDirs): Promise<LoadTimes> {
  const names = [...new Set(LOAD_GOALS.flat())];
  const ms = new Map(names.flatMap((n) => FORMATS.map((f) => [`${n} ${f}`, [] as number[]])));
  for (let i = 0; i < samples; i++) {
    const jobs = names.flatMap((name) => FORMATS.map((format) => [name, format] as const));
    for (let j = 0; j < jobs.length; j++) {
      const [name, format] = jobs[(i + j) % jobs.length]!;
      ms.get(`${name} ${format}`)!.push(await loadMs(name, format, appOf(apps, name)));
    }
  }
  const modules = [];
  for (const entry of ENTRY_POINTS) {
    modules.push({ entry, count: await moduleCount(entry, appOf(apps, entry)) });
  }
  return {
    samples,
    times: names.map((packageName) => ({
      packageName,
      requireMs: median(ms.get(`${packageName} require`)!),
      importMs: median(ms.get(`${packageName} import`)!),
    })),
    modules,
  };
}
