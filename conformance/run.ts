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

/** `text` with every given credential cut out (belt and braces: shapes hold no values). */
function redact(text: string, secrets: string[]): string {
  let safe = text;
  for (const secret of secrets.filter((s) => s.length >= 6))
    safe = safe.split(secret).join('[redacted]');
  return safe;
}

/** One provider's check: the steps against the real side, and against a fake side it starts. */
interface ProviderRun {
  name: 'exbo' | 'soa2';
  label: string;
  /** The real side's base URL and a description of where it is. */
  baseUrl: string;
  where: string;
  real: () => Promise<StepResult[]>;
  fake: () => Promise<StepResult[]>;
  /** Said after the run, e.g. which setting was used up. */
  afterwards?: string | undefined;
}

/** Runs `steps` against the fake side `start` sets up for `real`, then closes it. */
async function onFakeSide<T>(
  real: T,
  start: (real: T) => Promise<FakeSide<T>>,
  steps: (target: T) => Promise<StepResult[]>,
): Promise<StepResult[]> {
  const side = await start(real);
  try {
    return await steps(side.target);
  } finally {
    await side.close();
  }
}

/** Every step of the real side failed to get any answer: the host could not be reached. */
function unreachable(results: StepResult[]): boolean {
  const exchanges = results.flatMap((result) => result.exchanges);
  return exchanges.length > 0 && exchanges.every((exchange) => exchange.status === 0);
}

async function checkProvider(
  run: ProviderRun,
  settings: KitSettings,
  print: (text: string) => void,
): Promise<'same' | 'different' | 'unreachable'> {
  const startedAt = new Date();
  print(`${run.label}: running the steps against ${run.where} ...`);
  const real = await run.real();
  if (unreachable(real)) {
    const errors = [...new Set(real.flatMap((r) => r.exchanges.map((e) => e.error)))].join(', ');
    print(
      `${run.label}: could not reach ${new URL(run.baseUrl).host} (${errors}); nothing compared.`,
    );
    return 'unreachable';
  }
  print(`${run.label}: the same steps against this project's fake ...`);
  const fake = await run.fake();
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
  await mkdir(settings.outDir, { recursive: true });
  await writeFile(file, `${redact(JSON.stringify(record, null, 2), settings.secrets)}\n`);
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
  const secrets = settings.secrets;
  const print = (text: string) => process.stdout.write(`${redact(text, secrets)}\n`);
  const runs: ProviderRun[] = [];
  const { exbo, soa2 } = settings;
  if (exbo) {
    runs.push({
      name: 'exbo',
      label: 'EXBO',
      baseUrl: exbo.baseUrl,
      where: `${exbo.baseUrl} (game API ${exbo.gameUrl})`,
      real: () => runExboSteps(exbo),
      fake: () => onFakeSide(exbo, startExboFakeSide, runExboSteps),
      afterwards:
        exbo.refreshToken === undefined
          ? undefined
          : 'EXBO_REFRESH_TOKEN was spent (EXBO rotates the pair): log in again for a new one.',
    });
  }
  if (soa2) {
    runs.push({
      name: 'soa2',
      label: 'SOA2',
      baseUrl: soa2.baseUrl,
      where: soa2.baseUrl,
      real: () => runSoa2Steps(soa2),
      fake: () => onFakeSide(soa2, startSoa2FakeSide, runSoa2Steps),
    });
  }
  const verdicts: string[] = [];
  for (const run of runs) {
    if (verdicts.length > 0) print('');
    verdicts.push(await checkProvider(run, settings, print));
    if (run.afterwards) print(`${run.label}: ${run.afterwards}`);
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
