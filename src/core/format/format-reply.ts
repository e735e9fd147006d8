import type { Block, Inline } from './markdown.js';
import { parseMarkdown } from './markdown.js';
import type { FormattedChannel } from './render.js';
import { CHANNEL_STYLES, plainStyle, renderBlock, renderInline } from './render.js';
import type { ChannelStyle } from './render.js';

/** One message to send: the channel's format, and the same text plain (Telegram's fallback). */
export interface FormattedPart {
  text: string;
  plain: string;
}

/**
 * Converts a Markdown reply to the channel's format in parts of at most `max` UTF-16 code units.
 * Parts end between blocks, or between whole spans of an oversize line; a code block longer than
 * a part is cut between lines into several closed blocks. No part ever ends inside a code block,
 * a tag or an entity.
 */
export function formatReply(
  channel: FormattedChannel,
  markdown: string,
  max: number,
): FormattedPart[] {
  const style = CHANNEL_STYLES[channel];
  const units = parseMarkdown(markdown).flatMap((block) => blockUnits(style, block, max));
  const parts: FormattedPart[] = [];
  let current: FormattedPart | undefined;
  for (const unit of units) {
    if (current !== undefined && current.text.length + 1 + unit.text.length <= max) {
      current = { text: `${current.text}\n${unit.text}`, plain: `${current.plain}\n${unit.plain}` };
      continue;
    }
    if (current !== undefined) parts.push(current);
    current = unit;
  }
  if (current !== undefined) parts.push(current);
  const sendable = parts.filter((part) => part.text.trim() !== '');
  return sendable.length > 0 ? sendable : [{ text: '', plain: '' }];
}

function blockUnits(style: ChannelStyle, block: Block, max: number): FormattedPart[] {
  const whole = { text: renderBlock(style, block), plain: renderBlock(plainStyle, block) };
  if (whole.text.length <= max) return [whole];
  if (block.kind === 'code') return codeUnits(style, block, max);
  return atomUnits(style, block.inlines, max);
}

/** A code block too long for one part, as several closed blocks cut between lines. */
function codeUnits(
  style: ChannelStyle,
  block: Extract<Block, { kind: 'code' }>,
  max: number,
): FormattedPart[] {
  const budget = Math.max(2, max - style.code(block.lang, '').length);
  const lines = block.text.split('\n').flatMap((line) => cutEscaped(line, style, budget));
  const units: FormattedPart[] = [];
  let chunk: string[] = [];
  const flush = (): void => {
    if (chunk.length === 0) return;
    const text = chunk.join('\n');
    units.push({ text: style.code(block.lang, text), plain: text });
    chunk = [];
  };
  for (const line of lines) {
    const candidate = [...chunk, line].join('\n');
    if (chunk.length > 0 && style.code(block.lang, candidate).length > max) flush();
    chunk.push(line);
  }
  flush();
  return units;
}

/** A piece of an oversize line; plain-text pieces may be cut further to fill a part. */
interface Atom extends FormattedPart {
  cuttable: boolean;
}

/**
 * An oversize line as whole spans (words of plain text), packed into parts. Plain text fills a
 * part that is less than half full (one long word is cut hard rather than leaving a short part);
 * a formatted span is never cut, and one longer than a part loses its formatting instead.
 */
function atomUnits(style: ChannelStyle, inlines: readonly Inline[], max: number): FormattedPart[] {
  const atoms: Atom[] = [];
  const pushPlain = (text: string): void => {
    for (const piece of cutEscaped(text, style, max)) {
      atoms.push({ text: style.escape(piece), plain: piece, cuttable: true });
    }
  };
  for (const span of inlines) {
    if (span.kind === 'text') {
      for (const word of span.text.split(/(?<=\s)/)) pushPlain(word);
      continue;
    }
    const rendered = { text: renderInline(style, span), plain: renderInline(plainStyle, span) };
    if (rendered.text.length <= max) atoms.push({ ...rendered, cuttable: false });
    else pushPlain(rendered.plain);
  }
  const units: FormattedPart[] = [];
  let current: FormattedPart = { text: '', plain: '' };
  const flush = (): void => {
    // The cut replaces the whitespace it falls on, as a line break would.
    if (current.text !== '')
      units.push({ text: current.text.trimEnd(), plain: current.plain.trimEnd() });
    current = { text: '', plain: '' };
  };
  const queue = [...atoms];
  for (let atom = queue.shift(); atom !== undefined; atom = queue.shift()) {
    if (current.text === '' && atom.text.trim() === '') continue;
    if (current.text.length + atom.text.trimEnd().length <= max) {
      current = { text: current.text + atom.text, plain: current.plain + atom.plain };
      continue;
    }
    if (atom.cuttable && current.text.length < max / 2) {
      const [head, ...rest] = cutEscaped(atom.plain, style, max - current.text.length);
      current = {
        text: current.text + style.escape(head ?? ''),
        plain: current.plain + (head ?? ''),
      };
      const tail = rest.join('');
      if (tail !== '') queue.unshift({ text: style.escape(tail), plain: tail, cuttable: true });
    } else {
      queue.unshift(atom);
    }
    flush();
  }
  flush();
  return units;
}

/**
 * Raw text in pieces whose escaped form fits `budget` code units, cut between code points (never
 * inside an escape like `&amp;`, which is produced per piece, nor between surrogate halves).
 */
function cutEscaped(text: string, style: ChannelStyle, budget: number): string[] {
  if (style.escape(text).length <= budget) return [text];
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const char of text) {
    const grows = style.escape(char).length;
    if (size + grows > budget && piece !== '') {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += char;
    size += grows;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
