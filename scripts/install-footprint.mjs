// What an app gets from `npm install --omit=dev` of one strategy, as a user installs it: each
// package is packed (npm pack), the tarballs are installed into an empty app in a temp folder,
// and the packages and the disk usage (du -sk, as the issue measured) of node_modules are counted.
// Goal (issue 15, item 1): at most 9 packages and 700 KB. Usage: node scripts/install-footprint.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MAX_PACKAGES = 9;
const MAX_KB = 700;
const work = mkdtempSync(join(tmpdir(), 'footprint-'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: 'pipe' });

const tarballs = {};
for (const name of ['core', 'passport-exbo', 'passport-soa2']) {
  const file = npm(
    ['pack', '--silent', '--pack-destination', work],
    resolve('packages', name),
  ).trim();
  tarballs[name] = join(work, file.split('\n').pop());
}

function countPackages(dir) {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) count += countPackages(join(dir, entry.name));
    else count += 1;
  }
  return count;
}

let failed = false;
for (const name of ['passport-exbo', 'passport-soa2']) {
  const app = join(work, `app-${name}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
  // core's tarball stands in for the registry copy the strategy depends on.
  npm(['install', '--omit=dev', '--no-audit', '--no-fund', tarballs.core, tarballs[name]], app);
  const modules = join(app, 'node_modules');
  const packages = countPackages(modules);
  const kb = Number(execFileSync('du', ['-sk', modules], { encoding: 'utf8' }).split('\t')[0]);
  const ok = packages <= MAX_PACKAGES && kb <= MAX_KB;
  failed ||= !ok;
  console.log(
    `${ok ? '✓' : '✗'} ${name}: ${packages} packages (≤ ${MAX_PACKAGES}), ${kb} KB node_modules (≤ ${MAX_KB} KB)`,
  );
}
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
