import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from './static.js';

/*
 * The pure parts of the browser client (web/connection.js), run in Node: the reconnect schedule
 * and the parser that decides which server frames the page ever acts on.
 */

interface ConnectionModule {
  backoffDelay(attempt: number, random?: () => number): number;
  parseServerFrame(data: unknown): Record<string, unknown> | null;
}

let client: ConnectionModule;

beforeAll(async () => {
  // A runtime path, so the type checker does not try to resolve the plain-JS module.
  const href = pathToFileURL(join(DEFAULT_WEB_ROOT, 'connection.js')).href;
  client = (await import(href)) as ConnectionModule;
});

describe('backoffDelay', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 16000],
    [5, 30000],
    [12, 30000],
    [500, 30000],
  ])('attempt %i waits %i ms before jitter', (attempt, expected) => {
    expect(client.backoffDelay(attempt, () => 0.5)).toBe(expected);
  });

  it.each([0, 1, 3, 5, 40])('keeps attempt %i within ±20 %% and never above 30 s', (attempt) => {
    const base = Math.min(30000, 1000 * 2 ** attempt);
    const low = client.backoffDelay(attempt, () => 0);
    const high = client.backoffDelay(attempt, () => 0.999999);
    expect(low).toBe(Math.round(base * 0.8));
    expect(high).toBeLessThanOrEqual(Math.min(30000, Math.round(base * 1.2)));
    expect(high).toBeGreaterThan(low);
  });
});

describe('parseServerFrame', () => {
  it.each([
    [
      '{"type":"ready","session_id":"s-1"}',
      { type: 'ready', sessionId: 's-1', conversationId: null },
    ],
    [
      '{"type":"ready","session_id":"s-1","conversation_id":"c-1"}',
      { type: 'ready', sessionId: 's-1', conversationId: 'c-1' },
    ],
    ['{"type":"attached","conversation_id":"c-1"}', { type: 'attached', conversationId: 'c-1' }],
    [
      '{"type":"chunk","id":"m1","delta":"he"}',
      { type: 'chunk', id: 'm1', delta: 'he', seq: null },
    ],
    [
      '{"type":"chunk","id":"m1","delta":"he","seq":3}',
      { type: 'chunk', id: 'm1', delta: 'he', seq: 3 },
    ],
    [
      '{"type":"chunk","id":"m1","delta":"he","seq":"3"}',
      { type: 'chunk', id: 'm1', delta: 'he', seq: null },
    ],
    [
      JSON.stringify({
        type: 'history',
        conversation_id: 'c-1',
        messages: [
          { role: 'user', text: 'hi', at: '2026-01-01T00:00:00Z', id: 'k1' },
          { role: 'assistant', text: 'hello', at: '2026-01-01T00:00:01Z', id: 'k2' },
          { role: 'system', text: 'never shown', at: '2026-01-01T00:00:02Z', id: 'k3' },
          { role: 'user', text: { html: '<b>' } },
          null,
        ],
      }),
      {
        type: 'history',
        messages: [
          { role: 'user', text: 'hi', at: '2026-01-01T00:00:00Z', id: 'k1' },
          { role: 'assistant', text: 'hello', at: '2026-01-01T00:00:01Z', id: 'k2' },
        ],
      },
    ],
    [
      '{"type":"done","id":"m1","response":"hello","model":"echo"}',
      { type: 'done', id: 'm1', response: 'hello', model: 'echo' },
    ],
    [
      '{"type":"error","id":"m1","code":"RATE_LIMITED","message":"slow down"}',
      { type: 'error', id: 'm1', code: 'RATE_LIMITED', message: 'slow down' },
    ],
    [
      '{"type":"error","code":"INVALID_JSON","message":"bad"}',
      { type: 'error', id: null, code: 'INVALID_JSON', message: 'bad' },
    ],
  ])('accepts %s', (data, expected) => {
    expect(client.parseServerFrame(data)).toEqual(expected);
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON string', '"ready"'],
    ['null', 'null'],
    ['an unknown type', '{"type":"eval","code":"alert(1)"}'],
    ['a ready frame without a session', '{"type":"ready"}'],
    ['a chunk with a non-string delta', '{"type":"chunk","id":"m1","delta":{"html":"<b>"}}'],
    ['a chunk without an id', '{"type":"chunk","delta":"x"}'],
    ['a done frame without an id', '{"type":"done","response":"x"}'],
    ['an attached frame without a conversation', '{"type":"attached"}'],
    ['a history frame without messages', '{"type":"history","messages":"hi"}'],
    ['a binary frame', new Uint8Array([123, 125])],
  ])('drops %s', (_label, data) => {
    expect(client.parseServerFrame(data)).toBeNull();
  });
});
