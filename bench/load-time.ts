/**
 * Cold load time of each package (issue 15, item 2) and how many modules `require` of each entry
 * point loads (issue 14). Each sample is a fresh `node` from the repository root (packages resolve
 * as an app's dependencies would; the OS file cache is warm, as on a server that restarts), and only
 * the `require()` / `import()` inside it is timed, not Node's start-up. Samples are interleaved:
 * sample i of every package and format runs before sample i+1 of any, in rotated order, so a busy
 * moment of the shared machine lands on all packages alike instead of on one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

async function node(args: string[]): Promise<string> {
  return (await run(process.execPath, args, { cwd: REPO_ROOT, timeout: 30_000 })).stdout;
}

async function loadMs(name: string, format: (typeof FORMATS)[number]): Promise<number> {
  const load = format === 'import' ? `await import('${name}')` : `require('${name}')`;
  const code = `const t = performance.now(); ${load}; process.stdout.write(String(performance.now() - t));`;
  const out = await node(format === 'import' ? ['--input-type=module', '-e', code] : ['-e', code]);
  const ms = Number(out);
  if (!out || !Number.isFinite(ms)) throw new Error(`${format} of ${name} printed "${out}"`);
  return ms;
}

/** An entry point that does not resolve is reported missing; one that resolves must load. */
export async function moduleCount(entry: string): Promise<number | undefined> {
  const out = await node([
    '-e',
    `try { require.resolve('${entry}') } catch { process.stdout.write('missing'); process.exit() }
     const before = Object.keys(require.cache).length;
     require('${entry}');
     process.stdout.write(String(Object.keys(require.cache).length - before));`,
  ]);
  return out === 'missing' ? undefined : Number(out);
}

export async function measureLoadTimes(samples: number): Promise<LoadTimes> {
  const names = [...new Set(LOAD_GOALS.flat())];
  const ms = new Map(names.flatMap((n) => FORMATS.map((f) => [`${n} ${f}`, [] as number[]])));
  for (let i = 0; i < samples; i++) {
    const jobs = names.flatMap((name) => FORMATS.map((format) => [name, format] as const));
    for (let j = 0; j < jobs.length; j++) {
      const [name, format] = jobs[(i + j) % jobs.length]!;
      ms.get(`${name} ${format}`)!.push(await loadMs(name, format));
    }
  }
  const modules = [];
  for (const entry of ENTRY_POINTS) modules.push({ entry, count: await moduleCount(entry) });
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
