import { describe, expect, it } from 'vitest';
import { formatReply } from './format-reply.js';
import { telegramHtmlToPlain } from './telegram-plain.js';

describe('telegramHtmlToPlain', () => {
  it.each([
    'plain words',
    '**bold** and _italic_ and ~~gone~~',
    'a [link](https://example.com/a?b=1&c="2") here',
    'inline `code <b>` & more',
    '# Heading\n\n- one\n- two',
    '```ts\nconst a = 1 < 2 && 3 > 2;\n```',
    '5 < 6 & "quotes" > 4',
  ])('gives the plain rendering of %j', (markdown) => {
    const [part] = formatReply('telegram', markdown, 4096);
    expect(part).toBeDefined();
    expect(telegramHtmlToPlain(part?.text ?? '')).toBe(part?.plain);
  });
});
