import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from './static.js';

/*
 * The browser client's Markdown renderer (web/markdown.js, web/markdown-inline.js), run in Node
 * over a minimal document that has only the DOM calls a safe renderer needs: createElement,
 * createTextNode, append, setAttribute and textContent. It has no innerHTML at all, so a renderer that parsed reply text
 * as HTML would fail here; the browser end-to-end test checks the same in Chromium.
 */

interface FakeNode {
  serialize(): string;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class FakeText implements FakeNode {
  constructor(readonly value: string) {}
  serialize(): string {
    return escape(this.value);
  }
}

class FakeParent implements FakeNode {
  children: FakeNode[] = [];
  append(...nodes: FakeNode[]): void {
    for (const node of nodes) {
      if (node instanceof FakeFragment) this.children.push(...node.children.splice(0));
      else this.children.push(node);
    }
  }
  set textContent(value: string) {
    this.children = [new FakeText(value)];
  }
  serialize(): string {
    return this.children.map((child) => child.serialize()).join('');
  }
}

class FakeFragment extends FakeParent {}

class FakeElement extends FakeParent {
  readonly attributes = new Map<string, string>();
  constructor(readonly tag: string) {
    super();
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  override serialize(): string {
    const attributes = [...this.attributes]
      .map(([name, value]) => ` ${name}="${escape(value)}"`)
      .join('');
    return `<${this.tag}${attributes}>${super.serialize()}</${this.tag}>`;
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (value: string) => new FakeText(value),
  createDocumentFragment: () => new FakeFragment(),
};

interface MarkdownModule {
  renderMarkdown(doc: typeof fakeDocument, text: string): FakeFragment;
}

interface MarkdownInlineModule {
  safeHref(raw: string): string | null;
  MAX_SPAN: number;
  takeScanSteps(): number;
}

let markdown: MarkdownModule;
let inline: MarkdownInlineModule;

beforeAll(async () => {
  // Runtime paths, so the type checker does not try to resolve the plain-JS modules.
  const load = (file: string): Promise<unknown> =>
    import(pathToFileURL(join(DEFAULT_WEB_ROOT, file)).href);
  markdown = (await load('markdown.js')) as MarkdownModule;
  inline = (await load('markdown-inline.js')) as MarkdownInlineModule;
});

const render = (text: string): string => markdown.renderMarkdown(fakeDocument, text).serialize();
const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer"';

describe('renderMarkdown', () => {
  it.each([
    ['plain text', 'hello world', '<p>hello world</p>'],
    ['paragraphs split on blank lines', 'one\ntwo\n\nthree', '<p>one\ntwo</p><p>three</p>'],
    [
      'emphasis',
      '**bold** and *it* and _it_ and ~~gone~~',
      '<p><strong>bold</strong> and <em>it</em> and <em>it</em> and <del>gone</del></p>',
    ],
    ['nested emphasis', '*a **b** c*', '<p><em>a <strong>b</strong> c</em></p>'],
    [
      'snake_case and arithmetic stay text',
      'use snake_case_name and 2*3*4',
      '<p>use snake_case_name and 2*3*4</p>',
    ],
    ['an unclosed delimiter stays text', '**not closed', '<p>**not closed</p>'],
    [
      'inline code keeps its characters',
      'run `a *b* <i>` now',
      '<p>run <code>a *b* &lt;i&gt;</code> now</p>',
    ],
    ['double-backtick code', '``a ` b``', '<p><code>a ` b</code></p>'],
    ['backslash escapes', '\\*not em\\*', '<p>*not em*</p>'],
    [
      'a fenced code block with its language',
      '```js\nconst a = 1 < 2;\n**x**\n```\nafter',
      '<pre><code data-language="js">const a = 1 &lt; 2;\n**x**</code></pre><p>after</p>',
    ],
    ['an unclosed fence runs to the end', '~~~\ncode', '<pre><code>code</code></pre>'],
    [
      'an unordered list',
      '- one\n- **two**\n* three',
      '<ul><li>one</li><li><strong>two</strong></li></ul><ul><li>three</li></ul>',
    ],
    ['an ordered list with its start', '3. c\n4. d', '<ol start="3"><li>c</li><li>d</li></ol>'],
    ['a loose list stays one list', '1. a\n\n2. b', '<ol><li>a</li><li>b</li></ol>'],
    [
      'a nested list',
      '- a\n  - b\n  - c\n- d',
      '<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>',
    ],
    [
      'a paragraph then a list',
      'Steps:\n1. go\n2. stop',
      '<p>Steps:</p><ol><li>go</li><li>stop</li></ol>',
    ],
    ['a heading', '## Title ##', '<h2>Title</h2>'],
    ['a quote', '> quoted *text*', '<blockquote><p>quoted <em>text</em></p></blockquote>'],
    ['a rule', 'a\n\n---\n\nb', '<p>a</p><hr></hr><p>b</p>'],
    ['a heading with # in its text', '# a #b', '<h1>a #b</h1>'],
    ['a heading of only hashes', '## ##', '<h2>##</h2>'],
    ['a heading closed by # and spaces', '#\ta \t##  ', '<h1>a</h1>'],
    ['an empty heading', '# ', '<h1></h1>'],
    ['seven hashes as text', '####### x', '<p>####### x</p>'],
    [
      'a fence with a word after it',
      '~~~ py extra\nx\n~~~',
      '<pre><code data-language="py">x</code></pre>',
    ],
    ['a backtick fence with a backtick after it as text', '```a`', '<p>```a`</p>'],
  ])('renders %s', (_label, text, html) => {
    expect(render(text)).toBe(html);
  });

  it.each([
    [
      'an https link',
      '[docs](https://example.com/a?b=1)',
      `<p><a href="https://example.com/a?b=1" ${LINK_ATTRS}>docs</a></p>`,
    ],
    [
      'a mailto link',
      '[mail](mailto:a@example.com)',
      `<p><a href="mailto:a@example.com" ${LINK_ATTRS}>mail</a></p>`,
    ],
    [
      'a link with parentheses',
      '[w](https://en.wikipedia.org/wiki/A_(b))',
      `<p><a href="https://en.wikipedia.org/wiki/A_(b)" ${LINK_ATTRS}>w</a></p>`,
    ],
    [
      'an autolink',
      '<http://example.com>',
      `<p><a href="http://example.com/" ${LINK_ATTRS}>http://example.com</a></p>`,
    ],
    [
      'a bare URL without trailing punctuation',
      'see https://example.com/x.',
      `<p>see <a href="https://example.com/x" ${LINK_ATTRS}>https://example.com/x</a>.</p>`,
    ],
  ])('links %s', (_label, text, html) => {
    expect(render(text)).toBe(html);
  });

  it.each([
    ['a javascript: link', '[click](javascript:alert(1))'],
    ['a javascript: link with odd case and spaces', '[x]( JaVaScRiPt:alert(1))'],
    ['a data: link', '[x](data:text/html,<script>alert(1)</script>)'],
    ['a vbscript: autolink', '<vbscript:msgbox(1)>'],
    ['a relative link', '[x](/admin)'],
    ['a protocol-relative link', '[x](//evil.example)'],
  ])('never links %s', (_label, text) => {
    expect(render(text)).not.toContain('<a ');
  });

  it('keeps the source of a refused link as text', () => {
    expect(render('[click](javascript:alert(1))')).toBe('<p>[click](javascript:alert(1))</p>');
  });

  it('keeps raw HTML as text', () => {
    const payload = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    expect(render(payload)).toBe(`<p>${escape(payload)}</p>`);
  });

  it.each([
    ['https://example.com', 'https://example.com/'],
    ['mailto:a@example.com', 'mailto:a@example.com'],
    ['javascript:alert(1)', null],
    ['\u0000javascript:alert(1)', null],
    ['data:text/html,x', null],
    ['file:///etc/passwd', null],
    ['/relative', null],
  ])('safeHref(%j) is %j', (raw, expected) => {
    expect(inline.safeHref(raw)).toBe(expected);
  });
});

describe('renderMarkdown on long and crafted replies', () => {
  const max = (): number => inline.MAX_SPAN;
  const url = 'https://example.com/';

  // Each row: the source with n characters inside, and what shows that the construct was made.
  // A link beyond the bound may still show its target as a bare URL link, never as its text.
  it.each([
    ['a link text', (n: number) => `[Z${'a'.repeat(n - 1)}](${url})`, `${LINK_ATTRS}>Z`],
    ['a link target', (n: number) => `[Z](${url}${'a'.repeat(n - url.length)})`, `${LINK_ATTRS}>Z`],
    ['an emphasis', (n: number) => `*Z${'a'.repeat(n - 1)}*`, '<em>Z'],
    ['a strong', (n: number) => `**Z${'a'.repeat(n - 1)}**`, '<strong>Z'],
    ['a strikethrough', (n: number) => `~~Z${'a'.repeat(n - 1)}~~`, '<del>Z'],
    ['a code span', (n: number) => `\`\`Z${'a'.repeat(n - 1)}\`\``, '<code>Z'],
    ['an autolink', (n: number) => `<${url}${'a'.repeat(n - url.length)}>`, `${LINK_ATTRS}>https`],
    ['a bare URL', (n: number) => `see ${url}${'a'.repeat(n - url.length)}`, `${LINK_ATTRS}>https`],
  ])('renders %s of MAX_SPAN characters, a longer one as text', (_label, make, made) => {
    expect(render(make(max()))).toContain(made);
    const beyond = render(make(max() + 1));
    expect(beyond).not.toContain(made);
    // Nothing of the source is lost: the refused opener stays visible.
    expect(beyond.startsWith(`<p>${escape(make(max() + 1).slice(0, 4))}`)).toBe(true);
  });

  it('nests quotes 16 deep and keeps deeper markers as text', () => {
    const html = render(`${'>'.repeat(20)} deep`);
    expect(html).toBe(
      `${'<blockquote>'.repeat(17)}<p>&gt;&gt;&gt; deep</p>${'</blockquote>'.repeat(17)}`,
    );
  });

  it('nests lists 16 deep and keeps deeper items as text', () => {
    const lines = Array.from({ length: 20 }, (_, k) => `${'  '.repeat(k)}- ${k}`);
    const html = render(lines.join('\n'));
    expect(html.split('<ul>').length - 1).toBe(17);
    expect(html).toContain('<li>16\n- 17\n  - 18\n    - 19</li>');
  });

  it('keeps the inside of a link at the bound parsed', () => {
    const text = `**b**${'a'.repeat(max() - 5)}`;
    expect(render(`[${text}](${url})`)).toBe(
      `<p><a href="${url}" ${LINK_ATTRS}><strong>b</strong>${'a'.repeat(max() - 5)}</a></p>`,
    );
  });

  /** Scan steps to render `text`, from the renderer's own work counter. */
  const steps = (text: string): number => {
    inline.takeScanSteps();
    render(text);
    return inline.takeScanSteps();
  };

  it.each([
    ['unclosed [', '['],
    ['nested [ ]', '[['],
    ['unclosed *', '*a '],
    ['unclosed _', '_a '],
    ['unclosed ~~', '~~a '],
    ['unclosed **', '**a '],
    ['backtick runs', '`` `'],
    ['unclosed <', '<a:b '],
    ['refused bare URLs', '(http://['],
    ['a URL of closing parentheses', ')'],
    ['links that are refused', '[a](b'],
  ])('grows linearly on a reply of %s', (_label, unit) => {
    const n = 4 * max();
    const make = (count: number): string =>
      unit === ')'
        ? `http://a.b/${')'.repeat(count)}`
        : unit.repeat(Math.ceil(count / unit.length));
    const small = steps(make(n));
    const large = steps(make(4 * n));
    expect(small).toBeGreaterThan(n);
    // Quadratic work would grow 16-fold here.
    expect(large).toBeLessThanOrEqual(5 * small);
  });

  it('renders a counted step for every character it looks at', () => {
    expect(steps('plain text')).toBeGreaterThanOrEqual('plain text'.length);
  });
});
