/**
 * Splits a reply into parts of at most `max` UTF-16 code units, preferring to cut at whitespace
 * and never between the two halves of a surrogate pair (which would corrupt an emoji).
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    const space = lastWhitespace(rest, cut);
    // Only cut at whitespace when it keeps parts reasonably full; one long word is cut hard.
    if (space > max / 2) {
      parts.push(rest.slice(0, space));
      rest = rest.slice(space + 1);
    } else {
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts.filter((part, index) => part.length > 0 || index === 0);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Index of the last whitespace character at or before `end` (so the part ends before it), or -1. */
function lastWhitespace(text: string, end: number): number {
  for (let i = end; i > 0; i -= 1) {
    if (/\s/.test(text.charAt(i))) return i;
  }
  return -1;
}
