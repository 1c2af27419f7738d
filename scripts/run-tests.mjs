// Runs every test/**/*.test.ts with node's test runner. Node 20's `--test` neither expands globs
// nor finds .ts files in a folder (it would report 0 tests and exit 0), so the files are collected
// here, and finding none is a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : collect(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// `npm test -- test/exbo` narrows the run to files under the given paths.
const roots = process.argv.slice(2);
const files = collect('test')
  .filter((file) => roots.length === 0 || roots.some((root) => file.startsWith(root)))
  .sort();
if (files.length === 0) {
  console.error(`No test files found under ${roots.length ? roots.join(', ') : 'test/'}`);
  process.exit(1);
}

// TAP in CI: its closing `# tests / # pass / # fail` lines are what CI reads; spec for people.
const reporter = process.env.CI ? 'tap' : 'spec';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=120000', `--test-reporter=${reporter}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
