/**
 * `npm run bench:paired -- A B`: a paired A/B comparison of two variants of the same provider, for
 * differences smaller than the run-to-run noise of `npm run bench`.
 *
 * Both apps run at the same time against one fakes process and are measured in alternating
 * phases (A B, B A, A B, ...), so whatever else the machine does at a given moment lands on both
 * sides of a pair. The figure that matters is the per-pair ratio of CPU per login, summarised by
 * its median and by how many pairs each side won. Only CPU per login is compared: logins/s in a
 * phase depends as much on the fakes and the driver sharing the CPUs.
 */
import { parseArgs } from 'node:util';
import { mintLogins, type PendingLogin, runCallbacks } from './driver.js';
import { HttpClient } from './http-client.js';
import { cpuMicros, MINT_PARALLEL, type RunningApp, startApp, startFakes } from './processes.js';
import { median, medianAndRangeCells } from './stats.js';
import { VARIANT_NAMES, VARIANTS, type VariantName } from './variants.js';

const USAGE = `Usage: npm run bench:paired -- VARIANT_A VARIANT_B [--pairs N] [--per-phase N]
                                   [--warmup N] [--concurrency N]
  VARIANT_*      two of: ${VARIANT_NAMES.join(', ')} (same provider)
  --pairs        phase pairs to measure (default 12)
  --per-phase    logins per slot in each phase (default 50)
  --warmup       warm-up logins per slot for each app (default 150)
  --concurrency  logins in flight at once (default 16)`;

interface Side extends RunningApp {
  variant: VariantName;
  /** Minted logins per slot, consumed phase by phase. */
  queue: PendingLogin[][];
  cpuPerLogin: number[];
}

/** Takes the next `count` logins of every slot. */
function take(side: Side, count: number): PendingLogin[][] {
  return side.queue.map((slot) => slot.splice(0, count));
}

async function measurePhase(side: Side, client: HttpClient, perPhase: number): Promise<void> {
  const before = await side.snapshot();
  const run = await runCallbacks(client, side.appURL, take(side, perPhase));
  const after = await side.snapshot();
  if (run.failureCount > 0) {
    throw new Error(`${side.variant}: ${run.failureCount} logins failed: ${run.failures[0]}`);
  }
  side.cpuPerLogin.push(cpuMicros(before, after) / run.latenciesMs.length);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      pairs: { type: 'string', default: '12' },
      'per-phase': { type: 'string', default: '50' },
      warmup: { type: 'string', default: '150' },
      concurrency: { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const names = positionals as VariantName[];
  const numbers = [values.pairs, values['per-phase'], values.warmup, values.concurrency].map(
    Number,
  );
  if (
    values.help ||
    names.length !== 2 ||
    !names.every((name) => VARIANT_NAMES.includes(name)) ||
    VARIANTS[names[0]!].provider !== VARIANTS[names[1]!].provider ||
    !numbers.every((n) => Number.isInteger(n) && n > 0)
  ) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const [pairs, perPhase, warmup, concurrency] = numbers as [number, number, number, number];
  const provider = VARIANTS[names[0]!].provider;

  const fakes = await startFakes(concurrency);
  const client = new HttpClient(concurrency);
  const sides: Side[] = [];
  try {
    for (const variant of names) {
      sides.push({ variant, ...(await startApp(variant, fakes)), queue: [], cpuPerLogin: [] });
    }
    const users = fakes.ready.users[provider];
    for (const side of sides) {
      // Codes are minted before any is used; EXBO's live ten minutes, so keep runs shorter.
      side.queue = await mintLogins(
        client,
        side.appURL,
        side.callbackURL,
        users,
        warmup + pairs * perPhase,
        MINT_PARALLEL,
      );
      const warm = await runCallbacks(client, side.appURL, take(side, warmup));
      if (warm.failureCount > 0) throw new Error(`${side.variant}: warm-up failed`);
    }
    const [a, b] = sides as [Side, Side];
    for (let pair = 0; pair < pairs; pair++) {
      const order = pair % 2 === 0 ? [a, b] : [b, a];
      for (const side of order) await measurePhase(side, client, perPhase);
      const ratio = a.cpuPerLogin[pair]! / b.cpuPerLogin[pair]!;
      console.error(
        `  pair ${String(pair + 1).padStart(2)}: ${a.variant} ${a.cpuPerLogin[pair]!.toFixed(0)} µs, ` +
          `${b.variant} ${b.cpuPerLogin[pair]!.toFixed(0)} µs per login (${ratio.toFixed(3)})`,
      );
    }
    const ratios = a.cpuPerLogin.map((cpu, i) => cpu / b.cpuPerLogin[i]!);
    const aWins = ratios.filter((r) => r < 1).length;
    console.log(
      [
        `## Paired CPU per login: ${a.variant} vs ${b.variant}`,
        '',
        `${pairs} pairs of ${perPhase * concurrency} logins per phase, concurrency ${concurrency}, ` +
          `after ${warmup * concurrency} warm-up logins per app.`,
        '',
        '| | median CPU µs/login | range |',
        '| --- | --- | --- |',
        ...sides.map((side) => `| ${side.variant} ${medianAndRangeCells(side.cpuPerLogin)}`),
        '',
        `Median per-pair ratio ${a.variant}/${b.variant}: **${median(ratios).toFixed(3)}×** ` +
          `(${a.variant} used less CPU in ${aWins} of ${pairs} pairs).`,
      ].join('\n'),
    );
    return 0;
  } finally {
    client.close();
    for (const side of sides) await side.app.stop();
    await fakes.stop();
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    console.error(`bench:paired: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
