import { afterAll, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL, findDebianBinaries } from './debian-binary.js';

/** A self-signed certificate (a day long) with its key, in PEM and on disk. */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
  keyPath: string;
  /** The certificate's file, e.g. for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  /** Removes the directory the files are in. */
  remove(): void;
}

export interface SelfSignedOptions {
  commonName: string;
  /** An IP address the certificate is also valid for (subjectAltName). */
  ipAddress?: string;
  /** Where to write `key.pem` and `cert.pem` (default: a new temporary directory). */
  dir?: string;
}

/** Makes one with openssl (installed from Debian's package when missing and running as root). */
export function makeSelfSignedCertificate(options: SelfSignedOptions): SelfSignedCertificate {
  const [openssl] = findDebianBinaries([OPENSSL]) as [string];
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const altName =
    options.ipAddress === undefined ? [] : ['-addext', `subjectAltName=IP:${options.ipAddress}`];
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${options.commonName}`,
      ...altName,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'pipe' },
  );
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    keyPath,
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A self-signed certificate for 127.0.0.1, as a local TLS server presents it. */
export function makeLoopbackCertificate(): SelfSignedCertificate {
  return makeSelfSignedCertificate({ commonName: '127.0.0.1', ipAddress: '127.0.0.1' });
}

/**
 * A loopback certificate for the test file (or describe block) that calls this: made before its
 * tests, removed after them. Call the returned function inside a test.
 */
export function useLoopbackCertificate(): () => SelfSignedCertificate {
  let certificate: SelfSignedCertificate | undefined;
  beforeAll(() => {
    certificate = makeLoopbackCertificate();
  });
  afterAll(() => certificate?.remove());
  return () => {
    if (certificate === undefined) throw new Error('the certificate is made in beforeAll');
    return certificate;
  };
}
