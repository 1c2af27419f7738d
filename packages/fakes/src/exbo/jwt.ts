/**
 * EXBO access tokens: RS256 JWTs as Laravel Passport (lcobucci/jwt) makes them, signed with a key
 * pair generated when the fake starts. The real service publishes no public key; the fake exposes
 * its own only so tests can check a signature.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';

/** Claims in Passport's order; `sub` only on user tokens (app tokens have no user). */
export interface AccessTokenClaims {
  aud: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  sub?: string;
}

export interface JwtSigner {
  publicKeyPem: string;
  sign(claims: AccessTokenClaims): string;
  /** The claims of a token this signer made, or `undefined` for anything else. */
  verify(token: string): AccessTokenClaims | undefined;
}

/** Exactly Passport's header: no `kid`, `typ` first. */
const HEADER = base64url('{"typ":"JWT","alg":"RS256"}');

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** 2048-bit keys (Passport's are 4096) keep a fake's start well under a second. */
export async function createJwtSigner(): Promise<JwtSigner> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKeyObject: KeyObject = createPrivateKey(privateKey);
  const publicKeyObject: KeyObject = createPublicKey(publicKey);
  return {
    publicKeyPem: publicKey,
    sign(claims) {
      const { aud, jti, iat, nbf, exp, sub } = claims;
      const ordered =
        sub === undefined ? { aud, jti, iat, nbf, exp } : { aud, jti, iat, nbf, exp, sub };
      const input = `${HEADER}.${base64url(JSON.stringify(ordered))}`;
      const signature = sign('sha256', Buffer.from(input), privateKeyObject);
      return `${input}.${signature.toString('base64url')}`;
    },
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== HEADER) return undefined;
      const [header, payload = '', signature = ''] = parts;
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        publicKeyObject,
        Buffer.from(signature, 'base64url'),
      );
      if (!valid) return undefined;
      return parseClaims(Buffer.from(payload, 'base64url').toString('utf8'));
    },
  };
}

function parseClaims(json: string): AccessTokenClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const claims = value as Record<string, unknown>;
  const { aud, jti, iat, nbf, exp, sub } = claims;
  if (typeof aud !== 'string' || typeof jti !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof nbf !== 'number' || typeof exp !== 'number') {
    return undefined;
  }
  if (sub !== undefined && typeof sub !== 'string') return undefined;
  return sub === undefined ? { aud, jti, iat, nbf, exp } : { aud, jti, iat, nbf, exp, sub };
}
