import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable } from './find-executable.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-exec-'));
const bin = join(dir, 'bin');
const other = join(dir, 'other');
mkdirSync(bin);
mkdirSync(other);
mkdirSync(join(bin, 'adir'));
writeFileSync(join(bin, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(join(bin, 'plain'), 'not executable\n', { mode: 0o644 });
writeFileSync(join(other, 'later'), '#!/bin/sh\n');
chmodSync(join(other, 'later'), 0o700);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PATH = [bin, '', other].join(delimiter);

describe('findExecutable', () => {
  it.each<[string, string | undefined, boolean]>([
    ['tool', PATH, true],
    ['later', PATH, true],
    ['plain', PATH, false],
    ['adir', PATH, false],
    ['missing', PATH, false],
    ['tool', undefined, false],
    ['tool', '', false],
    [join(bin, 'tool'), undefined, true],
    [join(bin, 'plain'), PATH, false],
    [join(bin, 'missing'), PATH, false],
    ['./bin/tool', undefined, true],
    ['bin/tool', undefined, true],
  ])('%s on %s → %s', (name, path, expected) => {
    expect(findExecutable(name, path, dir)).toBe(expected);
  });
});
