import { describe, expect, it } from 'vitest';
import type { MemoryEntry, MemoryRole } from '../../memory/types.js';
import { completeExchanges } from './conversation-history.js';

function entries(spec: string): MemoryEntry[] {
  return spec
    .split(' ')
    .filter((token) => token !== '')
    .map((token, index) => ({
      key: `k${index}`,
      content: token,
      category: 'conversation',
      sessionId: 's',
      role: (token.startsWith('u')
        ? 'user'
        : token.startsWith('a')
          ? 'assistant'
          : null) as MemoryRole | null,
      createdAt: '2026-01-01T00:00:00Z',
    }));
}

const shown = (spec: string) =>
  completeExchanges(entries(spec))
    .map((message) => message.content)
    .join(' ');

describe('completeExchanges', () => {
  it.each([
    ['', ''],
    ['u1 a1', 'u1 a1'],
    ['u1 a1 u2 a2', 'u1 a1 u2 a2'],
    // A failed turn left u2 without a reply.
    ['u1 a1 u2 u3 a3', 'u1 a1 u3 a3'],
    // Several failures in a row.
    ['u1 u2 u3 a3', 'u3 a3'],
    // The newest turn died with the process.
    ['u1 a1 u2', 'u1 a1'],
    // The window began with a reply whose question is older.
    ['a0 u1 a1', 'u1 a1'],
    // Entries without a role are not part of the conversation.
    ['u1 n1 a1', 'u1 a1'],
    ['a0 a1 u1', ''],
  ])('%j becomes %j', (input, expected) => {
    expect(shown(input)).toBe(expected);
  });

  it('always alternates user/assistant, starting with user and ending with assistant', () => {
    const tokens = ['u', 'a', 'n'];
    for (let seed = 0; seed < 500; seed += 1) {
      let spec = '';
      for (let index = 0, value = seed; index < 8; index += 1, value = (value * 7 + 3) % 31) {
        spec += ` ${tokens[value % 3] ?? 'u'}${index}`;
      }
      const roles = completeExchanges(entries(spec)).map((message) => message.role);
      roles.forEach((role, index) => expect(role).toBe(index % 2 === 0 ? 'user' : 'assistant'));
      expect(roles.length % 2).toBe(0);
    }
  });
});
