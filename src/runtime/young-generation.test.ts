import { describe, expect, it } from 'vitest';
import { growthFactorChosenByUser } from './young-generation.js';

describe('growthFactorChosenByUser', () => {
  it.each([
    { execArgv: [], nodeOptions: undefined, chosen: false },
    {
      execArgv: ['--max-semi-space-size=8'],
      nodeOptions: '--max-old-space-size=64',
      chosen: false,
    },
    { execArgv: ['--semi-space-growth-factor=4'], nodeOptions: undefined, chosen: true },
    { execArgv: ['--semi_space_growth_factor=4'], nodeOptions: undefined, chosen: true },
    {
      execArgv: [],
      nodeOptions: '--enable-source-maps --semi-space-growth-factor=3',
      chosen: true,
    },
  ])('$execArgv / $nodeOptions → $chosen', ({ execArgv, nodeOptions, chosen }) => {
    expect(growthFactorChosenByUser(execArgv, nodeOptions)).toBe(chosen);
  });
});
