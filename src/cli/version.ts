import { readFileSync } from 'node:fs';

/** The package version, read from package.json (two levels up from both src/cli and dist/cli). */
export function readVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed) {
    const version: unknown = parsed.version;
    if (typeof version === 'string') return version;
  }
  return '0.0.0';
}
