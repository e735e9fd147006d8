import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CADDY, NGINX, findDebianBinaries, locateExecutable } from './debian-binary.js';

describe('finding nginx and caddy', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bin-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('fails with the apt-get command, never skips, when a binary is missing and installing is not allowed', () => {
    const empty = tempDir();
    expect(() => findDebianBinaries([NGINX, CADDY], { dirs: [empty], mayInstall: false })).toThrow(
      /nginx and caddy not found .*apt-get install -y nginx caddy.*\.ci\/run/,
    );
  });

  it('finds executables in the given directories, in order, and ignores non-executable files', () => {
    const first = tempDir();
    const second = tempDir();
    writeFileSync(join(first, 'caddy'), 'not executable', { mode: 0o644 });
    writeFileSync(join(second, 'caddy'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(first, 'nginx'), '#!/bin/sh\n', { mode: 0o755 });
    expect(locateExecutable('caddy', [first, second])).toBe(join(second, 'caddy'));
    expect(
      findDebianBinaries([NGINX, CADDY], { dirs: [first, second], mayInstall: false }),
    ).toEqual([join(first, 'nginx'), join(second, 'caddy')]);
  });
});
