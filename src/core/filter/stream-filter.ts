import type { ReplyTransform } from '../types.js';
import type { BlockMatcher } from './block-matcher.js';

/** What the filter does with a match in a stream. */
export interface StreamFilterOptions {
  matcher: BlockMatcher;
  /** Replaces each match (`[redacted]`); text around it flows on. */
  replacement: string;
  /** Called once per match (for `flag` bookkeeping and counting). */
  onMatch?: () => void;
}

/**
 * A redacting reply transform that never releases text a later delta could turn into (part of) a
 * match: matching always runs on the whole text received so far (lookbehinds see their context),
 * a match is acted on only once every character it could cover has arrived, and text is released
 * only up to the first position where a match could still start. An unbounded pattern holds the
 * whole reply until it ends.
 */
export function createRedactingTransform(options: StreamFilterOptions): ReplyTransform {
  const { matcher, replacement } = options;
  const regex = new RegExp(matcher.regex.source, matcher.regex.flags);
  let raw = '';
  let cursor = 0;

  /** Acts on every decided match and returns the text that is now safe to release. */
  function drain(final: boolean): string {
    // Positions ≤ limit start no match that could still grow; beyond it, wait for more text.
    const limit = final ? Infinity : raw.length - matcher.maxMatchLength;
    let out = '';
    for (;;) {
      regex.lastIndex = cursor;
      const match = regex.exec(raw);
      if (match === null || match.index > limit) break;
      if (match[0] === '') {
        // An empty match removes nothing; step over it (only a badly written regex does this).
        out += raw.slice(cursor, match.index + 1);
        cursor = match.index + 1;
        continue;
      }
      out += raw.slice(cursor, match.index) + replacement;
      cursor = match.index + match[0].length;
      options.onMatch?.();
    }
    let release = final ? raw.length : Math.max(cursor, Math.min(raw.length, limit + 1));
    // Never end a chunk between the halves of a surrogate pair (a WS text frame must be UTF-8).
    if (release > cursor && release < raw.length && isHighSurrogate(raw.charCodeAt(release - 1))) {
      release -= 1;
    }
    out += raw.slice(cursor, release);
    cursor = release;
    return out;
  }

  return {
    write(delta) {
      raw += delta;
      return drain(false);
    },
    end() {
      return drain(true);
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
