import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../errors.js';
import { configSchema, SECRET_ENV } from './schema.js';
import { listLeaves } from './schema-walk.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** True when a Markdown table row starts with `name` in backticks (any column padding). */
function hasRow(name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\|\\s*\`${escaped}\`\\s*\\|`, 'm').test(readme);
}

describe('README.md', () => {
  it.each(listLeaves(configSchema).map((leaf) => leaf.path.join('.')))(
    'documents the config key %s in the reference table',
    (key) => {
      expect(hasRow(key)).toBe(true);
    },
  );

  it.each(SECRET_ENV.map((entry) => entry.env))('documents the environment variable %s', (name) => {
    expect(hasRow(name)).toBe(true);
  });

  it.each(Object.keys(ERRORS))('documents the error code %s', (code) => {
    expect(hasRow(code)).toBe(true);
  });

  it('gives exactly the two quick-start commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
