/**
 * Install footprint as a user meets it (issue 15, item 1): every publishable workspace package is
 * packed with `npm pack`, then a fresh app outside the repository installs ONLY passport-exbo (then
 * only passport-soa2) from its tarball with `npm install --omit=dev`. Our other packages come from
 * their tarballs too (npm `overrides`, since they are not on the registry yet); everything else from
 * the registry. passport-oauth2 and passport-github2 are installed the same way for reference.
 * Counted: packages in the app's node_modules (itself included) and its size on disk (`du -sk`, as
 * the table was measured). The apps stay until the caller's function returns: cold load
 * times are measured in them (load-time.ts), as the issue measured them.
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

const run = promisify(execFile);
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
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', into],
      { cwd: join(REPO_ROOT, 'packages', dir), timeout: 120_000 },
    );
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    tarballs.set(manifest.name, { file: join(into, packed!.filename), version: manifest.version });
  }
  return tarballs;
}

/** Installs `spec` alone into a fresh app and measures its node_modules. */
async function installAlone(
  appDir: string,
  spec: string,
  overrides: Record<string, string>,
): Promise<{ packages: number; diskKiB: number }> {
  await mkdir(appDir);
  const manifest = { name: 'footprint-app', version: '0.0.0', private: true, overrides };
  await writeFile(join(appDir, 'package.json'), JSON.stringify(manifest));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', spec], {
    cwd: appDir,
    timeout: 300_000,
  });
  const lock = await readJson(join(appDir, 'node_modules', '.package-lock.json'));
  const packages = Object.keys(lock.packages).filter((key) => key.includes('node_modules/')).length;
  const { stdout } = await run('du', ['-sk', join(appDir, 'node_modules')]);
  return { packages, diskKiB: Number.parseInt(stdout, 10) };
}

/** Where each package was installed alone (absent: its install failed). */
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
    for (const packageName of [...OURS, ...REFERENCES]) {
      const ours = tarballs.get(packageName);
      // References at the version this repository compares against.
      const version =
        ours?.version ??
        (await readJson(join(REPO_ROOT, 'node_modules', packageName, 'package.json'))).version;
      const overrides = Object.fromEntries(
        [...tarballs]
          .filter(([name]) => name !== packageName)
          .map(([n, t]) => [n, `file:${t.file}`]),
      );
      const spec = ours ? ours.file : `${packageName}@${version}`;
      try {
        const appDir = join(work, packageName);
        const measured = await installAlone(appDir, spec, ours ? overrides : {});
        results.push({ packageName, version, ...measured });
        apps.set(packageName, appDir);
      } catch (err) {
        // npm prints a harmless config warning first; the first `npm error` line says what failed.
        const lines = String((err as { stderr?: string }).stderr || err).split('\n');
        const error = lines.find((line) => line.startsWith('npm error')) ?? lines[0];
        results.push({ packageName, version, packages: Number.NaN, diskKiB: Number.NaN, error });
      }
    }
    return { footprints: results, measured: await measure(apps) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
