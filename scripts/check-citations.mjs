// Fails when a comment (or a Markdown file) cites a file of this repository that does not exist, or a
// section of docs/protocols/ that the document does not have. Comments cite protocol facts as
// `docs/protocols/soa2.md §4` or `docs/protocols/exbo.md, "Token replacement"`; a citation of a document
// that only ever lived outside the repo (a bare `soa2.md`, `design.md`) is an error too.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SKIP = new Set([
  'node_modules',
  'dist',
  '.git',
  'test-artifacts',
  'bench-results',
  'conformance-results',
]);
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const TOP =
  '(?:docs|packages|examples|test|bench|load|scripts|harness|conformance|\\.ci|\\.changeset)';
// A repo path, optionally followed by a section: `§4`, `§6–§7`, `"Heading"` or `#anchor`.
const PATH = new RegExp(
  `(?<![\\w./-])(${TOP}/[\\w./-]*\\w)(?:#([\\w-]+)|,? ?(§\\d+)|,? ?"([^"]+)")?`,
  'g',
);
// Build output, local settings and the example's database file (made on its first start), which a
// fresh clone does not have yet.
const GENERATED = /(^|\/)dist(\/|$)|\.env$|^examples\/express-login\/data\//;
// Documents that never were in this repo: a citation must name docs/protocols/… instead.
const BARE = /(?<![\w/.-])(exbo|soa2|design|passport-internals|toolchain)\.md\b/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (CODE.test(name) || name.endsWith('.md')) yield path;
  }
}

function isComment(line) {
  return /^\s*(\/\/|\/?\*)/.test(line) || / \/\/ /.test(line);
}

const headingCache = new Map();
function headings(path) {
  if (!headingCache.has(path)) {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l));
    headingCache.set(
      path,
      lines.map((l) => l.replace(/^#+ /, '')),
    );
  }
  return headingCache.get(path);
}

const slug = (h) =>
  h
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s/g, '-');

const problems = [];
for (const file of files(ROOT)) {
  const rel = relative(ROOT, file);
  if (rel === 'scripts/check-citations.mjs') continue; // its own comments show the patterns
  const markdown = file.endsWith('.md');
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!markdown && !isComment(line)) return;
      const where = `${rel}:${i + 1}`;
      for (const m of line.matchAll(BARE)) {
        problems.push(
          `${where}: cites ${m[0]}, which is not in this repository (docs/protocols/… ?)`,
        );
      }
      for (const [, path, anchor, section, quoted] of line.matchAll(PATH)) {
        if (GENERATED.test(path)) continue;
        const target = [join(dirname(file), path), join(ROOT, path)].find((p) => existsSync(p));
        if (!target) {
          problems.push(`${where}: cites ${path}, which does not exist`);
          continue;
        }
        if (!target.endsWith('.md')) continue;
        const hs = headings(target);
        if (anchor && !hs.some((h) => slug(h) === anchor)) {
          problems.push(`${where}: ${path} has no section #${anchor}`);
        }
        if (section && !hs.some((h) => h.startsWith(`${section.slice(1)}. `))) {
          problems.push(`${where}: ${path} has no section ${section}`);
        }
        if (quoted && !hs.some((h) => h.toLowerCase().includes(quoted.toLowerCase()))) {
          problems.push(`${where}: ${path} has no section "${quoted}"`);
        }
      }
    });
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} citation(s) point at nothing in this repository.`);
  process.exit(1);
}
console.log('Every cited repository path and protocol section exists.');
