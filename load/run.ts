/**
 * `npm run load -- [--logins N] [--concurrency C] [--instances K] [--redis] [--json]`
 *
 * Drives N complete logins (default 2000, concurrency 100) through the example app against the
 * local fakes, both providers mixed, and checks that every session ends signed in as exactly the
 * account that consented in it. Prints throughput, latency percentiles, errors and peak memory;
 * exits 1 if any login failed or any session showed the wrong user. `--instances 2` runs two app
 * instances on one Redis behind nginx over https (redis-server, nginx and openssl must be installed;
 * harness/cluster.ts).
 */
import { parseArgs } from 'node:util';
import { formatReport, runLoad } from './run-load.js';

const USAGE =
  'Usage: npm run load -- [--logins N (2000)] [--concurrency C (100)] [--instances K (1)] [--redis] [--json]';

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(value))
    throw new Error(`--${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      logins: { type: 'string' },
      concurrency: { type: 'string' },
      instances: { type: 'string' },
      redis: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await runLoad({
    logins: positiveInteger('logins', values.logins, 2000),
    concurrency: positiveInteger('concurrency', values.concurrency, 100),
    instances: positiveInteger('instances', values.instances, 1),
    ...(values.redis && { redis: true }),
    progress: (line) => console.error(line),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  const failed = Object.values(report.errors).reduce((a, b) => a + b, 0);
  return failed === 0 && report.wrongSessions === 0 && report.succeeded === report.logins ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      `The load run could not run: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exitCode = 1;
  },
);
