import type { TunnelConfig } from '../config/schema.js';
import { connectHost, publicOrigin } from './target-address.js';
import type { TunnelLaunch, TunnelTarget } from './types.js';

/*
 * A tunnel of the operator's choosing. `command` is split into argv here and run without a shell,
 * so `{host}`, `{port}` and anything else in it can never become shell syntax. Quotes group
 * words ("a b" or 'a b'); a backslash outside single quotes takes the next character literally.
 */

/**
 * Splits a command line into argv the way a POSIX shell splits words, without expansions.
 * @throws Error on an unterminated quote or an empty command
 */
export function splitCommandLine(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (char === '\\' && i + 1 < command.length) {
      i += 1;
      word = (word ?? '') + (command[i] as string);
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} quote`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new Error('the command is empty');
  return words;
}

/** Replaces `{host}` and `{port}` in one argument. */
export function expandPlaceholders(arg: string, target: TunnelTarget): string {
  return arg
    .replaceAll('{host}', connectHost(target.host))
    .replaceAll('{port}', String(target.port));
}

/** The URL `pattern` finds on one output line: its first group, else the whole match. */
export function findPatternUrl(pattern: RegExp, line: string): string | undefined {
  const match = pattern.exec(line);
  if (match === null) return undefined;
  return publicOrigin(match[1] ?? match[0]);
}

/**
 * Why `[tunnel.custom]` cannot run, as one line naming the key, or undefined when it can.
 * Used by the start-up checks so `config check` and `start` refuse the same configs.
 */
export function customTunnelProblem(config: TunnelConfig['custom']): string | undefined {
  if (config.command === undefined) {
    return 'tunnel.custom.command is required with tunnel.provider = "custom" (e.g. "mytunnel --to {host}:{port}")';
  }
  try {
    splitCommandLine(config.command);
  } catch (error) {
    return `tunnel.custom.command does not parse: ${(error as Error).message}`;
  }
  if (config.url_pattern === undefined) {
    return 'tunnel.custom.url_pattern is required with tunnel.provider = "custom" (a regex matching the public URL in the output)';
  }
  try {
    new RegExp(config.url_pattern);
  } catch (error) {
    return `tunnel.custom.url_pattern is not a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * Launch of the custom command. `binary`, when set, replaces the command's first word.
 * @throws Error when the config is incomplete (the start-up checks refuse it first)
 */
export function customLaunch(config: TunnelConfig['custom'], target: TunnelTarget): TunnelLaunch {
  const problem = customTunnelProblem(config);
  if (problem !== undefined) throw new Error(problem);
  const [first, ...rest] = splitCommandLine(config.command as string);
  const pattern = new RegExp(config.url_pattern as string);
  return {
    provider: 'custom',
    binary: config.binary ?? (first as string),
    args: rest.map((arg) => expandPlaceholders(arg, target)),
    env: {},
    findUrl: (line) => findPatternUrl(pattern, line),
  };
}
