import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkUpgradeRequest } from './upgrade-request.js';

const VALID: IncomingHttpHeaders = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

describe('checkUpgradeRequest', () => {
  it.each<[string, string, IncomingHttpHeaders]>([
    ['a well-formed version 13 handshake', 'GET', VALID],
    ['version 8', 'GET', { ...VALID, 'sec-websocket-version': '8' }],
    ['a mixed-case Upgrade header', 'GET', { ...VALID, upgrade: 'WebSocket' }],
  ])('accepts %s', (_label, method, headers) => {
    expect(checkUpgradeRequest({ method, headers })).toBeUndefined();
  });

  it.each<[string, string, IncomingHttpHeaders, string]>([
    ['a POST', 'POST', VALID, 'METHOD_NOT_ALLOWED'],
    ['an Upgrade other than websocket', 'GET', { ...VALID, upgrade: 'h2c' }, 'BAD_REQUEST'],
    ['a missing key', 'GET', { ...VALID, 'sec-websocket-key': undefined }, 'BAD_REQUEST'],
    ['a short key', 'GET', { ...VALID, 'sec-websocket-key': 'c2hvcnQ=' }, 'BAD_REQUEST'],
    ['a missing version', 'GET', { ...VALID, 'sec-websocket-version': undefined }, 'BAD_REQUEST'],
    ['version 12', 'GET', { ...VALID, 'sec-websocket-version': '12' }, 'BAD_REQUEST'],
  ])('refuses %s', (_label, method, headers, code) => {
    expect(checkUpgradeRequest({ method, headers })?.code).toBe(code);
  });
});
