import { InvalidArgumentError } from 'commander';

/** Parses `--port`: an integer 0–65535 (0 = any free port), else a usage error (exit 2). */
export function parsePortOption(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected an integer 0–65535 (0 = any free port)');
  }
  return Number(value);
}

/** Parses `--format` of commands that print a document. */
export function parseFormatOption(value: string): 'toml' | 'json' {
  if (value !== 'toml' && value !== 'json') {
    throw new InvalidArgumentError('expected "toml" or "json"');
  }
  return value;
}
