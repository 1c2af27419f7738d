// Removes comments from the published packages' built JavaScript (dist/**/*.js), after tsc. The
// comments stay in the sources and in the .d.ts files (where editors show them); in the .js they
// only weigh on every install (issue 15: an app installing one strategy gets at most 700 KB of
// node_modules). esbuild reprints the code unminified, so stack traces stay readable.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

for (const name of ['core', 'passport-exbo', 'passport-soa2']) {
  for (const file of jsFiles(`packages/${name}/dist`)) {
    const { code } = transformSync(readFileSync(file, 'utf8'), {
      loader: 'js',
      legalComments: 'none',
      charset: 'utf8',
    });
    writeFileSync(file, code);
  }
}
