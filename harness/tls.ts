/**
 * Certificates made at run time with openssl (nothing secret is ever committed):
 *
 * - `makeTestCertificates(dir)`: a throwaway certificate authority and a server certificate it
 *   signed for `localhost` and `127.0.0.1`, as files in `dir`, plus what clients need to trust it:
 *   the CA in PEM (for Node's TLS `ca` option and people's browsers) and the server key's SPKI
 *   SHA-256 (for Chromium's `--ignore-certificate-errors-spki-list`, which trusts that one key only).
 * - `selfSignedCertificate()`: a certificate for 127.0.0.1 trusted by nobody (tests of TLS errors).
 *
 * openssl must be installed (Debian: apt-get install openssl; .ci/run does it).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA certificate (PEM file): what a person's browser or `curl --cacert` trusts. */
  caFile: string;
  /** The CA certificate's PEM text (Node: `tls.connect({ ca })`, undici `connect: { ca }`). */
  caPem: string;
  /** Server certificate (PEM file) for `localhost` and `127.0.0.1`, signed by the CA. */
  certFile: string;
  /** Its private key (PEM file, unencrypted, mode 0600). */
  keyFile: string;
  /** base64 SHA-256 of the server key's SubjectPublicKeyInfo. */
  spkiSha256: string;
}

const DAYS = '2';
// P-256: fast to generate and to handshake with (a load run opens thousands of TLS sessions).
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('openssl is not installed (Debian: apt-get install openssl)');
    }
    throw new Error(`openssl ${args[0]} failed: ${String((err as { stderr?: Buffer }).stderr)}`);
  }
}

/** A CA and a server certificate for localhost/127.0.0.1 in `dir` (which must exist). */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => join(dir, name);
  // biome-ignore format: option and value side by side read better than one per line
  openssl([
    'req', '-x509', ...KEY, '-days', DAYS, '-subj', '/CN=exbo-soa2 local test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', file('ca-key.pem'), '-out', file('ca.pem'),
  ]);
  // biome-ignore format: as above
  openssl([
    'req', ...KEY, '-subj', '/CN=localhost', '-keyout', file('server-key.pem'),
    '-out', file('server.csr'),
  ]);
  writeFileSync(
    file('server-ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  // biome-ignore format: as above
  openssl([
    'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
    '-CAcreateserial', '-days', DAYS, '-extfile', file('server-ext.cnf'),
    '-out', file('server.pem'),
  ]);
  // The CA's key is not needed any more: nothing else can be signed with it.
  rmSync(file('ca-key.pem'));
  const spki = new X509Certificate(readFileSync(file('server.pem'))).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  return {
    caFile: file('ca.pem'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    certFile: file('server.pem'),
    keyFile: file('server-key.pem'),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}

/** A self-signed certificate for 127.0.0.1: valid for the address and the dates, trusted by nobody. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'untrusted-tls-'));
  try {
    // biome-ignore format: as above
    openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
