// Inline Markdown of assistant replies (code spans, emphasis, links) parsed into plain node
// objects; markdown.js turns them into DOM nodes. A link is made only for an absolute http, https
// or mailto URL.
//
// Every look-ahead is bounded by MAX_SPAN characters: a link's text or target, an emphasis, a code
// span or a URL longer than that stays literal text. Each character is visited by the main loop of
// exactly one parse (a matched span's inside is parsed once, by its own call), so rendering a reply
// of N characters costs at most a constant times N * MAX_SPAN steps, whatever a reply holds.

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const ESCAPABLE = /[\\`*_{}[\]()#+\-.!~<>|"']/;
const BARE_URL = /^(?:https?:\/\/|mailto:)[^\s<>"]+/i;

/** The longest link text, link target, emphasis, code span or URL, in characters. */
export const MAX_SPAN = 2000;

let steps = 0;

/** Adds to the work counter, modulo 2^30 so that it stays a small integer however long it runs. */
function count(n) {
  steps = (steps + n) & 0x3fffffff;
}

/** Characters examined since the last call (a work counter for tests); resets it to 0. */
export function takeScanSteps() {
  const taken = steps;
  steps = 0;
  return taken;
}

/** `src` from `i`, at most `length` characters: the only text a pattern may look at. */
function window(src, i, length) {
  const part = src.slice(i, i + length);
  count(part.length);
  return part;
}

/** The length of the run of backticks at `i`, not looking at or past `limit`. */
function backticks(src, i, limit = src.length) {
  let j = i;
  while (j < limit && src[j] === '`') j += 1;
  count(j - i);
  return j - i;
}

/** The href for a link target, or null when it is not an absolute http, https or mailto URL. */
export function safeHref(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    // Relative or malformed: there is no page base a reply may point into, so no link.
    return null;
  }
  return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
}

/** Inline text → nodes: text, code, strong, em, del, link. */
export function parseInline(src) {
  const out = [];
  let text = '';
  const flush = () => {
    if (text !== '') out.push({ type: 'text', value: text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    count(1);
    const c = src[i];
    if (c === '\\' && i + 1 < src.length && ESCAPABLE.test(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    const found =
      (c === '`' && matchCode(src, i)) ||
      (c === '[' && matchLink(src, i)) ||
      (c === '<' && matchAutolink(src, i)) ||
      ((c === 'h' || c === 'H' || c === 'm' || c === 'M') && matchBareUrl(src, i)) ||
      ((c === '*' || c === '_' || c === '~') && matchEmphasis(src, i));
    if (found) {
      flush();
      out.push(found.node);
      i = found.end;
    } else if (c === '`') {
      // An unmatched backtick run stays literal as a whole, so it cannot close a later span.
      const run = backticks(src, i);
      text += src.slice(i, i + run);
      i += run;
    } else {
      text += c;
      i += 1;
    }
  }
  flush();
  return out;
}

function matchCode(src, i) {
  const size = backticks(src, i);
  const from = i + size;
  // The closing run must be exactly as long as the opening one, within MAX_SPAN characters.
  const limit = Math.min(src.length, from + MAX_SPAN + size);
  let j = from;
  while (j < limit) {
    if (src[j] !== '`') {
      count(1);
      j += 1;
      continue;
    }
    const run = backticks(src, j, limit);
    if (run === size && src[j + run] !== '`') {
      let value = src.slice(from, j).replace(/\n/g, ' ');
      if (/^ .* $/.test(value) && value.trim() !== '') value = value.slice(1, -1);
      return { node: { type: 'code', value }, end: j + run };
    }
    j += run;
  }
  return null;
}

const LINK_TARGET = /^\(((?:[^\s()]|\([^\s()]*\))*)(?:[ \t]+"[^"]*")?\)/;

function matchLink(src, i) {
  let depth = 0;
  let close = -1;
  // The link text is at most MAX_SPAN characters: a `]` further on does not close this `[`.
  const limit = Math.min(src.length, i + MAX_SPAN + 2);
  for (let j = i; j < limit; j += 1) {
    count(1);
    if (src[j] === '\\') j += 1;
    else if (src[j] === '[') depth += 1;
    else if (src[j] === ']' && --depth === 0) {
      close = j;
      break;
    }
  }
  if (close === -1) return null;
  // So is the target between its parentheses.
  const target = LINK_TARGET.exec(window(src, close + 1, MAX_SPAN + 2));
  if (!target) return null;
  const end = close + 1 + target[0].length;
  const href = safeHref(target[1].replace(/^<|>$/g, ''));
  // A refused target (javascript:, data:, relative) is shown as the text it was written as.
  if (href === null) return { node: { type: 'text', value: src.slice(i, end) }, end };
  return { node: { type: 'link', href, children: parseInline(src.slice(i + 1, close)) }, end };
}

function matchAutolink(src, i) {
  const match = /^<([a-z][a-z0-9+.-]{1,31}:[^\s<>]+)>/i.exec(window(src, i, MAX_SPAN + 2));
  if (!match) return null;
  const href = safeHref(match[1]);
  if (href === null) return null;
  return { node: linkText(href, match[1]), end: i + match[0].length };
}

function matchBareUrl(src, i) {
  if (i > 0 && /[\p{L}\p{N}_/]/u.test(src[i - 1])) return null;
  const match = BARE_URL.exec(window(src, i, MAX_SPAN + 1));
  // A longer URL stays text rather than being cut short.
  if (!match || match[0].length > MAX_SPAN) return null;
  let raw = match[0];
  let opens = 0;
  let closes = 0;
  for (const ch of raw) {
    if (ch === '(') opens += 1;
    else if (ch === ')') closes += 1;
  }
  count(raw.length);
  // Sentence punctuation after a URL belongs to the sentence; so does an unbalanced ")".
  let end = raw.length;
  for (;;) {
    count(1);
    const last = raw[end - 1];
    if (/[.,;:!?'*_~]/.test(last)) end -= 1;
    else if (last === ')' && opens < closes) {
      closes -= 1;
      end -= 1;
    } else break;
  }
  raw = raw.slice(0, end);
  const href = safeHref(raw);
  if (href === null || raw.length < 8) return null;
  return { node: linkText(href, raw), end: i + raw.length };
}

function linkText(href, text) {
  return { type: 'link', href, children: [{ type: 'text', value: text }] };
}

const DELIMITERS = [
  ['**', 'strong'],
  ['__', 'strong'],
  ['~~', 'del'],
  ['*', 'em'],
  ['_', 'em'],
];

function matchEmphasis(src, i) {
  for (const [delim, type] of DELIMITERS) {
    if (!src.startsWith(delim, i)) continue;
    const start = i + delim.length;
    if (start >= src.length || /\s/.test(src[start])) continue;
    // snake_case and 2*3*4 are not emphasis.
    const underscore = delim[0] === '_';
    if (i > 0 && /[\p{L}\p{N}]/u.test(src[i - 1]) && (underscore || delim === '*')) continue;
    // The closer is at most MAX_SPAN characters on: the search sees no further than that.
    const region = src.slice(0, Math.min(src.length, start + MAX_SPAN + delim.length));
    let j = start + 1;
    while ((j = region.indexOf(delim, j)) !== -1) {
      const doubled = delim.length === 1 && src[j + 1] === delim;
      const afterWord = underscore && /[\p{L}\p{N}]/u.test(src[j + delim.length] ?? '');
      if (!doubled && !afterWord && !/\s/.test(src[j - 1])) {
        count(j - start);
        const children = parseInline(src.slice(start, j));
        return { node: { type, children }, end: j + delim.length };
      }
      j += doubled ? 2 : 1;
    }
    count(region.length - start);
  }
  return null;
}
