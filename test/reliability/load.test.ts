/**
 * The load run (load/run-load.ts, `npm run load`) in a CI-sized version, with hard assertions on
 * correctness and none on speed: every login completes, and every session, checked again after the
 * whole run, is signed in as exactly the account that consented in it. Once against one instance
 * (sessions in memory), once against two instances sharing Redis behind nginx over https
 * (harness/cluster.ts), where consecutive requests of each login go to different instances.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNginx, NGINX_MISSING } from '../../harness/nginx.js';
import { formatReport, type LoadReport, runLoad } from '../../load/run-load.js';

function assertAllCorrect(report: LoadReport): void {
  const summary = formatReport(report);
  console.log(summary);
  assert.deepEqual(report.errors, {}, summary);
  assert.equal(report.succeeded, report.logins, summary);
  assert.equal(report.wrongSessions, 0, summary);
  assert.ok(report.byProvider.exbo > 0 && report.byProvider.soa2 > 0, 'both providers mixed');
  assert.equal(report.byProvider.exbo + report.byProvider.soa2, report.logins);
}

test('300 concurrent logins, both providers: each session signed in as its own account', {
  timeout: 120_000,
}, async () => {
  const report = await runLoad({ logins: 300, concurrency: 50 });
  assert.equal(report.sessionStore, 'memory');
  assertAllCorrect(report);
});

test('150 logins through nginx over https, two instances sharing Redis, round-robin', {
  skip: findNginx() === undefined ? NGINX_MISSING : false,
  timeout: 120_000,
}, async () => {
  const report = await runLoad({ logins: 150, concurrency: 30, instances: 2 });
  assert.equal(report.sessionStore, 'redis');
  assert.equal(report.appPeakRss.length, 2);
  assertAllCorrect(report);
});
