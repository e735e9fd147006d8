import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL, findDebianBinaries } from './debian-binary.js';

/** A self-signed certificate for 127.0.0.1 (a day long) with its key, in PEM and on disk. */
export interface LoopbackCertificate {
  key: string;
  cert: string;
  /** The certificate's file, e.g. for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  remove(): void;
}

/** Makes one with openssl (installed from Debian's package when missing and running as root). */
export function makeLoopbackCertificate(): LoopbackCertificate {
  const [openssl] = findDebianBinaries([OPENSSL]) as [string];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-loopback-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
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
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
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
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
