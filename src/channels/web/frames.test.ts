import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './frames.js';

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
