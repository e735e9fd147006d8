import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findDebianBinaries } from '../test-support/debian-binary.js';
import { CLI_ENTRY } from '../test-support/gatehouse-process.js';
import { readShippedFile, replaceExactly } from '../test-support/proxy-configs.js';

/*
 * The shipped systemd unit (docs/deploy/gatehouse.service): systemd's own parser accepts every
 * line of it, the hardening the guide promises is there, and the paths agree with each other
 * (the config the gateway rewrites on pairing must sit in the one writable directory).
 */

const run = promisify(execFile);
const SYSTEMD_ANALYZE = { name: 'systemd-analyze', debianPackage: 'systemd' };

/** The `[Service]` settings of a unit: key → every value it was given, in order. */
function serviceSettings(unit: string): Map<string, string[]> {
  const section = /^\[Service\]\n([\s\S]*?)(?=^\[)/m.exec(unit)?.[1] ?? '';
  const settings = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    settings.set(match[1], [...(settings.get(match[1]) ?? []), match[2]]);
  }
  return settings;
}

describe('the shipped systemd unit', () => {
  const unit = readShippedFile('gatehouse.service');
  const settings = serviceSettings(unit);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify without a single complaint', async () => {
    const [analyze] = findDebianBinaries([SYSTEMD_ANALYZE]);
    // verify checks that ExecStart's program exists: point it at this node and this build.
    let local = replaceExactly(unit, 'ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
    local = replaceExactly(local, '/opt/gatehouse/dist/gatehouse.cjs', CLI_ENTRY);
    const path = join(dir, 'gatehouse.service');
    writeFileSync(path, local);
    const result = await run(analyze ?? 'systemd-analyze', ['verify', path]).catch(
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('');
    expect('code' in result ? result.code : 0).toBe(0);
  });

  it.each([
    ['User', 'gatehouse'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['CapabilityBoundingSet', ''],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ['ReadWritePaths', '/var/lib/gatehouse'],
    ['StateDirectory', 'gatehouse'],
    ['Environment', 'GATEHOUSE_HOME=/var/lib/gatehouse'],
  ])('sets %s=%s', (key, value) => {
    expect(settings.get(key)).toContain(value);
  });

  it('keeps the config the gateway rewrites inside the only writable directory', () => {
    const home = /^GATEHOUSE_HOME=(.*)$/m.exec((settings.get('Environment') ?? []).join('\n'))?.[1];
    expect(home).toBe(`/var/lib/${settings.get('StateDirectory')?.[0]}`);
    const config = / --config (\S+)/.exec(settings.get('ExecStart')?.[0] ?? '')?.[1];
    expect(config?.startsWith(`${home}/`)).toBe(true);
    expect(settings.get('ReadWritePaths')).toEqual([home]);
  });

  it('does not set MemoryDenyWriteExecute, which kills Node (its JIT writes executable memory)', () => {
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
