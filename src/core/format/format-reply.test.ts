import { describe, expect, it } from 'vitest';
import { formatReply } from './format-reply.js';
import type { FormattedChannel } from './render.js';

const one = (channel: FormattedChannel, markdown: string): string =>
  formatReply(channel, markdown, 4000)
    .map((part) => part.text)
    .join('\n---\n');

describe('formatReply renders Markdown per channel', () => {
  it.each<[string, string, string, string, string]>([
    // [case, markdown, slack, whatsapp, telegram]
    ['bold', 'a **b** c', 'a *b* c', 'a *b* c', 'a <b>b</b> c'],
    ['bold underscores', '__b__', '*b*', '*b*', '<b>b</b>'],
    ['italic', 'an *it* word', 'an _it_ word', 'an _it_ word', 'an <i>it</i> word'],
    ['italic underscores', '_it_', '_it_', '_it_', '<i>it</i>'],
    [
      'snake_case stays',
      'snake_case_name',
      'snake_case_name',
      'snake_case_name',
      'snake_case_name',
    ],
    ['strike', '~~old~~', '~old~', '~old~', '<s>old</s>'],
    ['inline code', 'run `ls -l`', 'run `ls -l`', 'run `ls -l`', 'run <code>ls -l</code>'],
    [
      'link',
      'see [docs](https://x.io/a?b=1&c=2)',
      'see <https://x.io/a?b=1&amp;c=2|docs>',
      'see docs (https://x.io/a?b=1&c=2)',
      'see <a href="https://x.io/a?b=1&amp;c=2">docs</a>',
    ],
    ['heading', '## Title', '*Title*', '*Title*', '<b>Title</b>'],
    ['list item', '- one\n* two', '• one\n• two', '• one\n• two', '• one\n• two'],
    [
      'escaping',
      'a < b & c > d',
      'a &lt; b &amp; c &gt; d',
      'a < b & c > d',
      'a &lt; b &amp; c &gt; d',
    ],
    [
      'html is text',
      '<script>x</script>',
      '&lt;script&gt;x&lt;/script&gt;',
      '<script>x</script>',
      '&lt;script&gt;x&lt;/script&gt;',
    ],
    [
      'fenced code',
      '```ts\nconst a = 1 < 2;\n```',
      '```\nconst a = 1 &lt; 2;\n```',
      '```\nconst a = 1 < 2;\n```',
      '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
    ],
    [
      'markers inside code stay literal',
      '```\n**not bold**\n```',
      '```\n**not bold**\n```',
      '```\n**not bold**\n```',
      '<pre>**not bold**</pre>',
    ],
    ['unclosed marker stays text', 'a ** b', 'a ** b', 'a ** b', 'a ** b'],
  ])('%s', (_name, markdown, slack, whatsapp, telegram) => {
    expect(one('slack', markdown)).toBe(slack);
    expect(one('whatsapp', markdown)).toBe(whatsapp);
    expect(one('telegram', markdown)).toBe(telegram);
  });

  it('gives Telegram a plain fallback without tags', () => {
    expect(formatReply('telegram', '**a** [b](https://c.d) `e`', 100)).toEqual([
      { text: '<b>a</b> <a href="https://c.d">b</a> <code>e</code>', plain: 'a b (https://c.d) e' },
    ]);
  });
});

/** True when every tag opened in `html` is closed in it and no entity is cut. */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)(\w+)[^>]*>/g)) {
    if (match[1] === '') stack.push(match[2] ?? '');
    else if (stack.pop() !== match[2]) return false;
  }
  return stack.length === 0 && !/&[a-z]*$/.test(html) && !/^[a-z]*;/.test(html);
}

describe('formatReply splitting', () => {
  const code = `\`\`\`js\n${Array.from({ length: 60 }, (_, n) => `line(${n}) < limit && ok;`).join('\n')}\n\`\`\``;
  const prose = Array.from(
    { length: 40 },
    (_, n) => `word${n} **bold ${n}** & [link](https://e.x/${n})`,
  ).join(' ');
  const markdown = `# Head\n\n${prose}\n\n${code}\n\nafter`;

  it.each<[FormattedChannel, number]>([
    ['telegram', 300],
    ['telegram', 120],
    ['slack', 200],
    ['whatsapp', 150],
  ])('%s parts of at most %i never cut a code block, a tag or an entity', (channel, max) => {
    const parts = formatReply(channel, markdown, max);
    expect(parts.length).toBeGreaterThan(1);
    for (const { text } of parts) {
      expect(text.length).toBeLessThanOrEqual(max);
      expect((text.match(/```/g) ?? []).length % 2).toBe(0);
      if (channel === 'telegram') expect(balanced(text)).toBe(true);
      if (channel === 'slack') expect(/<[^>]*$/.test(text)).toBe(false);
    }
    const joined = parts.map((part) => part.plain).join(' ');
    for (let n = 0; n < 60; n += 1) expect(joined).toContain(`line(${n}) < limit && ok;`);
    expect(joined).toContain('after');
  });

  it('never splits between surrogate halves', () => {
    const parts = formatReply('whatsapp', '😀'.repeat(500), 101);
    for (const { text } of parts) {
      const last = text.charCodeAt(text.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
    }
    expect(parts.map((part) => part.text).join('')).toBe('😀'.repeat(500));
  });
});
