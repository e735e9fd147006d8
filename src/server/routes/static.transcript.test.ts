import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WEB_ROOT } from './static.js';

/*
 * The browser client's transcript (web/transcript.js) over a minimal fake document: streamed
 * chunks that arrive before the next frame are rendered once, and a finished reply shows exactly
 * what one full render of its text shows.
 */

class FakeText {
  constructor(readonly value: string) {}
  serialize(): string {
    return this.value;
  }
}

class FakeElement {
  children: (FakeElement | FakeText)[] = [];
  readonly dataset: Record<string, string> = {};
  readonly attributes = new Map<string, string>();
  className = '';
  hidden = false;
  scrollHeight = 0;
  scrollTop = 0;
  clientHeight = 0;
  /** How many times the children were replaced (a render of a reply bubble). */
  replaced = 0;
  constructor(readonly tag: string) {}
  append(...nodes: (FakeElement | FakeText)[]): void {
    for (const node of nodes) {
      if (node instanceof FakeElement && node.tag === '#fragment') {
        this.children.push(...node.children.splice(0));
      } else this.children.push(node);
    }
  }
  prepend(...nodes: FakeElement[]): void {
    this.children.unshift(...nodes);
  }
  replaceChildren(...nodes: FakeElement[]): void {
    this.replaced += 1;
    this.children = [];
    this.append(...nodes);
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  set textContent(value: string) {
    this.children = [new FakeText(value)];
  }
  serialize(): string {
    const inner = this.children.map((child) => child.serialize()).join('');
    return this.tag === '#fragment' ? inner : `<${this.tag}>${inner}</${this.tag}>`;
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (value: string) => new FakeText(value),
  createDocumentFragment: () => new FakeElement('#fragment'),
};

interface Transcript {
  addReply(id: string): void;
  appendDelta(id: string, delta: string, seq: number | null): void;
  complete(id: string, response: string | null, model: string | null): void;
  fail(id: string, message: string, status?: string): void;
}

interface TranscriptModule {
  createTranscript(
    list: FakeElement,
    hint: FakeElement,
    schedule?: (callback: () => void) => void,
  ): Transcript;
}

interface MarkdownModule {
  renderMarkdown(doc: typeof fakeDocument, text: string): FakeElement;
}

let transcriptModule: TranscriptModule;
let markdown: MarkdownModule;

beforeAll(async () => {
  const load = (file: string): Promise<unknown> =>
    import(pathToFileURL(join(DEFAULT_WEB_ROOT, file)).href);
  transcriptModule = (await load('transcript.js')) as TranscriptModule;
  markdown = (await load('markdown.js')) as MarkdownModule;
});

beforeEach(() => {
  vi.stubGlobal('document', fakeDocument);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A transcript whose frames run only when the test says so. */
function setup(): { transcript: Transcript; list: FakeElement; frame(): void; pending(): number } {
  const list = new FakeElement('ol');
  let queued: (() => void)[] = [];
  const transcript = transcriptModule.createTranscript(list, new FakeElement('p'), (callback) => {
    queued.push(callback);
  });
  return {
    transcript,
    list,
    frame() {
      const run = queued;
      queued = [];
      for (const callback of run) callback();
    },
    pending: () => queued.length,
  };
}

const bubbleOf = (list: FakeElement, index = 0): FakeElement =>
  (list.children[index] as FakeElement).children[1] as FakeElement;
/** What a bubble holding one full render of `text` serializes to. */
const fullRender = (text: string): string =>
  `<div>${markdown.renderMarkdown(fakeDocument, text).serialize()}</div>`;

const CHUNKS = [
  'Some **bold',
  '** text and [a link',
  '](https://example.com/)',
  '\n\n- one\n- two',
];

describe('transcript rendering of a streamed reply', () => {
  it('renders a burst of chunks in one frame once, showing all of them', () => {
    const { transcript, list, frame, pending } = setup();
    transcript.addReply('r1');
    const bubble = bubbleOf(list);
    const before = bubble.replaced;
    CHUNKS.forEach((chunk, index) => transcript.appendDelta('r1', chunk, index + 1));
    expect(pending()).toBe(1);
    expect(bubble.replaced).toBe(before);
    frame();
    expect(bubble.replaced).toBe(before + 1);
    expect(bubble.serialize()).toBe(fullRender(CHUNKS.join('')));
  });

  it('renders again in a later frame for chunks after it', () => {
    const { transcript, list, frame } = setup();
    transcript.addReply('r1');
    const bubble = bubbleOf(list);
    transcript.appendDelta('r1', 'one', 1);
    frame();
    const after = bubble.replaced;
    transcript.appendDelta('r1', ' two', 2);
    transcript.appendDelta('r1', ' three', 3);
    frame();
    expect(bubble.replaced).toBe(after + 1);
    expect(bubble.serialize()).toBe(fullRender('one two three'));
  });

  it('shows the final text on done at once, equal to a full render', () => {
    const { transcript, list, frame } = setup();
    transcript.addReply('r1');
    const bubble = bubbleOf(list);
    CHUNKS.forEach((chunk, index) => transcript.appendDelta('r1', chunk, index + 1));
    const before = bubble.replaced;
    transcript.complete('r1', null, null);
    expect(bubble.replaced).toBe(before + 1);
    expect(bubble.serialize()).toBe(fullRender(CHUNKS.join('')));
    // The frame requested for the chunks has nothing left to do.
    frame();
    expect(bubble.replaced).toBe(before + 1);
  });

  it('shows the response of done when it differs from the chunks', () => {
    const { transcript, list, frame } = setup();
    transcript.addReply('r1');
    transcript.appendDelta('r1', 'partial', 1);
    frame();
    transcript.complete('r1', '*whole* reply', null);
    expect(bubbleOf(list).serialize()).toBe(fullRender('*whole* reply'));
  });

  it('shows the chunks received so far when a reply fails', () => {
    const { transcript, list } = setup();
    transcript.addReply('r1');
    transcript.appendDelta('r1', '**so far**', 1);
    transcript.fail('r1', 'stopped', 'stopped');
    expect(bubbleOf(list).serialize()).toBe(fullRender('**so far**'));
  });

  it('renders each of two replies streaming in the same frame', () => {
    const { transcript, list, frame, pending } = setup();
    transcript.addReply('a');
    transcript.addReply('b');
    transcript.appendDelta('a', 'first *a*', 1);
    transcript.appendDelta('b', 'first *b*', 1);
    expect(pending()).toBe(1);
    frame();
    expect(bubbleOf(list, 0).serialize()).toBe(fullRender('first *a*'));
    expect(bubbleOf(list, 1).serialize()).toBe(fullRender('first *b*'));
  });
});
