/**
 * The repository's own TypeScript compiler (TS 7), run on a fixture project as its user would run
 * `tsc -p .`: the fixtures have their own tsconfig (strict, their own module settings).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** A fixture folder under test/compat/fixtures, as an absolute path. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Runs `tsc -p <project>`; `output` holds the diagnostics (empty when it type-checks). */
export function tsc(project: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(TSC, ['-p', project, '--pretty', 'false', ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
