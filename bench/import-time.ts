/**
 * Cold import time: a fresh `node` per sample (nothing cached in the module graph; the OS file cache
 * is warm, as on a server that restarts), timing only the `import()` / `require()` of the package
 * inside the process, so Node's own start-up is not counted. Both module formats, because passport
 * users mostly `require()` strategies while ESM apps import them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';
import { median } from './stats.js';
import { FOOTPRINT_PACKAGES } from './variants.js';

export interface ImportTime {
  packageName: string;
  /** Median milliseconds of `await import(name)` in a fresh ESM process. */
  esmMs: number;
  /** Median milliseconds of `require(name)` in a fresh CommonJS process. */
  cjsMs: number;
  samples: number;
}

const run = promisify(execFile);

async function sample(packageName: string, format: 'esm' | 'cjs'): Promise<number> {
  const name = JSON.stringify(packageName);
  const code =
    format === 'esm'
      ? `const t = performance.now(); await import(${name}); process.stdout.write(String(performance.now() - t));`
      : `const t = performance.now(); require(${name}); process.stdout.write(String(performance.now() - t));`;
  const args = format === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  // From the repository root, so the package resolves as an app's dependency would.
  const { stdout } = await run(process.execPath, args, { cwd: REPO_ROOT, timeout: 30_000 });
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`import of ${packageName} printed ${stdout}`);
  return ms;
}

export async function measureImportTimes(samples: number): Promise<ImportTime[]> {
  const results: ImportTime[] = [];
  for (const packageName of FOOTPRINT_PACKAGES) {
    const esm: number[] = [];
    const cjs: number[] = [];
    // Interleaved, one process at a time: the two formats see the same machine state.
    for (let i = 0; i < samples; i++) {
      esm.push(await sample(packageName, 'esm'));
      cjs.push(await sample(packageName, 'cjs'));
    }
    results.push({ packageName, esmMs: median(esm), cjsMs: median(cjs), samples });
  }
  return results;
}
