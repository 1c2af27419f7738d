/**
 * `npm run bench [-- --full]`: what a login costs with each implementation, side by side in one
 * run, then the package section (cold load, modules per entry point, install footprint).
 * `--footprint-only` runs just the package section (`npm run bench:footprint`).
 * See bench/README.md for the method. Exits 1 when a login failed or a package did not load, 2 on
 * a usage error, and with `--check` 3 when a goal is missed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { withInstalledApps } from './footprint.js';
import { measureLoadTimes } from './load-time.js';
import { type LoginRun, runVariant, summarise } from './login-run.js';
import { waitForQuiet } from './machine-load.js';
import { isUsageError, type OptionSpec, parseOptions, UsageError, usage } from './options.js';
import { REPO_ROOT } from './paths.js';
import { type BenchReport, goals, markdownReport } from './report.js';
import { VARIANT_NAMES, type VariantName } from './variants.js';

/**
 * Quick mode checks that everything works (a few minutes on 2 cores); full mode warms up with as
 * many logins as it measures (CPU per login keeps falling well past 400 logins: JIT, heap sizing)
 * and repeats every variant in rotated order, so drift spreads over all variants, not onto one.
 */
const MODES = {
  quick: { warmupPerSlot: 50, measuredPerSlot: 50, rounds: 1, quietWaitMs: 5_000 },
  full: { warmupPerSlot: 150, measuredPerSlot: 150, rounds: 5, quietWaitMs: 60_000 },
};
/** Logins in flight at once: each slot is one simulated user logging in again and again. */
const CONCURRENCY = 16;
/** Fresh processes per package and module format for the cold load time (issue 15: ≥ 15). */
const LOAD_SAMPLES = 21;
/** Before each run, wait (at most the mode's quietWaitMs) until others use less than this. */
const QUIET_CORES = 0.2;

const OPTIONS: Record<string, OptionSpec> = {
  quick: { help: 'CI-sized run (default)' },
  full: { help: '5 rounds, 3× the logins per round' },
  variant: {
    kind: 'list',
    help: `run only these variants (repeat the flag): ${VARIANT_NAMES.join(', ')}`,
  },
  concurrency: { kind: 'number', help: 'logins in flight at once (default 16)' },
  // A warm-up may be left out; everything else needs at least one.
  warmup: { kind: 'number', min: 0, help: 'warm-up logins per concurrency slot, before measuring' },
  'per-slot': { kind: 'number', help: 'measured logins per concurrency slot' },
  rounds: { kind: 'number', help: 'rounds per variant' },
  'login-only': { help: 'skip the package section (load time, modules, install footprint)' },
  'footprint-only': { help: 'only the package section (also: npm run bench:footprint)' },
  check: { help: 'exit 3 when a goal is missed' },
  out: { kind: 'text', help: 'results folder (default bench-results)' },
};
const USAGE = usage('Usage: npm run bench -- [OPTION ...]', OPTIONS);

function parse(argv: string[]) {
  const { values, number } = parseOptions(OPTIONS, argv);
  const modeName = values.full ? 'full' : 'quick';
  const base = MODES[modeName];
  const variants = (values.variant ?? VARIANT_NAMES) as VariantName[];
  const unknown = variants.find((name) => !VARIANT_NAMES.includes(name));
  if (unknown) throw new UsageError(`--variant: unknown variant "${unknown}"`);
  if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other');
  if (values['login-only'] && values['footprint-only']) {
    throw new UsageError('--login-only and --footprint-only exclude each other');
  }
  return {
    help: values.help === true,
    modeName,
    size: {
      concurrency: number('concurrency', CONCURRENCY),
      warmupPerSlot: number('warmup', base.warmupPerSlot),
      measuredPerSlot: number('per-slot', base.measuredPerSlot),
    },
    rounds: number('rounds', base.rounds),
    quietWaitMs: base.quietWaitMs,
    variants: values['footprint-only'] ? [] : variants,
    packages: values['login-only'] !== true,
    check: values.check === true,
    // The default is git-ignored.
    outDir: typeof values.out === 'string' ? resolve(values.out) : join(REPO_ROOT, 'bench-results'),
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { size, rounds, variants } = options;
  const started = Date.now();
  const runs: LoginRun[] = [];
  for (let round = 0; round < rounds && variants.length > 0; round++) {
    // Rotated order: no variant always runs first (cold machine) or last.
    for (const variant of variants.map((_, i) => variants[(i + round) % variants.length]!)) {
      const others = await waitForQuiet(QUIET_CORES, options.quietWaitMs);
      if (others > QUIET_CORES) console.error(`  (others use ${others.toFixed(1)} cores)`);
      const run = await runVariant(variant, size);
      runs.push(run);
      console.error(
        `  round ${round + 1} ${variant.padEnd(14)} ${run.loginsPerSecond.toFixed(0)} logins/s, ` +
          `${run.cpuMicrosPerLogin.toFixed(0)} µs CPU/login` +
          (run.failureCount ? `, ${run.failureCount} FAILED: ${run.failures[0]}` : ''),
      );
    }
  }
  if (options.packages) console.error('bench: cold load times, module counts, install footprint');
  // A package that no longer loads must not cost the login figures measured above: report it.
  const packages = options.packages
    ? await withInstalledApps((apps) =>
        measureLoadTimes(LOAD_SAMPLES, apps).catch((err: Error) => {
          console.error(`bench: cold load not measured: ${err.message}`);
          return undefined;
        }),
      )
    : undefined;
  const cpu = cpus();
  const measured =
    `${options.modeName} mode: ${size.concurrency * size.measuredPerSlot} measured callbacks per ` +
    `round at concurrency ${size.concurrency} after ${size.concurrency * size.warmupPerSlot} ` +
    `warm-up, ${rounds} round(s)${rounds > 1 ? ' (medians, range in brackets)' : ''}; `;
  const report: BenchReport = {
    title: runs.length === 0 ? 'Package footprint and load time' : 'Login benchmark',
    date: new Date().toISOString(),
    setup:
      `${runs.length === 0 ? '' : measured}${cpu.length} × ${cpu[0]?.model}, ` +
      `Node ${process.version}; took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    logins: variants.map((variant) => summarise(runs.filter((run) => run.variant === variant))),
    runs,
    load: packages?.measured,
    footprints: packages?.footprints,
  };
  const markdown = markdownReport(report);
  const kind = runs.length === 0 ? 'footprint' : options.modeName;
  const base = join(options.outDir, `bench-${kind}-${report.date.replace(/[:.]/g, '-')}`);
  await mkdir(options.outDir, { recursive: true });
  for (const path of [base, join(options.outDir, `latest-${kind}`)]) {
    await writeFile(`${path}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${path}.md`, markdown);
  }
  process.stdout.write(markdown);
  console.error(`bench: wrote ${base}.json and .md`);
  if (runs.some((run) => run.failureCount > 0) || (options.packages && !report.load)) return 1;
  return options.check && goals(report).some((goal) => !goal.ok) ? 3 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usageError = isUsageError(err);
    console.error(usageError ? `${(err as Error).message}\n\n${USAGE}` : err);
    process.exit(usageError ? 2 : 1);
  },
);
