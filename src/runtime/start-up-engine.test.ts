import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START_UP_SETTINGS, chosenByUser } from './start-up-engine.js';

const [growth, turbofan] = START_UP_SETTINGS.map((setting) => setting.chosenBy) as [RegExp, RegExp];

describe('chosenByUser', () => {
  it.each([
    { pattern: growth, execArgv: [], nodeOptions: undefined, chosen: false },
    {
      pattern: growth,
      execArgv: ['--max-semi-space-size=8'],
      nodeOptions: undefined,
      chosen: false,
    },
    {
      pattern: growth,
      execArgv: ['--semi-space-growth-factor=4'],
      nodeOptions: undefined,
      chosen: true,
    },
    {
      pattern: growth,
      execArgv: ['--semi_space_growth_factor=4'],
      nodeOptions: undefined,
      chosen: true,
    },
    {
      pattern: growth,
      execArgv: [],
      nodeOptions: '--enable-source-maps --semi-space-growth-factor=3',
      chosen: true,
    },
    { pattern: turbofan, execArgv: [], nodeOptions: '--max-old-space-size=64', chosen: false },
    { pattern: turbofan, execArgv: ['--no-turbofan'], nodeOptions: undefined, chosen: true },
    { pattern: turbofan, execArgv: ['--jitless'], nodeOptions: undefined, chosen: true },
    { pattern: turbofan, execArgv: [], nodeOptions: '--no-opt', chosen: true },
    { pattern: turbofan, execArgv: ['--optimize-for-size'], nodeOptions: undefined, chosen: false },
  ])(
    '$pattern on $execArgv / $nodeOptions → $chosen',
    ({ pattern, execArgv, nodeOptions, chosen }) => {
      expect(chosenByUser(pattern, execArgv, nodeOptions)).toBe(chosen);
    },
  );
});

describe('the launcher', () => {
  it('holds the same settings during start-up as this module ends', () => {
    const launcher = readFileSync(
      join(import.meta.dirname, '..', '..', 'scripts', 'launcher.cjs'),
      'utf8',
    );
    for (const setting of START_UP_SETTINGS) {
      expect(launcher).toContain(`during: '${setting.during}'`);
      expect(launcher).toContain(`chosenBy: ${String(setting.chosenBy)}`);
    }
    expect(launcher.match(/during: '/g)).toHaveLength(START_UP_SETTINGS.length);
  });
});
