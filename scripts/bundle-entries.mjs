// Writes the published runtime files of passport-exbo and passport-soa2 (and core's, which the
// repository's own tests load) after tsc has type-checked the packages and written their modules
// and types into dist/lib. What an app loads, and why it is shaped so (issue 15: cold `require`
// and `import` within 1.15× of passport-oauth2's, install ≤ 9 packages and 700 KB; the
// measurements are in bench/README.md, "The load-time goal"):
//
// - dist/<entry>.bundle.js: one CommonJS file per entry point, bundled by esbuild from the
//   TypeScript sources (ESM), so modules are hoisted into one scope instead of each wrapped in a
//   function, and what an entry does not use is left out. @exbo-soa2/core is compiled into each
//   bundle: it is not a runtime dependency, so an app installs and resolves one package less.
//   OAuthError stays one type across copies: `isOAuthError` and `instanceof` check a `Symbol.for`
//   brand (core errors.ts).
// - dist/index.js and dist/<subpath>.js (`game-api`, `accounts`): a few lines each, requiring the
//   bundle, and the targets of the package's "exports" map, which names every public entry point
//   (`require`, `import` and `types` each) so that a deep import (`passport-exbo/dist/…`) fails.
//   `import` reaches these same CommonJS files (one copy of the code whatever the format) and Node
//   scans their source for export names: a scan of a 40 KB bundle costs ≈ 14 ms, a scan of this
//   file nothing; the `0 && (module.exports = {…})` line is what it finds (the bundle is required
//   through a variable: `module.exports = require(…)` would make Node scan it too). `require`
//   takes the same file, not the bundle directly (~0.18 ms less): publint reads two targets as
//   a dual ESM/CJS package and the CommonJS types as wrong for `import`. An "exports" map makes
//   Node load its ESM resolver on the first `require` of the package (≈ 4 ms in a bare process),
//   but an Express 5 app has loaded it already (several of Express's dependencies have a map), so
//   an app does not pay it: bench/README.md, "The load-time goal", measures the added load time
//   there. `typesVersions` gives the subpaths' types to TypeScript's old `node10` resolution.
// - The root follows Passport's CommonJS convention: the module is the Strategy constructor, with
//   every root name (`.Strategy`, `.ExboClient`, …, `.default`) as its properties, as
//   passport-oauth2 and passport-github2 do; dist/index.d.ts says so with `export =`.
// - Types: tsc's, with their `@exbo-soa2/core` imports pointed at a copy of core's declarations
//   (core is not installed with the package), bundled into dist/types: one file per entry point
//   and one they share (see publishedTypes).
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const require = createRequire(import.meta.url);
const CORE_SOURCE = resolve('packages/core/src/index.ts');

/**
 * Per package: entry → the source module it starts from (under src) and how it is published. A
 * `strategy` root or a `subpath` gets a small entry file in front of its bundle
 * (dist/<entry>.bundle.js); the others are bundles required by path (dist/<entry>.js).
 */
const PACKAGES = {
  // Not published: the repository's tests load it as its own package.
  core: {
    index: { from: 'index' },
    'proxy-tunnel': { from: 'proxy-tunnel' },
    'cookie-state-store': { from: 'cookie-state-store' },
  },
  'passport-exbo': {
    index: { from: 'entries/root', strategy: true },
    'game-api': { from: 'entries/game-api', subpath: true },
    // The `characters` option's loader: required by the Strategy only when the option is used, so
    // a plain login does not parse it. It uses the game API through the game-api bundle.
    'profile-characters': {
      from: 'profile-characters',
      renamed: { './game-api.js': './game-api.bundle.js' },
    },
    // The transport and answer readers: required by the client's first request (requests.ts).
    requests: { from: 'requests' },
    // The proxy tunnels: required on the first request of a transport with a proxy, never
    // otherwise (core senders.ts).
    'proxy-tunnel': { from: '../../core/src/proxy-tunnel' },
    // The login state in a cookie (`state: { cookie }`): required when a strategy is made with it.
    'cookie-state-store': { from: '../../core/src/cookie-state-store' },
  },
  'passport-soa2': {
    index: { from: 'entries/root', strategy: true },
    accounts: { from: 'entries/accounts', subpath: true },
    cli: { from: 'cli' },
    'proxy-tunnel': { from: '../../core/src/proxy-tunnel' },
    'cookie-state-store': { from: '../../core/src/cookie-state-store' },
  },
};

/** Loaded lazily by a bundle, by these paths relative to it (see the entries above). */
const LAZY = [
  './profile-characters.js',
  './requests.js',
  './proxy-tunnel.js',
  './cookie-state-store.js',
];

const HEADER = '// Generated by scripts/bundle-entries.mjs: do not edit.\n';

/** The names a tsc-emitted index .d.ts re-exports: `export { a, type B, c as d } from '…';`. */
function declaredNames(dts) {
  const names = [];
  for (const match of dts.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of match[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  }
  return [...new Set(names)];
}

/** Imports bundled elsewhere: required at run time by the given path (relative to dist/). */
const requiredAs = (renamed) => ({
  name: 'required-as',
  setup(build) {
    build.onResolve({ filter: /^\.\// }, ({ path }) =>
      renamed[path] ? { path: renamed[path], external: true } : undefined,
    );
  },
});

/** The line Node's scan of CommonJS source finds export names in (it never runs). */
const exportNamesLine = (names) => `0 && (module.exports = { ${names.join(', ')} });\n`;

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The published declarations, dist/types: tsc's (dist/lib, left as tsc wrote them, so incremental
 * builds stay right) with their `@exbo-soa2/core` imports pointed at a copy of core's
 * declarations, then bundled by rollup-plugin-dts into one file per entry point and one shared by
 * them (`shared.d.ts`, so a type both entries use, e.g. `ExboClient`, is one declaration). Forty
 * small files took ~200 KiB of disk in 4 KiB blocks; three take ~64 (issue 15: install ≤ 700 KiB).
 * `entries` are the modules under src/ whose declarations are entry points.
 */
async function publishedTypes(dist, entries) {
  const types = `${dist}/types`;
  const unbundled = `${dist}/types-unbundled`;
  for (const dir of [types, unbundled]) rmSync(dir, { recursive: true, force: true });
  const declarations = { filter: (path) => statSync(path).isDirectory() || path.endsWith('.d.ts') };
  cpSync(`${dist}/lib`, unbundled, { recursive: true, ...declarations });
  cpSync('packages/core/dist/lib', `${unbundled}/core`, { recursive: true, ...declarations });
  for (const file of filesUnder(unbundled)) {
    const text = readFileSync(file, 'utf8');
    let target = relative(dirname(file), `${unbundled}/core/index.js`);
    if (!target.startsWith('.')) target = `./${target}`;
    const rewritten = text.replace(/(['"])@exbo-soa2\/core\1/g, `'${target}'`);
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
  const bundle = await rollup({
    input: Object.fromEntries(entries.map((from) => [from, `${unbundled}/${from}.d.ts`])),
    plugins: [dts()],
    // Other packages' types (node:*, passport, express…) stay imports.
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    // rollup-plugin-dts warns of shared types no entry names (TS2742 for a consumer's inferred
    // types); the per-module layout had the same names unreachable behind the "exports" map.
    onwarn: (warning, warn) => warning.plugin === 'dts' || warn(warning),
  });
  await bundle.write({
    dir: types,
    format: 'es',
    entryFileNames: '[name].d.ts',
    chunkFileNames: 'shared.d.ts',
  });
  await bundle.close();
  rmSync(unbundled, { recursive: true, force: true });
  // rollup-plugin-dts exports interfaces with `export type { … }`, which dist/index.d.ts's
  // `export import X = root.X` aliases cannot reference (TS1379); in a declaration file a plain
  // `export { … }` of an interface means the same.
  for (const file of filesUnder(types)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^export type \{/gm, 'export {'));
  }
}

for (const [name, entries] of Object.entries(PACKAGES)) {
  const dir = resolve('packages', name);
  const dist = `${dir}/dist`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  const external = Object.keys(pkg.dependencies ?? {});
  // Earlier layouts' files, so that a rebuilt dist/ holds only what this layout publishes.
  for (const file of readdirSync(dist)) {
    if (/\.(m?js|d\.m?ts)$/.test(file)) rmSync(`${dist}/${file}`);
  }
  if (name !== 'core') {
    const typed = Object.values(entries).filter((spec) => spec.strategy || spec.subpath);
    await publishedTypes(
      dist,
      typed.map((spec) => spec.from),
    );
  }

  for (const [entry, spec] of Object.entries(entries)) {
    const { from, strategy = false, subpath = false } = spec;
    const shim = strategy || subpath;
    const bundle = shim ? `${entry}.bundle.js` : `${entry}.js`;
    await build({
      entryPoints: [`${dir}/src/${from}.ts`],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      alias: { '@exbo-soa2/core': CORE_SOURCE },
      external: [...external, ...LAZY],
      plugins: spec.renamed ? [requiredAs(spec.renamed)] : [],
      tsconfig: `${dir}/tsconfig.json`,
      legalComments: 'none',
      // Whitespace only: names and statements stay as written, so a stack trace still names our
      // functions. It is a third of the bytes, and bytes on disk are most of the install's weight.
      minifyWhitespace: true,
      charset: 'utf8',
      logLevel: 'warning',
      outfile: `${dist}/${bundle}`,
    });
    if (!shim) continue;

    const names = Object.keys(require(`${dist}/${bundle}`)).filter((n) => n !== 'default');
    if (strategy) {
      writeFileSync(
        `${dist}/index.js`,
        `${HEADER}'use strict';
// ${name}: the code is in ${bundle}. This file stays small because \`import\` scans it for export
// names (scripts/bundle-entries.mjs). Passport's convention: the module is the Strategy, carrying
// every root name.
const root = require('./${bundle}');
module.exports = Object.assign(root.Strategy, root, { default: root.Strategy });
${exportNamesLine(names)}`,
      );
      const types = declaredNames(readFileSync(`${dist}/lib/${from}.d.ts`, 'utf8'));
      writeFileSync(
        `${dist}/index.d.ts`,
        `${HEADER}import * as root from './types/${from}.js';
/** The Strategy, which also carries every export of the package (Passport's CommonJS convention). */
declare class Strategy extends root.Strategy {}
declare namespace Strategy {
${types.map((type) => `  export import ${type} = root.${type};`).join('\n')}
}
export = Strategy;
`,
      );
    } else {
      // `${name}/${entry}`, through the "exports" map (see the top of this file).
      writeFileSync(
        `${dist}/${entry}.js`,
        `${HEADER}'use strict';
// ${name}/${entry}: the code is in ${bundle}. This file stays small because \`import\` scans it
// for export names (scripts/bundle-entries.mjs); the bundle is required through a variable, since
// \`module.exports = require(…)\` would make Node scan the bundle too.
const api = require('./${bundle}');
module.exports = api;
${exportNamesLine(names)}`,
      );
      writeFileSync(`${dist}/${entry}.d.ts`, `${HEADER}export * from './types/${from}.js';\n`);
    }
  }
}
