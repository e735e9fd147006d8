import { describe, expect, it } from 'vitest';
import { requestConversation } from './conversation-request.js';
import { createConversationRegistry } from './conversations.js';

describe('requestConversation', () => {
  const conversations = createConversationRegistry();
  conversations.claim('owned-by-bob', 'bob');

  it.each([
    { name: 'nothing asked', id: undefined, expected: { ok: false } },
    {
      name: 'a new id is bound and attached',
      id: 'fresh-1',
      expected: { ok: true, id: 'fresh-1' },
    },
    { name: "the principal's own id", id: 'fresh-1', expected: { ok: true, id: 'fresh-1' } },
    { name: 'a malformed id', id: 'bad id!', expected: { ok: false, code: 'INVALID_BODY' } },
    { name: 'too long an id', id: 'x'.repeat(129), expected: { ok: false, code: 'INVALID_BODY' } },
    {
      name: "another principal's id",
      id: 'owned-by-bob',
      expected: { ok: false, code: 'CONVERSATION_FORBIDDEN' },
    },
  ])('$name', ({ id, expected }) => {
    const result = requestConversation(conversations, id, 'alice');
    expect(result.ok).toBe(expected.ok);
    if (result.ok) expect(result.id).toBe(expected.id);
    else expect(result.error?.code).toBe(expected.code);
  });
});
