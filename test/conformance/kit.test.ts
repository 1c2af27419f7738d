/**
 * The conformance kit (`npm run conformance`) run as a maintainer runs it, in a child process, with
 * this project's fakes standing in for the real hosts: no difference against an unchanged fake
 * (exit 0), the planted differences reported against a fake behind a changing proxy (exit 1), and
 * exit 2 with the missing settings named, or for a host that cannot be reached, sending nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ExboFake, type Soa2Fake, startExboFake, startSoa2Fake } from '@exbo-soa2/fakes';
import { plantExboDifferences, plantSoa2Difference } from '../../conformance/against-fakes.js';
import {
  exboSettingsFor,
  kitArgs,
  runKit,
  soa2SettingsFor,
  startAlteringProxy,
} from '../../conformance/harness.js';

let exbo: ExboFake;
let soa2: Soa2Fake;
let out: string;
before(async () => {
  exbo = await startExboFake();
  soa2 = await startSoa2Fake();
  out = await mkdtemp(join(tmpdir(), 'conformance-'));
});
after(async () => {
  await exbo.close();
  await soa2.close();
  await rm(out, { recursive: true, force: true });
});

const exboArgs = (base: string) => kitArgs('exbo', base, out);
const soa2Args = (base: string) => kitArgs('soa2', base, out);

/** The one results file a run wrote, parsed, and its text. */
async function resultsFile(provider: string, before: Set<string>) {
  const added = (await readdir(out)).filter((name) => !before.has(name));
  assert.equal(added.length, 1, `one new results file, got ${added.join(', ')}`);
  assert.match(added[0]!, new RegExp(`^${provider}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+\\.\\d+Z\\.json$`));
  const text = await readFile(join(out, added[0]!), 'utf8');
  return { text, json: JSON.parse(text) };
}

function assertNoSecret(texts: string[], settings: Record<string, string>): void {
  for (const [name, value] of Object.entries(settings)) {
    if (name.endsWith('_ID') || name.endsWith('_URL')) continue;
    for (const text of texts)
      assert.ok(!text.includes(value), `${name} must not be printed or recorded`);
  }
}

describe('against the unchanged fakes', () => {
  test('EXBO: every step the same, exit 0; the record holds shapes, never a value', {
    timeout: 60_000,
  }, async () => {
    const settings = await exboSettingsFor(exbo);
    const seen = new Set(await readdir(out));
    const run = await runKit(exboArgs(exbo.url), settings);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /EXBO: no difference/);
    assert.doesNotMatch(run.stdout, /DIFFERENT/);
    for (const step of [
      'app-token',
      'regions, no credential',
      'bad code',
      'bad refresh token',
      'user info',
      'token kinds',
      'refresh',
    ]) {
      assert.match(run.stdout, new RegExp(`^${step} .* same$`, 'm'), step);
    }
    const { text, json } = await resultsFile('exbo', seen);
    assert.ok(json.comparison.every((row: { same: boolean }) => row.same));
    const emission = json.real.steps.find(
      (s: { step: string }) => s.step === 'EU emission, app token',
    );
    assert.equal(emission.exchanges[0].path, '/EU/emission');
    assert.equal(emission.exchanges[0].headers['x-ratelimit-reset'], 'digits:13');
    const user = json.real.steps.find((s: { step: string }) => s.step === 'user info');
    assert.deepEqual(user.exchanges[0].body.shape.keys.id, { type: 'integer' });
    assertNoSecret([run.stdout, run.stderr, text], settings);
  });

  test('SOA2: every step the same, exit 0', { timeout: 60_000 }, async () => {
    const settings = await soa2SettingsFor(soa2);
    const seen = new Set(await readdir(out));
    const run = await runKit(soa2Args(soa2.url), settings);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^exchange .* same$/m);
    assert.match(run.stdout, /^JSON body without Content-Type +415 .* same$/m);
    const { text, json } = await resultsFile('soa2', seen);
    const exchange = json.real.steps.find((s: { step: string }) => s.step === 'exchange');
    assert.deepEqual(exchange.exchanges[0].body.shape.keys.access_token, {
      type: 'string',
      length: 128,
      format: 'hex',
    });
    assertNoSecret([run.stdout, run.stderr, text], settings);
  });
});

describe('against a fake with planted differences', () => {
  test('EXBO: the differing steps and why, exit 1', { timeout: 60_000 }, async () => {
    const proxy = await startAlteringProxy(exbo.url, (req, answer) =>
      plantExboDifferences(req.path, answer),
    );
    try {
      const run = await runKit(exboArgs(proxy.url), await exboSettingsFor(exbo));
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /^user info .* DIFFERENT$/m);
      assert.match(run.stdout, /user info: body\.id: string vs integer/);
      assert.match(
        run.stdout,
        /EU emission, app token: header x-ratelimit-reset: digits:10 vs digits:13/,
      );
      assert.match(run.stdout, /^bad code .* same$/m);
      assert.match(run.stdout, /EXBO: 4 of 15 steps differ/);
    } finally {
      await proxy.close();
    }
  });

  test('SOA2: a status difference, exit 1', { timeout: 60_000 }, async () => {
    const proxy = await startAlteringProxy(soa2.url, (req, answer) =>
      plantSoa2Difference(req.headers['content-type'], answer),
    );
    try {
      const run = await runKit(soa2Args(proxy.url), await soa2SettingsFor(soa2));
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /form-encoded body: status: 415 vs 400/);
      assert.match(run.stdout, /SOA2: 1 of 13 steps differ/);
    } finally {
      await proxy.close();
    }
  });
});

describe('could not run: exit 2', () => {
  test('missing settings are named, and nothing is sent', { timeout: 60_000 }, async () => {
    let received = 0;
    const server = createServer((_req, res) => {
      received++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const none = await runKit([], {});
      assert.equal(none.code, 2);
      assert.match(
        none.stderr,
        /set EXBO_CLIENT_ID and EXBO_CLIENT_SECRET \(EXBO\) and\/or SOA2_CLIENT_ID and SOA2_CLIENT_SECRET \(SOA2\)/,
      );
      const partial = await runKit(['--provider', 'exbo', '--base-url', base], {
        EXBO_CLIENT_ID: '30',
      });
      assert.equal(partial.code, 2);
      assert.match(partial.stderr, /EXBO: missing EXBO_CLIENT_SECRET; nothing was sent/);
      const soa2Only = await runKit(['--base-url', base], { SOA2_CLIENT_SECRET: 'x' });
      assert.match(soa2Only.stderr, /SOA2: missing SOA2_CLIENT_ID/);
      assert.equal(received, 0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a host that cannot be reached', { timeout: 60_000 }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await runKit(soa2Args(base), {
      SOA2_CLIENT_ID: '5',
      SOA2_CLIENT_SECRET: 'f'.repeat(128),
    });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /SOA2: could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\); nothing compared/,
    );
  });
});
