import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { errorFrame, frameText, parseClientFrame } from './frames.js';

describe('parseClientFrame', () => {
  it('accepts a message and a cancel frame', () => {
    expect(parseClientFrame('{"type":"message","id":"1","text":"hi"}')).toEqual({
      ok: true,
      frame: { type: 'message', id: '1', text: 'hi' },
    });
    expect(parseClientFrame('{"type":"cancel","id":"1"}')).toEqual({
      ok: true,
      frame: { type: 'cancel', id: '1' },
    });
  });

  const invalid: Array<[string, string, string | undefined]> = [
    ['{', 'INVALID_JSON', undefined],
    ['"message"', 'INVALID_BODY', undefined],
    ['null', 'INVALID_BODY', undefined],
    ['{"type":"auth","token":"x"}', 'INVALID_BODY', undefined],
    ['{"type":"message","id":"7"}', 'INVALID_BODY', '7'],
    ['{"type":"message","id":"7","text":"hi","scope":"admin"}', 'INVALID_BODY', '7'],
    [`{"type":"message","id":"${'x'.repeat(129)}","text":"hi"}`, 'INVALID_BODY', undefined],
    ['{"type":"message","id":7,"text":"hi"}', 'INVALID_BODY', undefined],
    ['{"type":"cancel"}', 'INVALID_BODY', undefined],
  ];
  for (const [text, code, id] of invalid) {
    it(`answers ${code} for ${text.slice(0, 50)}`, () => {
      const parsed = parseClientFrame(text);
      expect(parsed).toEqual(id === undefined ? { ok: false, code } : { ok: false, code, id });
    });
  }
});

describe('errorFrame', () => {
  it.each([
    {
      name: 'a registry error keeps its code and message',
      error: new GatewayError('CONVERSATION_FORBIDDEN'),
      id: undefined,
      expected: { type: 'error', code: 'CONVERSATION_FORBIDDEN' },
    },
    {
      name: 'a retryable one says so, with its retry_after',
      error: new GatewayError('RATE_LIMITED', { extra: { retry_after: 7 } }),
      id: 'm1',
      expected: { type: 'error', id: 'm1', code: 'RATE_LIMITED', retryable: true, retry_after: 7 },
    },
    {
      name: 'anything else is INTERNAL with the registry message only',
      error: new Error('upstream said sk-secret'),
      id: 'm2',
      expected: { type: 'error', id: 'm2', code: 'INTERNAL' },
    },
  ])('$name', ({ error, id, expected }) => {
    const frame = errorFrame(id, error);
    expect(frame).toMatchObject(expected);
    expect(JSON.stringify(frame)).not.toContain('sk-secret');
    if (!('retryable' in expected)) expect(frame).not.toHaveProperty('retryable');
    if (id === undefined) expect(frame).not.toHaveProperty('id');
  });
});

describe('frameText', () => {
  it('reads a buffer, a list of fragments and an ArrayBuffer alike', () => {
    const bytes = Buffer.from('{"type":"cancel","id":"é"}');
    expect(frameText(bytes)).toBe('{"type":"cancel","id":"é"}');
    expect(frameText([bytes.subarray(0, 5), bytes.subarray(5)])).toBe('{"type":"cancel","id":"é"}');
    const copy = new Uint8Array(bytes).buffer;
    expect(frameText(copy)).toBe('{"type":"cancel","id":"é"}');
  });
});
