/**
 * Install footprint as a user meets it (issue 15, item 1; method: bench/README.md, "Method"):
 * `npm pack` of every publishable package, then a fresh app per package installing only
 * it with `npm install --omit=dev` (ours from their tarballs through npm `overrides`, the rest from
 * the registry), and one Express app with all four (issue 25). The apps stay until the caller's
 * function returns: cold load times are measured in them (load-time.ts).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

export interface Footprint {
  packageName: string;
  version: string;
  /** Packages in node_modules, the installed one included. */
  packages: number;
  diskKiB: number;
  /** Set when the install failed; the counts are then NaN. */
  error?: string;
}

/** Issue 15's goal for our packages: at most 9 packages and 700 KB, itself included. */
export const FOOTPRINT_GOAL = { packages: 9, diskKiB: 700 };
export const OURS = ['passport-exbo', 'passport-soa2'];
const REFERENCES = ['passport-oauth2', 'passport-github2'];
/** What the Express app loads before the package; its folder's name in {@link AppDirs}. */
export const EXPRESS_STACK = ['express', 'express-session', 'passport'];
export const EXPRESS_APP = 'express-app';

/** `execFile` as a promise (also load-time.ts's). */
export const run = promisify(execFile);
const npm = (args: string[], cwd: string, timeout: number) => run('npm', args, { cwd, timeout });
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/** `npm pack` of every non-private package under packages/: name → tarball path. */
async function packWorkspaces(
  into: string,
): Promise<Map<string, { file: string; version: string }>> {
  const tarballs = new Map<string, { file: string; version: string }>();
  for (const dir of await readdir(join(REPO_ROOT, 'packages'))) {
    const manifest = await readJson(join(REPO_ROOT, 'packages', dir, 'package.json')).catch(
      () => undefined,
    );
    if (!manifest || manifest.private) continue;
    const pack = ['pack', '--json', '--ignore-scripts', '--pack-destination', into];
    const { stdout } = await npm(pack, join(REPO_ROOT, 'packages', dir), 120_000);
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    tarballs.set(manifest.name, { file: join(into, packed!.filename), version: manifest.version });
  }
  return tarballs;
}

/** Installs `specs` alone into a fresh app and measures its node_modules. */
async function installAlone(
  appDir: string,
  specs: string[],
  overrides: Record<string, string>,
): Promise<{ packages: number; diskKiB: number }> {
  await mkdir(appDir);
  const manifest = { name: 'footprint-app', version: '0.0.0', private: true, overrides };
  await writeFile(join(appDir, 'package.json'), JSON.stringify(manifest));
  const install = ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'];
  await npm([...install, ...specs], appDir, 300_000);
  const lock = await readJson(join(appDir, 'node_modules', '.package-lock.json'));
  const packages = Object.keys(lock.packages).filter((key) => key.includes('node_modules/')).length;
  const { stdout } = await run('du', ['-sk', join(appDir, 'node_modules')]);
  return { packages, diskKiB: Number.parseInt(stdout, 10) };
}

/** npm prints a harmless config warning first; the first `npm error` line says what failed. */
function npmError(err: unknown): string | undefined {
  const lines = String((err as { stderr?: string }).stderr || err).split('\n');
  return lines.find((line) => line.startsWith('npm error')) ?? lines[0];
}

/** Where each package was installed alone, and {@link EXPRESS_APP} (absent: install failed). */
export type AppDirs = Map<string, string>;

/** Installs each package into an app of its own, then runs `measure` while the apps exist. */
export async function withInstalledApps<T>(
  measure: (apps: AppDirs) => Promise<T>,
): Promise<{ footprints: Footprint[]; measured: T }> {
  const work = await mkdtemp(join(tmpdir(), 'bench-footprint-'));
  try {
    const apps: AppDirs = new Map();
    const tarballs = await packWorkspaces(work);
    const results: Footprint[] = [];
    // Ours from their tarballs; the others at the version this repository compares against.
    const versionOf = async (name: string): Promise<string> =>
      tarballs.get(name)?.version ??
      (await readJson(join(REPO_ROOT, 'node_modules', name, 'package.json'))).version;
    const specOf = async (name: string) =>
      tarballs.get(name)?.file ?? `${name}@${await versionOf(name)}`;
    /** Installs `names` into the app `dir`; ours that are not named come from their tarballs. */
    const install = async (dir: string, names: string[]) => {
      const others = [...tarballs].filter(([name]) => !names.includes(name));
      const overrides = Object.fromEntries(others.map(([n, t]) => [n, `file:${t.file}`]));
      const specs = await Promise.all(names.map(specOf));
      const measured = await installAlone(join(work, dir), specs, overrides);
      apps.set(dir, join(work, dir));
      return measured;
    };
    for (const packageName of [...OURS, ...REFERENCES]) {
      const version = await versionOf(packageName);
      const footprint = await install(packageName, [packageName]).catch((err) => ({
        packages: Number.NaN,
        diskKiB: Number.NaN,
        error: npmError(err),
      }));
      results.push({ packageName, version, ...footprint });
    }
    await install(EXPRESS_APP, [...EXPRESS_STACK, ...OURS, ...REFERENCES]).catch((err) =>
      console.error(`bench: the Express app did not install: ${npmError(err)}`),
    );
    return { footprints: results, measured: await measure(apps) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
