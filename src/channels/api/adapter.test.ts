import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/types.js';
import { channelRequest } from '../../test-support/channel-payloads.js';
import { createApiAdapter } from './adapter.js';

const principal: Principal = { id: 'paired:abc123', kind: 'paired', scopes: new Set() };
const adapter = createApiAdapter({
  authenticator: () => Promise.resolve(principal),
  webhookSecretHash: undefined,
});

function conversationOf(headers: Record<string, string> = {}): string {
  const parsed = adapter.parse(
    channelRequest({ body: JSON.stringify({ message: 'hi' }), headers }),
    principal,
  );
  const message = parsed.messages[0];
  if (message === undefined) throw new Error('no message parsed');
  return message.conversationId;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('api adapter conversation ids', () => {
  it('keeps a client session under its principal', () => {
    expect(conversationOf({ 'x-session-id': 'chat-1' })).toBe('api:paired:abc123:chat-1');
  });

  it('gives each fresh conversation a new time-ordered id under its principal', () => {
    const ids = Array.from({ length: 50 }, () => conversationOf());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id.startsWith('api:paired:abc123:')).toBe(true);
      expect(id.slice('api:paired:abc123:'.length)).toMatch(UUID_V7);
    }
    // Time-ordered: a later conversation never sorts before an earlier millisecond's.
    const millis = ids.map((id) => id.slice(-36, -23));
    expect([...millis].sort()).toEqual(millis);
  });
});
