// Publishes the workspace's public packages, each after the packages it depends on (the fakes, then
// the strategies; core is compiled into the strategies and not published), so a registry never
// serves a package whose dependency is not there yet.
//
//   node scripts/publish-packages.mjs --dry-run   CI: `npm publish --dry-run` for each package; fails on
//                                                 what would make a broken or surprising release
//   node scripts/publish-packages.mjs             `npm run release` (RELEASING.md): publishes each
//                                                 version not on the registry yet, stops at the first failure
//
// Why not `changeset publish`: @changesets/cli 2.x publishes all packages concurrently, in no
// dependency order (its publishPackages uses Promise.all); the releases it prepares (versions,
// changelogs) are published here instead, then tagged with `changeset tag`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** npm warnings that say nothing about the package: the machine's own config, no login in CI. */
const HARMLESS_WARNINGS = [
  /^npm warn Unknown (user|project|env|builtin) config /,
  /^npm warn publish This command requires you to be logged in .*\(dry-run\)$/,
];

/** Files every tarball carries. */
const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE'];

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The workspace folders of the root package.json, `examples/*`-style globs expanded. */
function workspaceDirs(root) {
  return readJson(join(root, 'package.json')).workspaces.flatMap((entry) => {
    if (!entry.endsWith('/*')) return [entry];
    const parent = entry.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`);
  });
}

/**
 * The public (not `private`) workspace packages, each after those it depends on (dependencies,
 * peer and optional ones: what an install of it needs); otherwise in the workspaces' order.
 */
export function publishOrder(root = '.') {
  const packages = workspaceDirs(root)
    .map((dir) => ({ dir, pkg: readJson(join(root, dir, 'package.json')) }))
    .filter(({ pkg }) => !pkg.private);
  const names = new Set(packages.map(({ pkg }) => pkg.name));
  const needs = (pkg) =>
    Object.keys({
      ...pkg.dependencies,
      ...pkg.peerDependencies,
      ...pkg.optionalDependencies,
    }).filter((name) => names.has(name) && name !== pkg.name);
  const ordered = [];
  const placed = new Set();
  while (ordered.length < packages.length) {
    const next = packages.find(
      ({ pkg }) => !placed.has(pkg.name) && needs(pkg).every((name) => placed.has(name)),
    );
    if (!next) {
      const left = packages.filter(({ pkg }) => !placed.has(pkg.name)).map(({ pkg }) => pkg.name);
      throw new Error(`The packages depend on each other in a cycle: ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next.pkg.name);
  }
  return ordered;
}

/** Every file path package.json points at (entry points, types, bins), without a leading `./`. */
function referencedFiles(pkg) {
  const paths = [];
  const collect = (value) => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([pkg.main, pkg.module, pkg.types, pkg.typings, pkg.exports, pkg.bin]);
  return [
    ...new Set(paths.filter((path) => !path.includes('*')).map((p) => p.replace(/^\.\//, ''))),
  ];
}

/** What is wrong with the package's metadata for a public release. */
function metadataProblems(pkg, dir) {
  const problems = [];
  if (pkg.license !== 'MIT') problems.push(`license is ${JSON.stringify(pkg.license)}, not "MIT"`);
  const repo = pkg.repository;
  if (typeof repo !== 'object' || repo?.type !== 'git' || !repo.url) {
    problems.push('repository must be { "type": "git", "url": …, "directory": … }');
  } else if (repo.directory !== dir) {
    problems.push(`repository.directory is ${JSON.stringify(repo.directory)}, not "${dir}"`);
  }
  if (!pkg.homepage) problems.push('no homepage');
  if (!pkg.bugs?.url) problems.push('no bugs.url');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords');
  // Passport strategies are found on the registry by this keyword.
  if (pkg.name.startsWith('passport-') && !pkg.keywords?.includes('passport')) {
    problems.push('a Passport strategy without the "passport" keyword');
  }
  return problems;
}

/**
 * Runs `npm publish --dry-run` in `dir` (relative to `root`) and returns what is wrong: npm's
 * warnings (fields it would fix or drop, such as a bin it rewrites), files missing from the
 * tarball (README, LICENSE, any entry point, type or bin), a tsbuildinfo in it, and metadata.
 */
export function dryRunProblems(dir, root = '.') {
  const cwd = join(root, dir);
  const pkg = readJson(join(cwd, 'package.json'));
  const result = spawnSync('npm', ['publish', '--dry-run', '--json'], { cwd, encoding: 'utf8' });
  const problems = [];
  if (result.status !== 0) {
    problems.push(`npm publish --dry-run failed (${result.status}): ${result.stderr.trim()}`);
    return problems;
  }
  for (const line of result.stderr.split('\n')) {
    if (/^npm warn /.test(line) && !HARMLESS_WARNINGS.some((pattern) => pattern.test(line))) {
      problems.push(line);
    }
  }
  // npm 11 prints { "<name>": { files: [{ path }], … } }; older versions the bare object.
  const report = JSON.parse(result.stdout);
  const files = new Set((report[pkg.name] ?? report).files.map((file) => file.path));
  for (const path of [...REQUIRED_FILES, ...referencedFiles(pkg)]) {
    if (!files.has(path)) problems.push(`${path} is not in the tarball`);
  }
  for (const path of files) {
    if (path.endsWith('.tsbuildinfo')) problems.push(`${path} is in the tarball`);
  }
  problems.push(...metadataProblems(pkg, dir));
  return problems;
}

/** Whether `name@version` is on the registry already (then publishing it again would fail). */
function isPublished(name, version) {
  const result = spawnSync('npm', ['view', `${name}@${version}`, 'version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === version;
}

function run(args, cwd) {
  console.log(`$ ${args.join(' ')}${cwd === '.' ? '' : `   (in ${cwd})`}`);
  return spawnSync(args[0], args.slice(1), { cwd, stdio: 'inherit' }).status === 0;
}

function main(dryRun) {
  const order = publishOrder();
  console.log(`Publish order: ${order.map(({ pkg }) => pkg.name).join(', ')}`);
  if (dryRun) {
    let failed = false;
    for (const { dir, pkg } of order) {
      const problems = dryRunProblems(dir);
      console.log(
        `\n== npm publish --dry-run ${pkg.name}@${pkg.version}: ${problems.length === 0 ? 'clean' : 'PROBLEMS'}`,
      );
      for (const problem of problems) console.error(`  ${problem}`);
      failed ||= problems.length > 0;
    }
    return failed ? 1 : 0;
  }
  for (const { dir, pkg } of order) {
    if (isPublished(pkg.name, pkg.version)) {
      console.log(`${pkg.name}@${pkg.version} is on the registry already: skipped`);
      continue;
    }
    // Scoped packages are private on the registry unless published with public access.
    if (!run(['npm', 'publish', '--access', 'public'], dir)) {
      console.error(`Publishing ${pkg.name} failed: the packages after it were not published.`);
      return 1;
    }
  }
  // A git tag per published version (name@version), as `changeset publish` would create.
  return run(['npx', '--no-install', 'changeset', 'tag'], '.') ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(main(process.argv.includes('--dry-run')));
}
