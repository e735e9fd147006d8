// Inline Markdown of assistant replies (code spans, emphasis, links) parsed into plain node
// objects; markdown.js turns them into DOM nodes. A link is made only for an absolute http, https
// or mailto URL.

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const ESCAPABLE = /[\\`*_{}[\]()#+\-.!~<>|"']/;
const BARE_URL = /^(?:https?:\/\/|mailto:)[^\s<>"]+/i;

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
      const run = /^`+/.exec(src.slice(i))[0];
      text += run;
      i += run.length;
    } else {
      text += c;
      i += 1;
    }
  }
  flush();
  return out;
}

function matchCode(src, i) {
  const run = /^`+/.exec(src.slice(i))[0];
  let from = i + run.length;
  for (;;) {
    const close = src.indexOf(run, from);
    if (close === -1) return null;
    // The closing run must be exactly as long as the opening one.
    if (src[close + run.length] === '`') {
      from = close + run.length + /^`*/.exec(src.slice(close + run.length))[0].length;
      continue;
    }
    let value = src.slice(i + run.length, close).replace(/\n/g, ' ');
    if (/^ .* $/.test(value) && value.trim() !== '') value = value.slice(1, -1);
    return { node: { type: 'code', value }, end: close + run.length };
  }
}

const LINK_TARGET = /^\(((?:[^\s()]|\([^\s()]*\))*)(?:[ \t]+"[^"]*")?\)/;

function matchLink(src, i) {
  let depth = 0;
  let close = -1;
  for (let j = i; j < src.length; j += 1) {
    if (src[j] === '\\') j += 1;
    else if (src[j] === '[') depth += 1;
    else if (src[j] === ']' && --depth === 0) {
      close = j;
      break;
    }
  }
  if (close === -1) return null;
  const target = LINK_TARGET.exec(src.slice(close + 1));
  if (!target) return null;
  const end = close + 1 + target[0].length;
  const href = safeHref(target[1].replace(/^<|>$/g, ''));
  // A refused target (javascript:, data:, relative) is shown as the text it was written as.
  if (href === null) return { node: { type: 'text', value: src.slice(i, end) }, end };
  return { node: { type: 'link', href, children: parseInline(src.slice(i + 1, close)) }, end };
}

function matchAutolink(src, i) {
  const match = /^<([a-z][a-z0-9+.-]{1,31}:[^\s<>]+)>/i.exec(src.slice(i));
  if (!match) return null;
  const href = safeHref(match[1]);
  if (href === null) return null;
  return { node: linkText(href, match[1]), end: i + match[0].length };
}

function matchBareUrl(src, i) {
  if (i > 0 && /[\p{L}\p{N}_/]/u.test(src[i - 1])) return null;
  const match = BARE_URL.exec(src.slice(i));
  if (!match) return null;
  let raw = match[0];
  // Sentence punctuation after a URL belongs to the sentence; so does an unbalanced ")".
  for (;;) {
    const last = raw[raw.length - 1];
    if (/[.,;:!?'*_~]/.test(last)) raw = raw.slice(0, -1);
    else if (last === ')' && (raw.match(/\(/g) ?? []).length < (raw.match(/\)/g) ?? []).length) {
      raw = raw.slice(0, -1);
    } else break;
  }
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
    let j = start + 1;
    while ((j = src.indexOf(delim, j)) !== -1) {
      const doubled = delim.length === 1 && src[j + 1] === delim;
      const afterWord = underscore && /[\p{L}\p{N}]/u.test(src[j + delim.length] ?? '');
      if (!doubled && !afterWord && !/\s/.test(src[j - 1])) {
        const children = parseInline(src.slice(start, j));
        return { node: { type, children }, end: j + delim.length };
      }
      j += doubled ? 2 : 1;
    }
  }
  return null;
}
