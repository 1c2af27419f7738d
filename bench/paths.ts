/** Where things are, whatever the cwd. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (packages resolve from here as an app's dependencies would): the nearest
 * folder above this file with a package-lock.json, whether it runs compiled from bench/dist/bench/
 * or from source under the tests.
 */
export const REPO_ROOT = (function find(dir: string): string {
  if (existsSync(join(dir, 'package-lock.json')) || dirname(dir) === dir) return dir;
  return find(dirname(dir));
})(dirname(fileURLToPath(import.meta.url)));
