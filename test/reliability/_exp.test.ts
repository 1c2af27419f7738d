import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { startExample } from '../example/demo-app.js';

test('double callback', async () => {
  const ex = await startExample();
  try {
    for (const p of ['exbo', 'soa2']) {
      const browser = new Browser();
      const consent = await browser.get(`${ex.url}/auth/${p}`);
      const back = await browser.submit(consent, p === 'exbo' ? 'approve' : 'confirm', {}, { follow: false });
      const cb = back.headers.get('location')!;
      const code = new URL(cb).searchParams.get('code')!;
      const [a, b] = await Promise.all([browser.get(cb, { follow: false }), browser.get(cb, { follow: false })]);
      const reqs = p === 'exbo' ? ex.fakes.exbo.requests.filter(r => r.path === '/oauth/token' && r.body.includes(code)) : ex.fakes.soa2.requests.filter(r => r.path.endsWith('/tokens') && r.body.includes(code));
      console.log(p, a.status, b.status, 'token requests with this code:', reqs.length);
    }
  } finally { await ex.close(); }
});
