/**
 * NODE_DEBUG=passport-exbo,passport-soa2: logins (one that succeeds per provider, one EXBO rejects
 * the client secret of, one with a forged state) and app-token + game-API calls, through a proxy
 * whose URL carries a password, in a process of their own. The log has a line per request and
 * per outcome, and none of the secrets, codes, tokens, cookies or the proxy password the run used.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { freePort } from '../../harness/processes.js';
import { makeTestCA, type TestCA } from './helpers/https-front.js';
import { runLogins } from './helpers/run-logins.js';
import { type RunningTinyproxy, startTinyproxy } from './helpers/tinyproxy.js';

const PASSWORD = 'debug-Pr0xy-Secret-5150';
let ca: TestCA;
let ports: { exbo: number; soa2: number };
let proxy: RunningTinyproxy;

before(async () => {
  ca = makeTestCA();
  ports = { exbo: await freePort(), soa2: await freePort() };
  proxy = await startTinyproxy({
    connectPorts: [ports.exbo, ports.soa2],
    basicAuth: { user: 'bob', password: PASSWORD },
  });
});
after(async () => {
  await proxy?.stop();
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

test('a line per request and per login outcome, and no secret of any kind', {
  timeout: 90_000,
}, async () => {
  const { report, stderr } = await runLogins(
    {
      steps: [
        'exbo-login',
        'exbo-login-bad-secret',
        'exbo-login-forged-state',
        'soa2-login',
        'app-token-game-api',
      ],
      caDir: ca.dir,
      ports,
    },
    {
      HTTPS_PROXY: `http://bob:${PASSWORD}@127.0.0.1:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: ca.caFile,
      NODE_DEBUG: 'passport-exbo,passport-soa2',
    },
  );
  assert.equal(report.outcomes['exbo-login']?.ok, true, JSON.stringify(report.outcomes));
  assert.equal(report.outcomes['soa2-login']?.ok, true, JSON.stringify(report.outcomes));
  assert.equal(report.outcomes['exbo-login-bad-secret']?.ok, false);

  // Secrecy first: no line may carry a secret, whatever else it says.
  assert.ok(report.secrets.length >= 8, `secrets collected: ${report.secrets.length}`);
  for (const secret of [
    ...report.secrets,
    PASSWORD,
    Buffer.from(`bob:${PASSWORD}`).toString('base64'),
  ]) {
    assert.ok(!stderr.includes(secret), `the debug log contains a secret: ${secret.slice(0, 12)}…`);
  }
  assert.doesNotMatch(
    stderr,
    /authorization:|bearer |basic |cookie|code=[^&\s]|token=[^&\s]|secret=/i,
  );

  const exbo = `127.0.0.1:${ports.exbo}`;
  const soa2 = `127.0.0.1:${ports.soa2}`;
  const via = `via proxy 127.0.0.1:${proxy.port}`;
  const expected = [
    // request lines: method, host and path, status, type, bytes, ms, connection, proxy
    new RegExp(
      `^PASSPORT-EXBO \\d+: EXBO POST ${exbo}/oauth/token \\(the authorization code exchange\\) -> 200 application/json \\d+ bytes \\d+ ms, new connection, ${via}$`,
      'm',
    ),
    new RegExp(
      `^PASSPORT-EXBO \\d+: EXBO GET ${exbo}/oauth/user \\(the profile request\\) -> 200 application/json \\d+ bytes \\d+ ms, reused connection, ${via}$`,
      'm',
    ),
    new RegExp(
      `^PASSPORT-EXBO \\d+: EXBO POST ${exbo}/oauth/token \\(the authorization code exchange\\) -> 401 application/json .*${via}$`,
      'm',
    ),
    new RegExp(
      `^PASSPORT-EXBO \\d+: EXBO GET ${exbo}/game-api/SEA/emission .* -> 200 .*reused connection, ${via}$`,
      'm',
    ),
    new RegExp(
      `^PASSPORT-SOA2 \\d+: SOA2 POST ${soa2}/w/rest.php/soa2/v0/tokens .* -> 200 application/json .*${via}$`,
      'm',
    ),
    new RegExp(
      `^PASSPORT-SOA2 \\d+: SOA2 GET ${soa2}/w/rest.php/soa2/v0/user .* -> 200 application/json .*${via}$`,
      'm',
    ),
    // outcome lines
    /^PASSPORT-EXBO \d+: EXBO login succeeded$/m,
    /^PASSPORT-EXBO \d+: EXBO login error: CLIENT_REJECTED: EXBO rejected the client credentials/m,
    /^PASSPORT-EXBO \d+: EXBO login failed \(403\): The login response has a malformed state/m,
    /^PASSPORT-SOA2 \d+: SOA2 login succeeded$/m,
    /^PASSPORT-EXBO \d+: EXBO login redirects the browser to 127\.0\.0\.1:\d+$/m,
  ];
  for (const line of expected) assert.match(stderr, line);
  // Every line is ours.
  for (const line of stderr.trim().split('\n')) assert.match(line, /^PASSPORT-(EXBO|SOA2) \d+: /);
});
