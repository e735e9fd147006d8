import { describe, expect, it } from 'vitest';
import { createRequestIdSource } from './request-id.js';

const PROXY = '10.0.0.1';
const trustProxyOnly = (peerIp: string | undefined): boolean => peerIp === PROXY;

describe('createRequestIdSource', () => {
  it.each<[string, string | string[] | undefined, string | undefined, string]>([
    ['takes a well-formed id from a trusted proxy', 'abc-123', PROXY, 'abc-123'],
    ['ignores the header from an untrusted peer', 'abc-123', '203.0.113.9', 'p-1'],
    ['generates one when a trusted proxy sent none', undefined, PROXY, 'p-1'],
    ['refuses an id with a space (log injection)', 'a b', PROXY, 'p-1'],
    ['refuses an id with a newline', 'a\nlevel=error', PROXY, 'p-1'],
    ['refuses an id longer than 128 characters', 'x'.repeat(129), PROXY, 'p-1'],
    ['accepts an id of exactly 128 characters', 'x'.repeat(128), PROXY, 'x'.repeat(128)],
    ['refuses a repeated header', ['a', 'b'], PROXY, 'p-1'],
    ['refuses an empty id', '', PROXY, 'p-1'],
  ])('%s', (_name, incoming, peer, expected) => {
    const next = createRequestIdSource({ trustRequestId: trustProxyOnly, prefix: 'p' });
    expect(next(incoming, peer)).toBe(expected);
  });

  it('generates distinct ids with a random prefix per source', () => {
    const a = createRequestIdSource({ trustRequestId: () => false });
    const b = createRequestIdSource({ trustRequestId: () => false });
    const ids = [a(undefined, PROXY), a(undefined, PROXY), b(undefined, PROXY)];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });
});
