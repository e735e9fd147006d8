import { describe, expect, it } from 'vitest';
import { isPlainProbe } from './probe-lane.js';

const allowLocal = (host: string | undefined) => host === 'localhost';

describe('isPlainProbe', () => {
  const plain = { method: 'GET', url: '/health', headers: { host: 'localhost' } };
  it.each([
    { case: 'GET /health', request: plain, lane: true },
    { case: 'GET /livez', request: { ...plain, url: '/livez' }, lane: true },
    { case: 'GET /readyz', request: { ...plain, url: '/readyz' }, lane: true },
    { case: 'HEAD', request: { ...plain, method: 'HEAD' }, lane: false },
    { case: 'POST', request: { ...plain, method: 'POST' }, lane: false },
    { case: 'a query string', request: { ...plain, url: '/health?verbose' }, lane: false },
    { case: 'a trailing slash', request: { ...plain, url: '/health/' }, lane: false },
    { case: 'another path', request: { ...plain, url: '/metrics' }, lane: false },
    { case: 'an inherited name', request: { ...plain, url: '__proto__' }, lane: false },
    {
      case: 'a declared body',
      request: { ...plain, headers: { host: 'localhost', 'content-length': '0' } },
      lane: false,
    },
    {
      case: 'a chunked body',
      request: { ...plain, headers: { host: 'localhost', 'transfer-encoding': 'chunked' } },
      lane: false,
    },
    {
      case: 'a host not served here',
      request: { ...plain, headers: { host: 'evil' } },
      lane: false,
    },
    { case: 'no Host', request: { ...plain, headers: {} }, lane: false },
  ])('$case → lane: $lane', ({ request, lane }) => {
    expect(isPlainProbe(request, allowLocal)).toBe(lane);
  });
});
