/**
 * Memory returns to its baseline after hostile traffic: thousands of forged callbacks and broken
 * provider answers (timeouts, resets, huge bodies...) through both strategies, in a child process
 * started with --expose-gc (memory-probe.ts), measured after full garbage collections.
 *
 * The first round warms up (compiled code, caches, connection pools); after the second round the
 * heap is the baseline; two more rounds must leave it where it was, within a generous tolerance:
 * a leak of even a couple of kilobytes per attempt would exceed it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));
const TOLERANCE_BYTES = 3 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 120_000;

interface ProbeReport {
  heaps: number[];
  attempts: number;
  elapsedMs: number;
}

function runProbe(): Promise<ProbeReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0)
        return reject(new Error(`probe exited ${code ?? signal}:\n${stderr}${stdout}`));
      try {
        resolve(JSON.parse(last) as ProbeReport);
      } catch {
        reject(new Error(`probe printed no report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

test('the heap returns to its baseline after rounds of hostile callbacks and provider answers', {
  timeout: 110_000,
}, async () => {
  const report = await runProbe();
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const [, baseline, ...later] = report.heaps;
  assert.ok(baseline !== undefined && later.length >= 2, JSON.stringify(report));
  const final = later.at(-1) as number;
  const summary = `heap after each round: ${report.heaps.map(mib).join(', ')} (${report.attempts} attempts in ${report.elapsedMs} ms)`;
  console.log(summary);
  assert.ok(report.attempts >= 2000, `enough traffic to show a leak: ${summary}`);
  assert.ok(
    final - baseline < TOLERANCE_BYTES,
    `the heap grew by ${mib(final - baseline)} after the baseline: ${summary}`,
  );
});
