/*
 * The content filter's pattern set as one regular expression, plus an upper bound on how many
 * UTF-16 code units any match (including what its lookarounds read) can span. The bound is what
 * makes streaming safe: text further than that from the end of what arrived so far can no longer
 * become part of a match, so it may leave; the rest is held back.
 */

/** Compiled block patterns. `maxMatchLength` is Infinity when a pattern is unbounded (`.*`, `+`). */
export interface BlockMatcher {
  /** Global, case-insensitive; match with `lastIndex` set. */
  regex: RegExp;
  maxMatchLength: number;
}

const REGEX_PATTERN = /^\/(.+)\/([a-z]*)$/s;

/**
 * Literals are case-insensitive and matched as written; `/regex/flags` are regular expressions.
 * Longer literals come first, so of two overlapping patterns the longer one is removed whole.
 */
export function compileBlockPatterns(patterns: readonly string[]): BlockMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const literals: string[] = [];
  const regexes: string[] = [];
  const flags = new Set(['g', 'i']);
  let maxMatchLength = 0;
  for (const pattern of patterns) {
    const regex = REGEX_PATTERN.exec(pattern);
    if (regex === null) {
      literals.push(pattern);
      // Case folding never changes a code point's UTF-16 length in the simple folds JS uses,
      // but stay generous: the bound only costs latency.
      maxMatchLength = Math.max(maxMatchLength, pattern.length * 2);
      continue;
    }
    const source = regex[1] ?? '';
    for (const flag of regex[2] ?? '') if (flag !== 'g' && flag !== 'y') flags.add(flag);
    regexes.push(`(?:${source})`);
    maxMatchLength = Math.max(maxMatchLength, regexBound(source));
  }
  literals.sort((a, b) => b.length - a.length);
  const alternatives = [...literals.map(escapeLiteral), ...regexes];
  return {
    regex: new RegExp(alternatives.join('|'), [...flags].join('')),
    maxMatchLength,
  };
}

/**
 * A conservative bound for a regex source: unbounded quantifiers make it infinite; otherwise each
 * source character stands for at most two code units (a `.` or class may match a surrogate
 * pair) times the largest `{n,m}` repetition.
 */
export function regexBound(source: string): number {
  if (/(^|[^\\])[*+]/.test(source) || /\{\d*,\}/.test(source)) return Infinity;
  let repeat = 1;
  for (const match of source.matchAll(/\{(\d+)(?:,(\d+))?\}/g)) {
    repeat *= Math.max(1, Number(match[2] ?? match[1]));
  }
  return source.length * 2 * repeat;
}

function escapeLiteral(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The text with every match replaced; `count` says how many there were. */
export function replaceMatches(
  matcher: BlockMatcher,
  text: string,
  replacement: string,
): { text: string; count: number } {
  let count = 0;
  const regex = new RegExp(matcher.regex.source, matcher.regex.flags);
  const replaced = text.replace(regex, (match) => {
    if (match === '') return match;
    count += 1;
    return replacement;
  });
  return { text: replaced, count };
}

/** True when the text holds at least one (non-empty) match. */
export function hasMatch(matcher: BlockMatcher, text: string): boolean {
  return replaceMatches(matcher, text, '').count > 0;
}
