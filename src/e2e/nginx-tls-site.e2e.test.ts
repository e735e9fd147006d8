import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX, findDebianBinaries } from '../test-support/debian-binary.js';
import { makeSelfSignedCertificate } from '../test-support/self-signed-certificate.js';
import {
  nginxDirectiveLines,
  nginxWorkerUser,
  readShippedFile,
  renderNginxMain,
  renderNginxTlsSite,
} from '../test-support/proxy-configs.js';

/*
 * The loopback proxy tests run the shipped nginx site without its TLS server (no certificate,
 * no port 443). This checks that part with Debian's real nginx: the site as shipped, TLS server
 * and port-80 redirect included, must pass `nginx -t` without a warning.
 */

describe('the shipped nginx site with its TLS server', () => {
  let dir: string;
  let nginx: string;

  beforeAll(() => {
    [nginx] = findDebianBinaries([NGINX]) as [string];
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-tls-'));
    // nginx workers drop root privileges and must still read the files in here.
    chmodSync(dir, 0o755);
    makeSelfSignedCertificate({ commonName: 'agent.example.com', dir });
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function nginxTest(site: string): { status: number | null; output: string } {
    const sitePath = join(dir, 'site.conf');
    writeFileSync(sitePath, site);
    const mainPath = join(dir, 'nginx.conf');
    writeFileSync(mainPath, renderNginxMain(dir, sitePath, nginxWorkerUser()));
    const result = spawnSync(
      nginx,
      ['-t', '-p', `${dir}/`, '-c', mainPath, '-e', join(dir, 'error.log')],
      { encoding: 'utf8' },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  it('passes nginx -t as shipped, with no warning', () => {
    const tls = { certificate: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    const { status, output } = nginxTest(renderNginxTlsSite(readShippedFile('nginx.conf'), tls));
    expect(output).toContain('test is successful');
    expect(output).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
    expect(status).toBe(0);
  });

  it('fails the same check for a site nginx refuses (the check can fail)', () => {
    const tls = { certificate: join(dir, 'missing.pem'), key: join(dir, 'key.pem') };
    const { status, output } = nginxTest(renderNginxTlsSite(readShippedFile('nginx.conf'), tls));
    expect(output).toMatch(/\[emerg\].*missing\.pem/);
    expect(status).not.toBe(0);
  });

  it('uses no deprecated listen … http2 form', () => {
    const listens = nginxDirectiveLines(readShippedFile('nginx.conf')).filter((line) =>
      line.startsWith('listen '),
    );
    expect(listens).toContain('listen 443 ssl;');
    expect(listens.filter((line) => /\bhttp2\b/.test(line))).toEqual([]);
  });
});
