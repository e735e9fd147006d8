import { describe, expect, it } from 'vitest';
import type { MemoryEntry } from '../memory/types.js';
import { conversationTranscript, mergeByTime } from './conversation-transcript.js';

function entry(
  key: string,
  at: string,
  role: 'user' | 'assistant',
  sessionId: string,
): MemoryEntry {
  return { key, content: key, category: 'conversation', sessionId, role, createdAt: at };
}

describe('conversationTranscript', () => {
  const sessions: Record<string, MemoryEntry[]> = {
    'p1:conv': [
      entry('web_msg_01', '2026-12-03T10:00:00.000Z', 'user', 'p1:conv'),
      entry('web_reply_01', '2026-12-03T10:00:01.000Z', 'assistant', 'p1:conv'),
    ],
    'p1:conv#agent:support': [
      entry('web_msg_02', '2026-12-03T10:01:00.000Z', 'user', 'p1:conv#agent:support'),
      entry('web_reply_02', '2026-12-03T10:01:00.000Z', 'assistant', 'p1:conv#agent:support'),
    ],
  };
  const memory = {
    history: async (sessionId: string, limit: number) => (sessions[sessionId] ?? []).slice(-limit),
  };

  it('merges the sessions of every agent by time, a question before its reply', async () => {
    const merged = await conversationTranscript(memory, ['default', 'support'], 'p1:conv', 10);
    expect(merged.map((e) => e.key)).toEqual([
      'web_msg_01',
      'web_reply_01',
      'web_msg_02',
      'web_reply_02',
    ]);
  });

  it('keeps the last `limit` entries of the merged transcript', async () => {
    const merged = await conversationTranscript(memory, ['default', 'support'], 'p1:conv', 3);
    expect(merged.map((e) => e.key)).toEqual(['web_reply_01', 'web_msg_02', 'web_reply_02']);
  });

  it('reads only the default session when only the default agent exists', async () => {
    const merged = await conversationTranscript(memory, ['default'], 'p1:conv', 10);
    expect(merged.map((e) => e.key)).toEqual(['web_msg_01', 'web_reply_01']);
  });

  it('sorts entries with equal times by key', () => {
    const at = '2026-12-03T10:00:00.000Z';
    const merged = mergeByTime([
      [entry('api_reply_7', at, 'assistant', 's')],
      [entry('api_msg_7', at, 'user', 's')],
    ]);
    expect(merged.map((e) => e.key)).toEqual(['api_msg_7', 'api_reply_7']);
  });
});
