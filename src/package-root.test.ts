import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from './package-root.js';

describe('packageRoot', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-root-'));
    dirs.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('finds this package from its own sources', () => {
    expect(packageRoot()).toBe(join(import.meta.dirname, '..'));
  });

  it.each([
    ['a module two levels down', 'pkg/dist/cli/main.js'],
    ['a module three levels down', 'pkg/dist/server/routes/static.js'],
    ['a bundle one level down', 'pkg/dist/bundle/main.js'],
  ])('finds the root from %s', (_name, module) => {
    const root = tree({ 'pkg/package.json': '{"name":"gatehouse"}', [module]: '' });
    expect(packageRoot(pathToFileURL(join(root, module)).href)).toBe(join(root, 'pkg'));
  });

  it('skips package.json files of other packages and malformed ones on the way up', () => {
    const root = tree({
      'pkg/package.json': '{"name":"gatehouse"}',
      'pkg/node_modules/other/package.json': '{"name":"other"}',
      'pkg/node_modules/other/lib/package.json': '{not json',
      'pkg/node_modules/other/lib/index.js': '',
    });
    const module = join(root, 'pkg/node_modules/other/lib/index.js');
    expect(packageRoot(pathToFileURL(module).href)).toBe(join(root, 'pkg'));
  });

  it('throws when no gatehouse package.json is above the module', () => {
    const root = tree({ 'elsewhere/package.json': '{"name":"other"}', 'elsewhere/x.js': '' });
    expect(() => packageRoot(pathToFileURL(join(root, 'elsewhere/x.js')).href)).toThrow(
      /no gatehouse package.json above/,
    );
  });
});
