import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../errors.js';
import { configSchema, SECRET_ENV } from './schema.js';
import { listLeaves } from './schema-walk.js';
import { HOT_KEYS } from './reload-plan.js';

const readDoc = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const readme = readDoc('../../README.md');
const configurationDoc = readDoc('../../docs/configuration.md');
const errorsDoc = readDoc('../../docs/errors.md');

/** True when a Markdown table row starts with `name` in backticks (any column padding). */
function hasRow(doc: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\|\\s*\`${escaped}\`\\s*\\|`, 'm').test(doc);
}

describe('documentation', () => {
  it.each(listLeaves(configSchema).map((leaf) => leaf.path.join('.')))(
    'docs/configuration.md documents the config key %s',
    (key) => {
      expect(hasRow(configurationDoc, key)).toBe(true);
    },
  );

  it.each(SECRET_ENV.map((entry) => entry.env))('documents the environment variable %s', (name) => {
    expect(hasRow(configurationDoc, name)).toBe(true);
  });

  it.each(Object.keys(ERRORS))('documents the error code %s', (code) => {
    expect(hasRow(errorsDoc, code)).toBe(true);
  });

  it('docs/configuration.md lists exactly the keys a reload applies', () => {
    const start = configurationDoc.indexOf('<!-- hot-keys');
    const end = configurationDoc.indexOf('<!-- /hot-keys -->');
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const listed = [...configurationDoc.slice(start, end).matchAll(/`([a-z_.*]+)`/g)].map(
      (match) => match[1],
    );
    expect(new Set(listed)).toEqual(new Set(HOT_KEYS));
  });

  it('gives exactly the two quick-start commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
