import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfigPath, resolveHome } from './paths.js';

const cwd = '/srv/app';

describe('resolveConfigPath', () => {
  it('prefers --config over GATEHOUSE_CONFIG and GATEHOUSE_HOME', () => {
    const env = { GATEHOUSE_CONFIG: '/etc/g.toml', GATEHOUSE_HOME: '/var/g', HOME: '/home/u' };
    expect(resolveConfigPath({ flag: '/tmp/a.toml', env, cwd })).toEqual({
      path: '/tmp/a.toml',
      explicit: true,
    });
  });

  it('uses GATEHOUSE_CONFIG when no flag is given', () => {
    const env = { GATEHOUSE_CONFIG: '/etc/g.toml', GATEHOUSE_HOME: '/var/g' };
    expect(resolveConfigPath({ env, cwd }).path).toBe('/etc/g.toml');
  });

  it('falls back to $GATEHOUSE_HOME/config.toml, then ~/.gatehouse/config.toml', () => {
    expect(resolveConfigPath({ env: { GATEHOUSE_HOME: '/var/g' }, cwd })).toEqual({
      path: '/var/g/config.toml',
      explicit: false,
    });
    expect(resolveConfigPath({ env: { HOME: '/home/u' }, cwd }).path).toBe(
      '/home/u/.gatehouse/config.toml',
    );
  });

  it('resolves relative paths against cwd and expands ~/', () => {
    expect(resolveConfigPath({ flag: 'conf/g.toml', env: {}, cwd }).path).toBe(
      join(cwd, 'conf/g.toml'),
    );
    expect(resolveConfigPath({ flag: '~/g.toml', env: { HOME: '/home/u' }, cwd }).path).toBe(
      '/home/u/g.toml',
    );
  });

  it('treats empty variables as unset', () => {
    const env = { GATEHOUSE_CONFIG: '', GATEHOUSE_HOME: ' ', HOME: '/home/u' };
    expect(resolveConfigPath({ flag: '', env, cwd }).path).toBe('/home/u/.gatehouse/config.toml');
  });
});

describe('resolveHome', () => {
  it('uses GATEHOUSE_HOME when set, even with an explicit config path', () => {
    expect(resolveHome({ GATEHOUSE_HOME: '/var/g' }, '/tmp/x/a.toml', cwd)).toBe('/var/g');
  });

  it('uses the directory of an explicit config file when GATEHOUSE_HOME is unset', () => {
    expect(resolveHome({ HOME: '/home/u' }, '/tmp/x/a.toml', cwd)).toBe('/tmp/x');
    expect(resolveHome({ HOME: '/home/u' }, 'rel/a.toml', cwd)).toBe('/srv/app/rel');
  });

  it('defaults to ~/.gatehouse', () => {
    expect(resolveHome({ HOME: '/home/u' }, undefined, cwd)).toBe('/home/u/.gatehouse');
  });
});
