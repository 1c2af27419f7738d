/**
 * `npm run conformance:fakes` (a CI step): the kit run as a maintainer would run it, with this
 * project's fakes standing in for the real hosts. Both ways must work: against an unchanged fake
 * the kit reports no difference (exit 0); against a fake behind a proxy that plants differences
 * (EXBO: `/oauth/user` sends `id` as a string and the rate-limit reset in seconds; SOA2: a
 * form-encoded token request gets 415) it reports them (exit 1). Exits 1 when either expectation
 * fails, and prints every run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exboSettingsFor,
  type KitRun,
  kitArgs,
  type ProxiedAnswer,
  runKit,
  soa2SettingsFor,
  startAlteringProxy,
} from './harness.js';
import { startExboFake, startSoa2Fake } from './packages.js';

/** The planted EXBO differences. */
export function plantExboDifferences(path: string, answer: ProxiedAnswer): ProxiedAnswer {
  if (path.startsWith('/oauth/user') && answer.status === 200) {
    const user = JSON.parse(answer.body) as { id: unknown };
    return { ...answer, body: JSON.stringify({ ...user, id: String(user.id) }) };
  }
  const reset = answer.headers['x-ratelimit-reset'];
  if (reset !== undefined) {
    const seconds = String(Math.floor(Number(reset) / 1000));
    return { ...answer, headers: { ...answer.headers, 'x-ratelimit-reset': seconds } };
  }
  return answer;
}

/** The planted SOA2 difference: MediaWiki refusing a form body by its type (415), not SOA2 (400). */
export function plantSoa2Difference(
  contentType: string | undefined,
  answer: ProxiedAnswer,
): ProxiedAnswer {
  if (!contentType?.startsWith('application/x-www-form-urlencoded')) return answer;
  return {
    status: 415,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      httpCode: 415,
      httpReason: 'Unsupported Media Type',
      message: 'Unsupported Content-Type',
    }),
  };
}

function show(title: string, run: KitRun): void {
  process.stdout.write(`\n=== ${title}: exit ${run.code}\n${run.stdout}${run.stderr}`);
}

async function main(): Promise<number> {
  const exbo = await startExboFake();
  const soa2 = await startSoa2Fake();
  // The records of these runs are not worth keeping: a temporary folder, removed at the end.
  const out = await mkdtemp(join(tmpdir(), 'conformance-fakes-'));
  const closers: Array<() => Promise<void>> = [
    () => exbo.close(),
    () => soa2.close(),
    () => rm(out, { recursive: true, force: true }),
  ];
  try {
    const exboArgs = (base: string) => kitArgs('exbo', base, out);
    const soa2Args = (base: string) => kitArgs('soa2', base, out);
    const runs: Array<[string, KitRun, number]> = [];

    runs.push([
      'EXBO, unchanged fake',
      await runKit(exboArgs(exbo.url), await exboSettingsFor(exbo)),
      0,
    ]);
    runs.push([
      'SOA2, unchanged fake',
      await runKit(soa2Args(soa2.url), await soa2SettingsFor(soa2)),
      0,
    ]);

    const exboProxy = await startAlteringProxy(exbo.url, (req, answer) =>
      plantExboDifferences(req.path, answer),
    );
    closers.push(exboProxy.close);
    runs.push([
      'EXBO, planted differences',
      await runKit(exboArgs(exboProxy.url), await exboSettingsFor(exbo)),
      1,
    ]);
    const soa2Proxy = await startAlteringProxy(soa2.url, (req, answer) =>
      plantSoa2Difference(req.headers['content-type'], answer),
    );
    closers.push(soa2Proxy.close);
    runs.push([
      'SOA2, planted difference',
      await runKit(soa2Args(soa2Proxy.url), await soa2SettingsFor(soa2)),
      1,
    ]);

    let failed = 0;
    for (const [title, run, expected] of runs) {
      show(title, run);
      if (run.code !== expected) {
        failed++;
        process.stdout.write(`^^^ expected exit ${expected}\n`);
      }
    }
    process.stdout.write(
      `\nconformance:fakes: ${failed === 0 ? 'all four runs as expected' : `${failed} run(s) not as expected`}\n`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => {
    process.exitCode = code;
  });
}
