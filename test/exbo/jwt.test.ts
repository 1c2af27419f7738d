/**
 * decodeAccessToken on real tokens from the EXBO fake, and proof that decoding is not verification:
 * a forged token decodes just as well, and only EXBO (here, the fake) can tell it apart.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_EXBO_USERS, type ExboFake } from '@exbo-soa2/fakes';
import { decodeAccessToken, OAuthError } from 'passport-exbo';
import { CLIENT_ID, login, newClient, startFake } from './setup.js';

let fake: ExboFake;
before(async () => {
  fake = await startFake();
});
after(() => fake.close());

describe('decodeAccessToken', () => {
  test('reads a user token from the fake: aud, sub, times, jti and the expiry as a Date', {
    timeout: 10_000,
  }, async () => {
    const user = DEFAULT_EXBO_USERS[0];
    assert.ok(user);
    const issuedAround = Math.floor(Date.now() / 1000);
    const tokens = await login(newClient(fake), String(user.id));
    const claims = decodeAccessToken(tokens.access_token);

    // The same claims as the signature-checked payload (the fake exposes its key; EXBO does not).
    const [header = '', payload = '', signature = ''] = tokens.access_token.split('.');
    assert.ok(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        createPublicKey(fake.publicKeyPem),
        Buffer.from(signature, 'base64url'),
      ),
    );
    const signed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    assert.deepEqual(
      {
        aud: claims.aud,
        sub: claims.sub,
        exp: claims.exp,
        nbf: claims.nbf,
        iat: claims.iat,
        jti: claims.jti,
      },
      signed,
    );
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.sub, String(user.id));
    assert.equal(claims.kind, 'user');
    assert.equal(claims.jti?.length, 80);
    assert.ok(Math.abs((claims.iat ?? 0) - issuedAround) <= 2);
    assert.ok(claims.expiresAt instanceof Date);
    assert.equal(claims.expiresAt.getTime(), claims.exp * 1000);
    assert.equal(claims.exp - (claims.iat ?? 0), tokens.expires_in);
  });

  test('an application token has no sub', { timeout: 10_000 }, async () => {
    const { access_token } = await newClient(fake).requestAppToken();
    const claims = decodeAccessToken(access_token);
    assert.equal(claims.kind, 'application');
    assert.equal(claims.sub, undefined);
    assert.equal(claims.aud, CLIENT_ID);
  });

  test('is not verification: a forged token decodes, and EXBO rejects it', {
    timeout: 10_000,
  }, async () => {
    const tokens = await login(newClient(fake));
    const [header, payload] = tokens.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString(
      'base64url',
    );
    const forged = `${header}.${forgedPayload}.${'A'.repeat(40)}`;
    assert.equal(decodeAccessToken(forged).sub, '1');
    await assert.rejects(
      newClient(fake).validateToken(forged),
      (err: unknown) => err instanceof OAuthError && err.code === 'TOKEN_REJECTED',
    );
  });

  test('a JWT refresh token is recognised by its claims, not assumed away', () => {
    // Whether EXBO's refresh tokens are JWTs is unknown (docs/protocols/exbo.md): a JWT carrying
    // league/oauth2-server's refresh-token payload decodes as kind 'refresh'.
    const payload = {
      client_id: '30',
      refresh_token_id: 'r'.repeat(80),
      access_token_id: 'a'.repeat(80),
      scopes: [],
      user_id: 90102,
      expire_time: 1_900_000_000,
    };
    const jwt = `h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    const claims = decodeAccessToken(jwt);
    assert.equal(claims.kind, 'refresh');
    assert.equal(claims.aud, '30');
    assert.equal(claims.sub, '90102');
    assert.equal(claims.exp, 1_900_000_000);
    assert.equal(claims.jti, 'r'.repeat(80));
    // An access token's claims plus one refresh-token claim is a refresh token too.
    const both = { aud: '30', sub: '1', exp: 1_900_000_000, access_token_id: 'x' };
    const mixed = `h.${Buffer.from(JSON.stringify(both)).toString('base64url')}.sig`;
    assert.equal(decodeAccessToken(mixed).kind, 'refresh');
  });

  test("the fake's refresh tokens are opaque: refused, with a message that says refresh tokens may be", {
    timeout: 10_000,
  }, async () => {
    const { refresh_token } = await login(newClient(fake));
    assert.throws(
      () => decodeAccessToken(refresh_token ?? ''),
      (err: unknown) =>
        err instanceof TypeError && /refresh tokens may be opaque/.test(err.message),
    );
  });

  test('anything else is a TypeError that does not quote the token', {
    timeout: 10_000,
  }, async () => {
    const { refresh_token } = await login(newClient(fake));
    const samples = [
      refresh_token ?? 'def502',
      'abc.def.ghi',
      `${Buffer.from('{}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.sig`,
      `h.${Buffer.from('{"aud":"30"}').toString('base64url')}.sig`,
      `h.${Buffer.from('{"aud":"30","exp":"soon"}').toString('base64url')}.sig`,
      '',
    ];
    for (const sample of samples) {
      assert.throws(
        () => decodeAccessToken(sample),
        (err: unknown) =>
          err instanceof TypeError &&
          /not a decodable EXBO token/.test(err.message) &&
          (sample.length < 6 || !err.message.includes(sample)),
      );
    }
  });
});
