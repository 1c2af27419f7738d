/**
 * The code blocks a README marks as tested: an HTML comment `<!-- tested: NAME -->` on the line
 * right before a fenced block. The test writes each one into its own folder under
 * test-artifacts/readme/ (git-ignored), inside the repository, so `require('passport-exbo')` and
 * the `@types` resolve from the repo's node_modules the way they would from an app's.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, 'test-artifacts/readme');

const MARKED_BLOCK = /^<!-- tested: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)^```$/gm;

/** The marked blocks of a README (path from the repo root), by name; names must be unique. */
export function testedBlocks(readme: string): Map<string, string> {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  const blocks = new Map<string, string>();
  for (const [, name = '', , code = ''] of text.matchAll(MARKED_BLOCK)) {
    assert.ok(!blocks.has(name), `${readme}: two blocks are marked "tested: ${name}"`);
    blocks.set(name, code);
  }
  return blocks;
}

/** One marked block, failing with the names found when it is missing. */
export function block(blocks: Map<string, string>, name: string): string {
  const code = blocks.get(name);
  assert.ok(code, `no block marked "tested: ${name}" (found: ${[...blocks.keys()].join(', ')})`);
  return code;
}

/**
 * A fresh folder test-artifacts/readme/<name> holding `files` (path → content), as a user's empty
 * project folder after pasting; returns its absolute path.
 */
export function writeProject(name: string, files: Record<string, string>): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
