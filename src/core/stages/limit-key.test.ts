import { describe, expect, it } from 'vitest';
import type { DispatchRequest, Principal } from '../types.js';
import type { LimitKeyKind } from './limit-key.js';
import { limitKey } from './limit-key.js';

function request(channel: 'api' | 'telegram', principal: Principal, clientKey?: string) {
  const value: DispatchRequest = {
    message: {
      channel,
      senderId: channel === 'api' ? principal.id : '4242',
      conversationId: 'c',
      text: 't',
      messageId: 'm',
      replyTarget: 'r',
      receivedAt: 0,
    },
    principal,
    signal: new AbortController().signal,
    ...(clientKey === undefined ? {} : { clientKey }),
  };
  return value;
}

const jwt: Principal = { id: 'jwt:user:alice', kind: 'jwt', scopes: new Set() };
const platform: Principal = { id: 'channel:telegram', kind: 'channel', scopes: new Set() };

describe('limitKey', () => {
  it.each<[LimitKeyKind, DispatchRequest, string]>([
    ['subject', request('api', jwt, '10.0.0.1'), 'jwt:user:alice'],
    ['subject', request('telegram', platform), 'telegram:4242'],
    ['sender', request('api', jwt), 'api:jwt:user:alice'],
    ['sender', request('telegram', platform), 'telegram:4242'],
    ['channel', request('telegram', platform), 'telegram'],
    ['client', request('api', jwt, '10.0.0.1'), 'client:10.0.0.1'],
    ['client', request('telegram', platform), 'telegram:4242'],
  ])('%s of %#', (kind, dispatchRequest, key) => {
    expect(limitKey(kind, dispatchRequest)).toBe(key);
  });
});
