/*
 * The small part of Markdown LLM replies use, parsed into blocks and inline spans so each channel
 * can render its own format: fenced code blocks, headings, list items, paragraphs; bold, italic,
 * strikethrough, inline code and links. Anything else stays text (and is escaped by renderers).
 */

/** An inline span. Spans do not nest: `**[a](u)**` is bold text `[a](u)`. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike' | 'code'; text: string }
  | { kind: 'link'; text: string; url: string };

/** A block: a fenced code block, or a line of inline spans (heading or list item or plain). */
export type Block =
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'line'; style: 'heading' | 'item' | 'plain'; inlines: Inline[] };

const FENCE = /^\s*(```|~~~)\s*([\w+#-]*)\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const ITEM = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;

/** Splits Markdown into blocks; an unclosed fence runs to the end of the text. */
export function parseMarkdown(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const fence = FENCE.exec(line);
    if (fence !== null) {
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] ?? '').trim().startsWith(fence[1] ?? '```')) {
        body.push(lines[index] ?? '');
        index += 1;
      }
      blocks.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      blocks.push({ kind: 'line', style: 'heading', inlines: parseInline(heading[1] ?? '') });
      continue;
    }
    const item = ITEM.exec(line);
    if (item !== null) {
      blocks.push({ kind: 'line', style: 'item', inlines: parseInline(item[1] ?? '') });
      continue;
    }
    blocks.push({ kind: 'line', style: 'plain', inlines: parseInline(line) });
  }
  return blocks;
}

const INLINE =
  /`([^`\n]+)`|\*\*(?!\s)(.+?)(?<!\s)\*\*|(?<![\w])__(?!\s)(.+?)(?<!\s)__(?![\w])|~~(?!\s)(.+?)(?<!\s)~~|(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])|(?<![\w])_(?![\s_])(.+?)(?<![\s_])_(?![\w])|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;

/** Inline spans of one line, in order; unmatched markers stay text. */
export function parseInline(line: string): Inline[] {
  const spans: Inline[] = [];
  let last = 0;
  for (const match of line.matchAll(INLINE)) {
    const at = match.index;
    if (at > last) spans.push({ kind: 'text', text: line.slice(last, at) });
    const [, code, bold1, bold2, strike, italic1, italic2, linkText, url] = match;
    if (code !== undefined) spans.push({ kind: 'code', text: code });
    else if (bold1 !== undefined || bold2 !== undefined)
      spans.push({ kind: 'bold', text: bold1 ?? bold2 ?? '' });
    else if (strike !== undefined) spans.push({ kind: 'strike', text: strike });
    else if (italic1 !== undefined || italic2 !== undefined)
      spans.push({ kind: 'italic', text: italic1 ?? italic2 ?? '' });
    else spans.push({ kind: 'link', text: linkText ?? '', url: url ?? '' });
    last = at + match[0].length;
  }
  if (last < line.length) spans.push({ kind: 'text', text: line.slice(last) });
  return spans;
}
