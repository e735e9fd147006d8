import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  localGatewayUrl,
  readRuntimeInfo,
  removeRuntimeInfo,
  runtimeInfoPath,
  writeRuntimeInfo,
} from './runtime-info.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-runtime-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('runtime info', () => {
  it('round-trips and is written with mode 0600', async () => {
    await writeRuntimeInfo(home, { url: 'http://127.0.0.1:4321', pid: 99 });
    expect(await readRuntimeInfo(home)).toEqual({ url: 'http://127.0.0.1:4321', pid: 99 });
    expect(statSync(runtimeInfoPath(home)).mode & 0o777).toBe(0o600);
  });

  it.each([
    { label: 'missing', content: undefined },
    { label: 'not JSON', content: '{' },
    { label: 'wrong shape', content: '{"url":"ftp://x","pid":1}' },
    { label: 'extra keys', content: '{"url":"http://127.0.0.1:1","pid":1,"secret":"x"}' },
  ])('reads undefined when the file is $label', async ({ content }) => {
    if (content !== undefined) writeFileSync(runtimeInfoPath(home), content);
    expect(await readRuntimeInfo(home)).toBeUndefined();
  });

  it('removes the file only for the pid that wrote it', async () => {
    await writeRuntimeInfo(home, { url: 'http://127.0.0.1:1', pid: 5 });
    await removeRuntimeInfo(home, 6);
    expect(await readRuntimeInfo(home)).toBeDefined();
    await removeRuntimeInfo(home, 5);
    expect(await readRuntimeInfo(home)).toBeUndefined();
  });
});

describe('localGatewayUrl', () => {
  it.each([
    { host: '127.0.0.1', port: 3000, url: 'http://127.0.0.1:3000' },
    { host: '0.0.0.0', port: 80, url: 'http://127.0.0.1:80' },
    { host: 'localhost', port: 1, url: 'http://127.0.0.1:1' },
    { host: '::', port: 2, url: 'http://[::1]:2' },
    { host: '::1', port: 3, url: 'http://[::1]:3' },
    { host: '192.168.1.5', port: 4, url: 'http://192.168.1.5:4' },
    { host: 'fe80::1', port: 5, url: 'http://[fe80::1]:5' },
  ])('$host:$port → $url', ({ host, port, url }) => {
    expect(localGatewayUrl(host, port)).toBe(url);
  });
});
