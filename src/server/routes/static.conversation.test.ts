import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WEB_ROOT } from './static.js';

/*
 * The browser client's conversation keeper (web/conversation.js), run in Node with a Map as the
 * tab's sessionStorage and a recording transcript: which frames it sends on `ready` and `history`
 * for a first connect, a reconnect, a reload and a refused conversation.
 */

interface Frame {
  conversationId: string | null;
}

interface Keeper {
  id(): string | null;
  onReady(frame: Frame): void;
  onHistory(frame: { messages: Array<{ role: string; text: string }> }): void;
  rememberStreaming(ids: string[]): void;
  forget(): void;
}

interface ConversationModule {
  createConversation(options: Record<string, unknown>): Keeper;
}

let module: ConversationModule;
const storage = new Map<string, string>();

beforeAll(async () => {
  // A runtime path, so the type checker does not try to resolve the plain-JS module.
  const href = pathToFileURL(join(DEFAULT_WEB_ROOT, 'conversation.js')).href;
  module = (await import(href)) as ConversationModule;
});

beforeEach(() => {
  storage.clear();
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
    removeItem: (key: string) => storage.delete(key),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function keeper(streaming: Record<string, number> = {}, queued?: string) {
  const sent: unknown[] = [];
  const restored: unknown[] = [];
  const abandoned: string[] = [];
  let queuedSent = 0;
  const conversation = module.createConversation({
    transcript: {
      streamingIds: () => Object.keys(streaming),
      lastSeq: (id: string) => streaming[id] ?? 0,
      restore: (messages: unknown, pendingId: unknown) => restored.push([messages, pendingId]),
      clear: () => undefined,
    },
    send: (frame: unknown) => sent.push(frame),
    abandonReplies: (text: string) => abandoned.push(text),
    sendQueued: () => (queuedSent += 1),
    queuedId: () => queued,
  });
  return { conversation, sent, restored, abandoned, queuedSent: () => queuedSent };
}

describe('createConversation', () => {
  it('adopts and stores the first conversation of the tab, asking for nothing', () => {
    const { conversation, sent, queuedSent } = keeper();
    expect(conversation.id()).toBeNull();
    conversation.onReady({ conversationId: 'c1' });
    expect(conversation.id()).toBe('c1');
    expect(storage.get('gatehouse.conversation')).toBe('c1');
    expect(sent).toEqual([]);
    expect(queuedSent()).toBe(1);
  });

  it('resumes each streaming reply after its last seq on a reconnect, but not a queued message', () => {
    const { conversation, sent } = keeper({ m1: 4, m2: 0, q1: 0 }, 'q1');
    conversation.onReady({ conversationId: 'c1' });
    conversation.onReady({ conversationId: 'c1' });
    expect(sent).toEqual([
      { type: 'resume', id: 'm1', after_seq: 4 },
      { type: 'resume', id: 'm2', after_seq: 0 },
    ]);
  });

  it('restores the transcript after a reload and resumes the unanswered reply from the start', () => {
    storage.set('gatehouse.conversation', 'c1');
    storage.set('gatehouse.pending', 'm9');
    const { conversation, sent, restored, queuedSent } = keeper();
    expect(conversation.id()).toBe('c1');
    conversation.onReady({ conversationId: 'c1' });
    expect(sent).toEqual([{ type: 'history', limit: 200 }]);
    expect(queuedSent()).toBe(0);
    // Until restored, the stored pending id survives the empty transcript.
    conversation.rememberStreaming([]);
    expect(storage.get('gatehouse.pending')).toBe('m9');

    const messages = [
      { role: 'user', text: 'a' },
      { role: 'assistant', text: 'b' },
      { role: 'user', text: 'c' },
    ];
    conversation.onHistory({ messages });
    expect(restored).toEqual([[messages, 'm9']]);
    expect(sent.at(-1)).toEqual({ type: 'resume', id: 'm9', after_seq: 0 });
    expect(queuedSent()).toBe(1);
    // A second history frame (not asked for) changes nothing.
    conversation.onHistory({ messages: [] });
    expect(restored).toHaveLength(1);
  });

  it('does not resume after a reload when the last message is already answered', () => {
    storage.set('gatehouse.conversation', 'c1');
    storage.set('gatehouse.pending', 'm9');
    const { conversation, sent, restored } = keeper();
    conversation.onReady({ conversationId: 'c1' });
    const messages = [
      { role: 'user', text: 'a' },
      { role: 'assistant', text: 'b' },
    ];
    conversation.onHistory({ messages });
    expect(restored).toEqual([[messages, null]]);
    expect(sent).toEqual([{ type: 'history', limit: 200 }]);
    conversation.rememberStreaming([]);
    expect(storage.has('gatehouse.pending')).toBe(false);
  });

  it('moves to the new conversation when the stored one is refused, abandoning its replies', () => {
    storage.set('gatehouse.conversation', 'c1');
    storage.set('gatehouse.pending', 'm9');
    const { conversation, sent, abandoned } = keeper({ m9: 2 });
    conversation.onReady({ conversationId: 'c2' });
    expect(conversation.id()).toBe('c2');
    expect(storage.get('gatehouse.conversation')).toBe('c2');
    expect(storage.has('gatehouse.pending')).toBe(false);
    expect(abandoned).toHaveLength(1);
    expect(sent).toEqual([]);
  });

  it('forgets the conversation and its pending reply', () => {
    const { conversation } = keeper();
    conversation.onReady({ conversationId: 'c1' });
    conversation.rememberStreaming(['m1']);
    expect(storage.get('gatehouse.pending')).toBe('m1');
    conversation.forget();
    expect(conversation.id()).toBeNull();
    expect(storage.size).toBe(0);
  });
});
