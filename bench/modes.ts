/**
 * How much work one `npm run bench` does. Quick mode fits a CI step (under a minute on 2 cores);
 * full mode repeats every variant over several rounds, in rotated order, so drift (thermal, page
 * cache, a noisy neighbour) spreads over all variants instead of landing on one.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUT_DIR } from './paths.js';
import { VARIANT_NAMES, type VariantName } from './variants.js';

export interface BenchMode {
  name: 'quick' | 'full';
  /** Logins in flight at once: each slot is one simulated user logging in again and again. */
  concurrency: number;
  /**
   * Complete callbacks per slot before measuring (JIT, connection pools, session store). CPU per
   * login keeps falling for every variant well past 400 logins (JIT, heap sizing), so full mode
   * warms up with as many logins as it measures.
   */
  warmupPerSlot: number;
  /** Complete callbacks per slot that are measured. */
  measuredPerSlot: number;
  /** Each variant is run this many times (fresh fakes and app each time); medians are reported. */
  rounds: number;
  /** Fresh processes per package and module format for the cold import time (median reported). */
  importRuns: number;
  /** Before each run, wait at most this long for other processes to leave the CPUs alone. */
  quietWaitMs: number;
}

export const MODES: Record<BenchMode['name'], BenchMode> = {
  quick: {
    name: 'quick',
    concurrency: 16,
    warmupPerSlot: 50,
    measuredPerSlot: 50,
    rounds: 1,
    importRuns: 5,
    quietWaitMs: 5_000,
  },
  full: {
    name: 'full',
    concurrency: 16,
    warmupPerSlot: 150,
    measuredPerSlot: 150,
    rounds: 5,
    importRuns: 15,
    quietWaitMs: 60_000,
  },
};

export interface BenchOptions {
  mode: BenchMode;
  /** Variants to run, in the order of the first round. */
  variants: VariantName[];
  /** Where the JSON and markdown go. */
  outDir: string;
  /** Skip the import-time and footprint measurements (faster iterations on the login path). */
  loginOnly: boolean;
  /**
   * Record a CPU profile of each app's measured phase into `<outDir>/profiles`. The profiler costs
   * CPU itself, so such a run's figures are for finding hot spots, not for comparing.
   */
  profile: boolean;
  /** Give the app under test a CPU of its own (see affinity.ts); off unless `--pin`. */
  pin: boolean;
  /** Exit with status 3 when passport-exbo or passport-soa2 misses one of the goals. */
  check: boolean;
}

const USAGE = `Usage: npm run bench -- [--quick | --full] [--variant NAME ...] [--concurrency N]
                       [--warmup N] [--per-slot N] [--rounds N] [--login-only] [--profile] [--pin] [--check]
                       [--out DIR]
  --quick        CI-sized run (default)
  --full         several rounds, more logins per round
  --variant      run only these variants (repeat the flag):
                 ${VARIANT_NAMES.join(', ')}
  --concurrency  logins in flight at once (default 16)
  --warmup       warm-up logins per concurrency slot, before measuring
  --per-slot     measured logins per concurrency slot
  --rounds       rounds per variant
  --login-only   skip cold import time and install footprint
  --profile      write a CPU profile of each app's measured phase (skews the figures)
  --pin          give the app its own CPU, fakes and driver the others (taskset)
  --check        exit 3 when a strategy misses a goal (CPU ≤ 1.15× floor, throughput ≥ alternative)
  --out          results folder (default bench-results)`;

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new UsageError(`${flag}: not a positive integer`);
  return Number(value);
}

export class UsageError extends Error {
  readonly usage = USAGE;
}

/** `--help`: not a mistake, but handled like one (print the usage), with exit status 0. */
export class HelpRequested extends UsageError {}

/** Reads the command line; throws {@link UsageError} with the usage text on a mistake. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new HelpRequested('');
  if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other');
  const base = MODES[values.full ? 'full' : 'quick'];
  const mode: BenchMode = {
    ...base,
    concurrency: positiveInteger('--concurrency', values.concurrency) ?? base.concurrency,
    warmupPerSlot: positiveInteger('--warmup', values.warmup) ?? base.warmupPerSlot,
    measuredPerSlot: positiveInteger('--per-slot', values['per-slot']) ?? base.measuredPerSlot,
    rounds: positiveInteger('--rounds', values.rounds) ?? base.rounds,
  };
  const variants = (values.variant ?? [...VARIANT_NAMES]) as string[];
  for (const name of variants) {
    if (!(VARIANT_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--variant: unknown variant "${name}"`);
    }
  }
  return {
    mode,
    variants: variants as VariantName[],
    outDir: values.out === undefined ? DEFAULT_OUT_DIR : resolve(values.out),
    loginOnly: values['login-only'] === true,
    profile: values.profile === true,
    pin: values.pin === true,
    check: values.check === true,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      variant: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      'per-slot': { type: 'string' },
      rounds: { type: 'string' },
      'login-only': { type: 'boolean' },
      profile: { type: 'boolean' },
      pin: { type: 'boolean' },
      check: { type: 'boolean' },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
}
