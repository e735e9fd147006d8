import { describe, expect, it } from 'vitest';
import { ensureBrowser, planBrowser } from './browser.js';
import type { BrowserFacts } from './browser.js';

const none: BrowserFacts = {
  configured: undefined,
  found: undefined,
  isRoot: false,
  hasAptGet: true,
  installTried: false,
};

describe('planBrowser', () => {
  it.each<[string, Partial<BrowserFacts>, ReturnType<typeof planBrowser>['kind']]>([
    ['uses a system browser', { found: '/usr/bin/chromium' }, 'use'],
    [
      'uses a configured, executable path first',
      { configured: process.execPath, found: '/x' },
      'use',
    ],
    ['fails on a configured path that is not executable', { configured: '/nope/chrome' }, 'fail'],
    ['installs Debian chromium when root with apt-get', { isRoot: true }, 'install-debian'],
    ['fails when not root', { isRoot: false }, 'fail'],
    ['fails when root without apt-get', { isRoot: true, hasAptGet: false }, 'fail'],
    ['fails after an install that gave no browser', { isRoot: true, installTried: true }, 'fail'],
  ])('%s', (_name, facts, kind) => {
    expect(planBrowser({ ...none, ...facts }).kind).toBe(kind);
  });

  it('uses the configured path itself', () => {
    expect(planBrowser({ ...none, configured: process.execPath })).toEqual({
      kind: 'use',
      path: process.execPath,
    });
  });
});

describe('ensureBrowser', () => {
  it('throws with install instructions for a configured path that does not exist', () => {
    expect(() => ensureBrowser({ GATEHOUSE_CHROMIUM: '/nope/chrome' })).toThrow(
      /GATEHOUSE_CHROMIUM=\/nope\/chrome is not executable.*apt-get install chromium/,
    );
  });
});
