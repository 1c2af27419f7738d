// Package checks for every published workspace package: publint (package.json vs files) and
// attw --pack (types resolve for require and import under every module resolution mode, the
// entry points taken from each package's "exports" map).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let failed = false;
for (const name of readdirSync('packages')) {
  const dir = `packages/${name}`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  if (pkg.private) continue;
  for (const [tool, args] of [
    ['publint', ['publint', dir, '--strict']],
    ['attw', ['attw', '--pack', dir, '--format', 'table-flipped']],
  ]) {
    console.log(`\n== ${tool} ${pkg.name}`);
    const result = spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`${tool} found problems in ${pkg.name}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
