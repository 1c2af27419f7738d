/**
 * Install footprint: what `npm install <package>` adds to an app — the package and every package
 * its `dependencies` pull in, transitively (deduplicated by name and version), and their bytes on
 * disk.
 *
 * Registry packages are measured as installed in node_modules (that folder is the published
 * tarball). Our workspace packages are not installed from a tarball, so they are measured as
 * `npm pack --dry-run` would publish them (its `unpackedSize`): that is what users will get.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';
import { FOOTPRINT_PACKAGES } from './variants.js';

export interface Footprint {
  packageName: string;
  version: string;
  /** Packages installed besides this one (transitive, deduplicated). */
  runtimeDependencies: number;
  /** Of those, the ones installed only because an `@types/*` package is a runtime dependency. */
  typesOnlyDependencies: number;
  /** This package and all its dependencies on disk, bytes. */
  totalBytes: number;
  /** Bytes of the type-only part above. */
  typesOnlyBytes: number;
  /** This package alone, bytes. */
  ownBytes: number;
  /** `.tsbuildinfo` files among the published files of it and its dependencies (build caches). */
  shippedBuildInfoBytes: number;
  dependencies: string[];
}

interface InstalledPackage {
  id: string;
  name: string;
  version: string;
  dir: string;
  dependencies: string[];
}

const run = promisify(execFile);

/** Node's lookup: `node_modules/<name>` in `fromDir` and each parent. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

async function readPackage(dir: string): Promise<InstalledPackage> {
  const real = await realpath(dir);
  const json = JSON.parse(await readFile(join(real, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  return {
    id: `${json.name}@${json.version}`,
    name: json.name,
    version: json.version,
    dir: real,
    dependencies: Object.keys({ ...json.dependencies, ...json.optionalDependencies }),
  };
}

/** The package and everything it installs, keyed by name@version; `skip` prunes edges. */
async function closure(
  root: InstalledPackage,
  skip: (name: string) => boolean = () => false,
): Promise<Map<string, InstalledPackage>> {
  const seen = new Map<string, InstalledPackage>([[root.id, root]]);
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const name of current.dependencies) {
      if (skip(name)) continue;
      const dir = findPackageDir(name, current.dir);
      if (!dir) throw new Error(`${current.id} depends on ${name}, which is not installed`);
      const dependency = await readPackage(dir);
      if (seen.has(dependency.id)) continue;
      seen.set(dependency.id, dependency);
      queue.push(dependency);
    }
  }
  return seen;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Nested node_modules hold other packages: they are counted as dependencies.
      if (entry.name !== 'node_modules') total += await folderBytes(path);
    } else if (entry.isFile()) {
      total += (await stat(path)).size;
    }
  }
  return total;
}

const isWorkspace = (pkg: InstalledPackage) => !pkg.dir.split(sep).includes('node_modules');

interface Packed {
  bytes: number;
  buildInfoBytes: number;
}

/** What npm would publish for a workspace package (no scripts run, nothing written). */
async function packedSize(pkg: InstalledPackage): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: pkg.dir,
    timeout: 60_000,
  });
  const [packed] = JSON.parse(stdout) as {
    unpackedSize: number;
    files: { path: string; size: number }[];
  }[];
  if (!packed) throw new Error(`npm pack --dry-run printed nothing for ${pkg.id}`);
  const buildInfoBytes = packed.files
    .filter((file) => file.path.endsWith('.tsbuildinfo'))
    .reduce((sum, file) => sum + file.size, 0);
  return { bytes: packed.unpackedSize, buildInfoBytes };
}

export async function measureFootprints(): Promise<Footprint[]> {
  const sizes = new Map<string, Packed>();
  const sizeOf = async (pkg: InstalledPackage) => {
    let size = sizes.get(pkg.id);
    if (!size) {
      size = isWorkspace(pkg)
        ? await packedSize(pkg)
        : { bytes: await folderBytes(pkg.dir), buildInfoBytes: 0 };
      sizes.set(pkg.id, size);
    }
    return size;
  };
  const results: Footprint[] = [];
  for (const packageName of FOOTPRINT_PACKAGES) {
    const dir = findPackageDir(packageName, REPO_ROOT);
    if (!dir) throw new Error(`${packageName} is not installed`);
    const root = await readPackage(dir);
    const all = await closure(root);
    const withoutTypes = await closure(root, (name) => name.startsWith('@types/'));
    let totalBytes = 0;
    let typesOnlyBytes = 0;
    let shippedBuildInfoBytes = 0;
    for (const pkg of all.values()) {
      const { bytes, buildInfoBytes } = await sizeOf(pkg);
      totalBytes += bytes;
      shippedBuildInfoBytes += buildInfoBytes;
      if (!withoutTypes.has(pkg.id)) typesOnlyBytes += bytes;
    }
    const own = await sizeOf(root);
    results.push({
      packageName,
      version: root.version,
      runtimeDependencies: all.size - 1,
      typesOnlyDependencies: all.size - withoutTypes.size,
      totalBytes,
      typesOnlyBytes,
      ownBytes: own.bytes,
      shippedBuildInfoBytes,
      dependencies: [...all.keys()].filter((id) => id !== root.id).sort(),
    });
  }
  return results;
}
