/**
 * Memory of the example app without Redis under abandoned logins (issue 16): starts server.js as
 * `npm start` does (sessions in memory), sends N cookie-less `GET /auth/exbo` (each creates a
 * session holding one started login that is never finished) and prints the app's resident memory
 * before and after, as one JSON line.
 *
 *   npm run build && node --import tsx load/abandoned-logins.ts   # ABANDONED=20000 CONCURRENCY=16
 */
import { readFile } from 'node:fs/promises';
import { startFakes } from '../harness/fakes.js';
import { startExampleApp } from './run-load.js';

const ABANDONED = Number(process.env.ABANDONED ?? 20_000);
/** Resident memory is also printed after every this many starts, to show where it levels off. */
const CHECKPOINT = Number(process.env.CHECKPOINT ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

/** Current resident memory of `pid` in MB (Linux `VmRSS`). */
async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round(kB / 1024);
}

const providers = await startFakes({ accounts: 5 });
const { instance: app } = await startExampleApp(providers);
const pid = app.process.pid as number;
try {
  const start = async () => {
    const res = await fetch(`${app.url}/auth/exbo`, { redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 302) throw new Error(`GET /auth/exbo answered ${res.status}`);
  };
  // Warm up (JIT, connection pools), then measure from there.
  for (let i = 0; i < 200; i++) await start();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = await rssMB(pid);
  let sent = 0;
  const checkpoints: Record<number, number> = {};
  const started = performance.now();
  for (let done = 0; done < ABANDONED; done += CHECKPOINT) {
    const until = Math.min(ABANDONED, done + CHECKPOINT);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < until) {
          sent++;
          await start();
        }
      }),
    );
    checkpoints[until] = await rssMB(pid);
  }
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await rssMB(pid);
  const peak = Math.round(((await app.peakRss()) ?? 0) / 1024 / 1024);
  console.log(
    JSON.stringify({
      abandonedLogins: ABANDONED,
      rssBeforeMB: before,
      rssAfterMB: after,
      rssMBAfter: checkpoints,
      peakRssMB: peak,
      seconds: Math.round(seconds),
    }),
  );
} finally {
  await app.stop();
  await providers.close();
}
