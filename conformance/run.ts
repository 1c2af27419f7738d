/**
 * `npm run conformance`: checks this project's fakes against the real providers (README, "Checking
 * the fakes against the real providers"). For each provider with settings: the browser-less steps
 * against the real host (or --base-url), then the same steps against the project's fake, a table
 * of both, and DIR/<provider>-<time>.json with every exchange's shape and no value.
 * Exit 0: no difference; 1: a difference; 2: could not run (missing settings, unreachable host).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ComparedStep, compareRuns, formatTable } from './compare.js';
import { runExboSteps } from './exbo.js';
import { type FakeSide, startExboFakeSide, startSoa2FakeSide } from './fake-side.js';
import { type KitSettings, readSettings, SettingsError, USAGE } from './settings.js';
import { runSoa2Steps } from './soa2.js';
import type { StepResult } from './steps.js';

/** Prints `text` with every given credential cut out (belt and braces: shapes hold no values). */
function printer(secrets: string[]) {
  const usable = secrets.filter((secret) => secret.length >= 6);
  return (text: string) => {
    let safe = text;
    for (const secret of usable) safe = safe.split(secret).join('[redacted]');
    process.stdout.write(`${safe}\n`);
  };
}

interface ProviderRun<T> {
  name: 'exbo' | 'soa2';
  label: string;
  target: T & { baseUrl: string };
  where: string;
  steps: (target: T) => Promise<StepResult[]>;
  fakeSide: (real: T) => Promise<FakeSide<T>>;
}

/** Every step of the real side failed to get any answer: the host could not be reached. */
function unreachable(results: StepResult[]): boolean {
  const exchanges = results.flatMap((result) => result.exchanges);
  return exchanges.length > 0 && exchanges.every((exchange) => exchange.status === 0);
}

async function checkProvider<T>(
  run: ProviderRun<T>,
  settings: KitSettings,
  print: (text: string) => void,
): Promise<'same' | 'different' | 'unreachable'> {
  const startedAt = new Date();
  print(`${run.label}: running the steps against ${run.where} ...`);
  const real = await run.steps(run.target);
  if (unreachable(real)) {
    const errors = [...new Set(real.flatMap((r) => r.exchanges.map((e) => e.error)))].join(', ');
    print(
      `${run.label}: could not reach ${new URL(run.target.baseUrl).host} (${errors}); nothing compared.`,
    );
    return 'unreachable';
  }
  print(`${run.label}: the same steps against this project's fake ...`);
  const side = await run.fakeSide(run.target);
  let fake: StepResult[];
  try {
    fake = await run.steps(side.target);
  } finally {
    await side.close();
  }
  const rows: ComparedStep[] = compareRuns(real, fake);
  // Milliseconds included, so two runs in one second keep both records.
  const stamp = startedAt.toISOString().replace(/:/g, '-');
  const file = join(settings.outDir, `${run.name}-${stamp}.json`);
  const record = {
    provider: run.name,
    startedAt: startedAt.toISOString(),
    real: { where: run.where, steps: real },
    fake: { steps: fake },
    comparison: rows,
  };
  let text = JSON.stringify(record, null, 2);
  for (const secret of settings.secrets.filter((s) => s.length >= 6)) {
    text = text.split(secret).join('[redacted]');
  }
  await mkdir(settings.outDir, { recursive: true });
  await writeFile(file, `${text}\n`);
  print('');
  print(formatTable(rows));
  const different = rows.filter((row) => !row.same).length;
  print('');
  print(
    `${run.label}: ${different === 0 ? 'no difference' : `${different} of ${rows.length} steps differ`}. Exchanges recorded in ${file}`,
  );
  return different === 0 ? 'same' : 'different';
}

async function main(): Promise<number> {
  let settings: KitSettings | 'help';
  try {
    settings = readSettings(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    process.stderr.write(`conformance: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (settings === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const print = printer(settings.secrets);
  const verdicts: string[] = [];
  if (settings.exbo) {
    const target = settings.exbo;
    verdicts.push(
      await checkProvider(
        {
          name: 'exbo',
          label: 'EXBO',
          target,
          where: `${target.baseUrl} (game API ${target.gameUrl})`,
          steps: runExboSteps,
          fakeSide: startExboFakeSide,
        },
        settings,
        print,
      ),
    );
    if (target.refreshToken !== undefined) {
      print(
        'EXBO: EXBO_REFRESH_TOKEN was spent (EXBO rotates the pair): log in again for a new one.',
      );
    }
  }
  if (settings.soa2) {
    if (verdicts.length > 0) print('');
    const target = settings.soa2;
    verdicts.push(
      await checkProvider(
        {
          name: 'soa2',
          label: 'SOA2',
          target,
          where: target.baseUrl,
          steps: runSoa2Steps,
          fakeSide: startSoa2FakeSide,
        },
        settings,
        print,
      ),
    );
  }
  if (verdicts.includes('unreachable')) return 2;
  return verdicts.includes('different') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A bug in the kit itself, not a difference: name it without any value it may carry.
    process.stderr.write(`conformance: the kit failed: ${(err as Error)?.name ?? 'error'}\n`);
    process.exitCode = 2;
  },
);
