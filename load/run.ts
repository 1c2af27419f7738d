/**
 * `npm run load` (options: `--help`): drives N complete logins through the example app against the
 * local fakes, both providers mixed, and checks that every session ends signed in as exactly the
 * account that consented in it. Prints throughput, latency percentiles, errors and peak memory;
 * exits 1 if any login failed or any session showed the wrong user, 2 on a usage error.
 * `--instances 2` runs two app instances on one Redis behind nginx over https (redis-server, nginx
 * and openssl must be installed; harness/cluster.ts).
 */
import { isUsageError, type OptionSpec, parseOptions, usage } from '../bench/options.js';
import { failedLogins, formatReport, runLoad } from './run-load.js';

const OPTIONS: Record<string, OptionSpec> = {
  logins: { kind: 'number', help: 'complete logins (default 2000)' },
  concurrency: { kind: 'number', help: 'logins in flight at once (default 100)' },
  instances: { kind: 'number', help: 'app instances behind nginx, on one Redis (default 1)' },
  redis: { help: 'sessions in Redis even with one instance' },
  json: { help: 'print the report as JSON' },
};
const USAGE = usage('Usage: npm run load -- [OPTION ...]', OPTIONS);

async function main(): Promise<number> {
  const { values, number } = parseOptions(OPTIONS, process.argv.slice(2));
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await runLoad({
    logins: number('logins', 2000),
    concurrency: number('concurrency', 100),
    instances: number('instances', 1),
    ...(values.redis && { redis: true }),
    progress: (line) => console.error(line),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return failedLogins(report.errors) === 0 &&
    report.wrongSessions === 0 &&
    report.succeeded === report.logins
    ? 0
    : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      `The load run could not run: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (isUsageError(err)) console.error(USAGE);
    process.exitCode = isUsageError(err) ? 2 : 1;
  },
);
