/**
 * The scripted browser the example's HTTP tests use (test/helpers/browser.ts): a request that gets
 * no answer, or an answer whose body never ends, fails after its deadline with an error naming the
 * request, instead of hanging until the whole test times out.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';

describe('scripted browser: every request has a deadline', () => {
  let server: RunningServer | undefined;
  after(() => server?.close());

  it('a hop that never answers, or whose body never ends, fails naming it', {
    timeout: 10_000,
  }, async () => {
    server = await listen((req, res) => {
      if (req.url === '/start') res.writeHead(302, { Location: '/silent' }).end();
      else if (req.url === '/half')
        res.writeHead(200, { 'Content-Type': 'text/html' }).write('<p>');
      // /silent: no answer at all.
    });
    const browser = new Browser({ requestTimeoutMs: 500 });
    const started = Date.now();
    // The redirect is followed: the error names the hop that hung, not the first URL.
    await assert.rejects(browser.get(`${server.url}/start`), {
      message: `GET ${server.url}/silent: no answer within 500 ms`,
    });
    await assert.rejects(browser.get(`${server.url}/half`), {
      message: `GET ${server.url}/half: no answer within 500 ms`,
    });
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  });
});
