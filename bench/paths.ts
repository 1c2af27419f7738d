/** Where things are, from the compiled file's location (bench/dist/bench/*.js), whatever the cwd. */
import { fileURLToPath } from 'node:url';

/** The repository root: packages resolve from here as an app's dependencies would. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The default results folder (git-ignored). */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../../bench-results', import.meta.url));
