// Markdown for assistant replies, built node by node with createElement and text nodes. Reply
// text is never parsed as HTML, so markup in a reply stays visible text (XSS), and a link is made
// only for an absolute http, https or mailto URL.

import { parseInline } from './markdown-inline.js';

const FENCE_START = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)/;
const HEADING_START = /^ {0,3}(#{1,6})[ \t]/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const BULLET = /^( {0,3})([-*+])[ \t]+(.*)$/;
const ORDERED = /^( {0,3})(\d{1,9})([.)])[ \t]+(.*)$/;
const LANGUAGE = /^[\w+#.-]{1,32}$/;
/** Quotes and lists nest at most this deep; anything deeper is the text of a paragraph. */
const MAX_DEPTH = 16;

/** Renders `text` as a DocumentFragment of `doc`. */
export function renderMarkdown(doc, text) {
  const fragment = doc.createDocumentFragment();
  buildBlocks(doc, fragment, parseBlocks(text.replace(/\r\n?/g, '\n').split('\n')));
  return fragment;
}

const leadingSpaces = (line) => /^ */.exec(line)[0].length;
const isBlank = (line) => line.trim() === '';
const isSpace = (ch) => ch === ' ' || ch === '\t';

/** A fence line's run of ` or ~ and its first word, or null; no ` may follow the run. */
function fenceMatch(line) {
  const start = FENCE_START.exec(line);
  return start && !line.includes('`', start[0].length) ? start : null;
}

/**
 * A heading line's level and text (without a closing run of #), or null. Read with plain loops,
 * not one pattern, so a long line of spaces costs no backtracking.
 */
function headingMatch(line) {
  const start = HEADING_START.exec(line);
  if (!start || /[\u2028\u2029]/.test(line)) return null;
  let from = start[0].length;
  while (from < line.length && isSpace(line[from])) from += 1;
  let end = line.length;
  while (end > from && isSpace(line[end - 1])) end -= 1;
  let hashes = end;
  while (hashes > from && line[hashes - 1] === '#') hashes -= 1;
  if (hashes < end && hashes > from && isSpace(line[hashes - 1])) {
    end = hashes;
    while (end > from && isSpace(line[end - 1])) end -= 1;
  }
  return { level: start[1].length, text: line.slice(from, end) };
}

function listMatch(line) {
  const bullet = BULLET.exec(line);
  if (bullet)
    return { ordered: false, marker: bullet[2], width: bullet[1].length + 2, rest: bullet[3] };
  const ordered = ORDERED.exec(line);
  if (!ordered) return null;
  return {
    ordered: true,
    marker: ordered[3],
    start: Number(ordered[2]),
    width: ordered[1].length + ordered[2].length + 2,
    rest: ordered[4],
  };
}

function startsBlock(line) {
  return (
    fenceMatch(line) !== null ||
    headingMatch(line) !== null ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    listMatch(line) !== null
  );
}

/** Lines → block nodes: code, heading, rule, quote, list, paragraph. */
export function parseBlocks(lines, depth = 0) {
  if (depth > MAX_DEPTH) {
    const text = lines.join('\n').trim();
    return text === '' ? [] : [{ type: 'paragraph', text }];
  }
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i += 1;
      continue;
    }
    const fence = fenceMatch(line);
    if (fence) {
      const close = new RegExp(
        `^ {0,3}${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}[ \\t]*$`,
      );
      const body = [];
      i += 1;
      // An unclosed fence runs to the end: a reply still streaming shows its code as code.
      while (i < lines.length && !close.test(lines[i])) body.push(lines[i++]);
      i += 1;
      const language = LANGUAGE.test(fence[2]) ? fence[2] : '';
      blocks.push({ type: 'code', language, text: body.join('\n') });
      continue;
    }
    const heading = headingMatch(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading.level, text: heading.text });
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) body.push(QUOTE.exec(lines[i++])[1]);
      blocks.push({ type: 'quote', children: parseBlocks(body, depth + 1) });
      continue;
    }
    const item = listMatch(line);
    if (item) {
      i = parseList(lines, i, item, blocks, depth);
      continue;
    }
    const body = [line.trim()];
    i += 1;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i]))
      body.push(lines[i++].trim());
    blocks.push({ type: 'paragraph', text: body.join('\n') });
  }
  return blocks;
}

/** Reads one list starting at `lines[i]`; pushes it to `blocks` and returns the next index. */
function parseList(lines, i, first, blocks, depth) {
  const list = { type: 'list', ordered: first.ordered, start: first.start ?? 1, items: [] };
  let index = i;
  for (;;) {
    const item = listMatch(lines[index] ?? '');
    if (!item || item.ordered !== first.ordered || item.marker !== first.marker) break;
    const body = [item.rest];
    index += 1;
    while (index < lines.length) {
      const line = lines[index];
      if (isBlank(line)) {
        const next = lines[index + 1];
        // A blank line continues the item only when indented content follows it.
        if (next === undefined || isBlank(next) || leadingSpaces(next) < 2) break;
        body.push('');
      } else if (leadingSpaces(line) >= 2) {
        body.push(line.slice(Math.min(leadingSpaces(line), item.width)));
      } else if (startsBlock(line)) {
        break;
      } else {
        body.push(line.trim());
      }
      index += 1;
    }
    list.items.push(parseBlocks(body, depth + 1));
    // Blank lines between items of the same list (a "loose" list) keep the list going.
    let next = index;
    while (next < lines.length && isBlank(lines[next])) next += 1;
    const following = listMatch(lines[next] ?? '');
    if (!following || following.ordered !== first.ordered || following.marker !== first.marker)
      break;
    index = next;
  }
  blocks.push(list);
  return index;
}

const INLINE_TAGS = { strong: 'strong', em: 'em', del: 'del' };

function buildInline(doc, parent, nodes) {
  for (const node of nodes) {
    if (node.type === 'text') {
      parent.append(doc.createTextNode(node.value));
    } else if (node.type === 'code') {
      const code = doc.createElement('code');
      code.textContent = node.value;
      parent.append(code);
    } else if (node.type === 'link') {
      const link = doc.createElement('a');
      link.setAttribute('href', node.href);
      // A reply's link opens away from the chat, and the new page gets no handle on this one.
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
      buildInline(doc, link, node.children);
      parent.append(link);
    } else {
      const element = doc.createElement(INLINE_TAGS[node.type]);
      buildInline(doc, element, node.children);
      parent.append(element);
    }
  }
}

function buildBlocks(doc, parent, blocks) {
  for (const block of blocks) {
    if (block.type === 'paragraph') {
      const p = doc.createElement('p');
      buildInline(doc, p, parseInline(block.text));
      parent.append(p);
    } else if (block.type === 'heading') {
      const heading = doc.createElement(`h${block.level}`);
      buildInline(doc, heading, parseInline(block.text));
      parent.append(heading);
    } else if (block.type === 'code') {
      const pre = doc.createElement('pre');
      const code = doc.createElement('code');
      if (block.language !== '') code.setAttribute('data-language', block.language);
      code.textContent = block.text;
      pre.append(code);
      parent.append(pre);
    } else if (block.type === 'rule') {
      parent.append(doc.createElement('hr'));
    } else if (block.type === 'quote') {
      const quote = doc.createElement('blockquote');
      buildBlocks(doc, quote, block.children);
      parent.append(quote);
    } else {
      parent.append(buildList(doc, block));
    }
  }
}

function buildList(doc, block) {
  const list = doc.createElement(block.ordered ? 'ol' : 'ul');
  if (block.ordered && block.start !== 1) list.setAttribute('start', String(block.start));
  for (const blocks of block.items) {
    const item = doc.createElement('li');
    // A tight item's first paragraph is its text, not a <p> of its own.
    const [first, ...rest] = blocks;
    if (first?.type === 'paragraph') {
      buildInline(doc, item, parseInline(first.text));
      buildBlocks(doc, item, rest);
    } else {
      buildBlocks(doc, item, blocks);
    }
    list.append(item);
  }
  return list;
}
