/**
 * `npm run bench [-- --full]`: what a login costs with each implementation, side by side in one run.
 * See bench/README.md for the method. Exits 1 when any login failed, 2 on a usage error, and with
 * `--check` 3 when a strategy misses one of the goals.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pin, cpuPlan as planCpus } from './affinity.js';
import { measureFootprints } from './footprint.js';
import { measureImportTimes } from './import-time.js';
import { type LoginRunResult, runLoginBenchmark, summarise } from './login-benchmark.js';
import { waitForQuiet } from './machine-load.js';
import { HelpRequested, parseBenchArgs, UsageError } from './modes.js';
import { type BenchReport, checkGoals, markdownReport } from './report.js';

/** Before each run, wait (at most `mode.quietWaitMs`) until others use less than this many CPUs. */
const QUIET_CORES = 0.2;

async function main(argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  const { mode, variants } = options;
  const started = Date.now();
  console.error(
    `bench: ${mode.name} mode, ${variants.length} variants × ${mode.rounds} round(s), ` +
      `${mode.concurrency * mode.measuredPerSlot} measured logins each at concurrency ${mode.concurrency}`,
  );

  const cpuPlan = options.pin ? await planCpus() : undefined;
  if (cpuPlan) await pin(process.pid, cpuPlan.rest);
  const pinning = cpuPlan
    ? `app under test pinned to CPU ${cpuPlan.app}; fakes and driver on CPU ${cpuPlan.rest}`
    : 'no CPU pinning (all processes share the CPUs)';
  console.error(`bench: ${pinning}`);
  const profileDir = options.profile ? join(options.outDir, 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const runs: LoginRunResult[] = [];
  for (let round = 0; round < mode.rounds; round++) {
    // Rotated order: no variant always runs first (cold machine) or last (warm, fragmented).
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const variant of order) {
      const others = await waitForQuiet(QUIET_CORES, mode.quietWaitMs);
      if (others !== undefined && others > QUIET_CORES) {
        console.error(
          `  (the machine stays busy: ${others.toFixed(1)} cores used by others; running anyway)`,
        );
      }
      const run = await runLoginBenchmark(variant, round, mode, { cpuPlan, profileDir });
      runs.push(run);
      console.error(
        `  round ${round + 1} ${variant.padEnd(14)} ${run.loginsPerSecond.toFixed(0).padStart(5)} logins/s` +
          `  p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms` +
          `  ${run.cpuMicrosPerLogin.toFixed(0)} µs CPU/login` +
          (run.otherLoadCores > 0.2
            ? `  (machine busy: ${run.otherLoadCores.toFixed(1)} cores used by others)`
            : '') +
          (run.failureCount ? `  ${run.failureCount} FAILED: ${run.failures[0]}` : ''),
      );
    }
  }
  const logins = variants.map((variant) =>
    summarise(runs.filter((run) => run.variant === variant)),
  );

  const imports = options.loginOnly ? [] : await measureImportTimes(mode.importRuns);
  const footprints = options.loginOnly ? [] : await measureFootprints();

  const cpu = cpus();
  const report: BenchReport = {
    date: new Date().toISOString(),
    mode,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      pinning,
    },
    durationSeconds: (Date.now() - started) / 1000,
    profiled: options.profile,
    logins,
    runs,
    imports,
    footprints,
  };
  const markdown = markdownReport(report);
  await mkdir(options.outDir, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const base = join(options.outDir, `bench-${mode.name}-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown);
  await writeFile(
    join(options.outDir, `latest-${mode.name}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  await writeFile(join(options.outDir, `latest-${mode.name}.md`), markdown);
  process.stdout.write(markdown);
  console.error(`bench: wrote ${base}.json and .md (${report.durationSeconds.toFixed(0)} s)`);
  if (logins.some((summary) => summary.failureCount > 0)) return 1;
  const missed = checkGoals(logins).filter((goal) => !goal.cpuOk || goal.throughputOk === false);
  if (options.check && missed.length > 0) {
    console.error(`bench: goals missed by ${missed.map((goal) => goal.variant).join(', ')}`);
    return 3;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof HelpRequested) {
      console.log(err.usage);
      process.exit(0);
    }
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${err.usage}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
