/**
 * `npm run bench:paired -- A B`: a paired A/B comparison of two variants of one provider, for
 * differences smaller than the run-to-run noise of `npm run bench`.
 *
 * Both apps run at the same time against one fakes process and are measured in alternating
 * phases (A B, B A, A B, ...), so whatever else the machine does at a given moment lands on both
 * sides of a pair. The figure is the per-pair ratio of CPU per login: its median, and how many
 * pairs each side won. Logins/s is not compared: in a phase it depends as much on the fakes and the
 * driver sharing the CPUs.
 */
import { cpuMicros } from './children.js';
import { runCallbacks, take } from './driver.js';
import { withWarmApps } from './login-run.js';
import { isUsageError, type OptionSpec, parseOptions, UsageError, usage } from './options.js';
import { median } from './stats.js';
import { VARIANT_NAMES, VARIANTS, type VariantName } from './variants.js';

const OPTIONS: Record<string, OptionSpec> = {
  pairs: { kind: 'number', help: 'phase pairs to measure (default 12)' },
  'per-phase': { kind: 'number', help: 'logins per slot in each phase (default 50)' },
  warmup: { kind: 'number', help: 'warm-up logins per slot for each app (default 150)' },
  concurrency: { kind: 'number', help: 'logins in flight at once (default 16)' },
};
const USAGE = usage(
  `Usage: npm run bench:paired -- VARIANT_A VARIANT_B [OPTION ...]
  two variants of one provider, of: ${VARIANT_NAMES.join(', ')}`,
  OPTIONS,
);

async function main(argv: string[]): Promise<number> {
  const { values, positionals, number } = parseOptions(OPTIONS, argv, true);
  const names = positionals as VariantName[];
  const [pairs, perPhase] = [number('pairs', 12), number('per-phase', 50)];
  const [warmup, concurrency] = [number('warmup', 150), number('concurrency', 16)];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (
    names.length !== 2 ||
    !names.every((name) => VARIANT_NAMES.includes(name)) ||
    VARIANTS[names[0]!].provider !== VARIANTS[names[1]!].provider
  ) {
    throw new UsageError('give two variants of one provider');
  }

  const size = { concurrency, warmupPerSlot: warmup, measuredPerSlot: pairs * perPhase };
  const [cpuA, cpuB] = await withWarmApps(names, size, async (apps, driver) => {
    const cpuPerLogin = apps.map(() => [] as number[]);
    for (let pair = 0; pair < pairs; pair++) {
      for (const side of pair % 2 === 0 ? [0, 1] : [1, 0]) {
        const app = apps[side]!;
        const before = await app.snapshot();
        const run = await runCallbacks(driver, app.appURL, take(app.queue, perPhase));
        const after = await app.snapshot();
        if (run.failureCount > 0) throw new Error(`${app.variant}: ${run.failures[0]}`);
        cpuPerLogin[side]!.push(cpuMicros(before, after) / run.latenciesMs.length);
      }
      const [a, b] = cpuPerLogin.map((cpu) => cpu[pair]!) as [number, number];
      console.error(
        `  pair ${pair + 1}: ${names[0]} ${a.toFixed(0)} µs, ${names[1]} ${b.toFixed(0)} µs per login ` +
          `(${(a / b).toFixed(3)})`,
      );
    }
    return cpuPerLogin as [number[], number[]];
  });
  const ratios = cpuA.map((cpu, i) => cpu / cpuB[i]!);
  const cells = (values: number[]) =>
    `${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  console.log(
    [
      `## Paired CPU per login: ${names[0]} vs ${names[1]}`,
      '',
      `${pairs} pairs of ${perPhase * concurrency} logins per phase, concurrency ${concurrency}, ` +
        `after ${warmup * concurrency} warm-up logins per app.`,
      '',
      '| | median CPU µs/login | range |',
      '| --- | --- | --- |',
      `| ${names[0]} | ${cells(cpuA)} |`,
      `| ${names[1]} | ${cells(cpuB)} |`,
      '',
      `Median per-pair ratio ${names[0]}/${names[1]}: **${median(ratios).toFixed(3)}×** ` +
        `(${names[0]} used less CPU in ${ratios.filter((r) => r < 1).length} of ${pairs} pairs).`,
    ].join('\n'),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(`bench:paired: ${err instanceof Error ? err.message : String(err)}`);
    if (isUsageError(err)) console.error(USAGE);
    process.exit(isUsageError(err) ? 2 : 1);
  },
);
