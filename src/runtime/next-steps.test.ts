import { describe, expect, it } from 'vitest';
import { nextStepsLines } from './next-steps.js';

const url = 'http://127.0.0.1:3000';

describe('nextStepsLines', () => {
  it.each([
    {
      name: 'a fresh code: web chat URL and a curl that pairs with it',
      options: { url, code: '123456', paired: false, requirePairing: true },
      expected: [
        'gatehouse web chat: http://127.0.0.1:3000/',
        "gatehouse pair: curl -X POST http://127.0.0.1:3000/pair -H 'X-Pairing-Code: 123456'",
      ],
    },
    {
      name: 'already paired: points at `gatehouse pair` for a new code',
      options: { url, code: undefined, paired: true, requirePairing: true },
      expected: [
        'gatehouse web chat: http://127.0.0.1:3000/',
        'gatehouse is already paired; run `gatehouse pair` to get a new code',
      ],
    },
    {
      name: 'pairing off: a curl that chats without a token',
      options: { url, code: undefined, paired: false, requirePairing: false },
      expected: [
        'gatehouse web chat: http://127.0.0.1:3000/',
        `gatehouse try: curl -X POST http://127.0.0.1:3000/webhook -H 'Content-Type: application/json' -d '{"message":"hello"}'`,
      ],
    },
  ])('$name', ({ options, expected }) => {
    expect(nextStepsLines(options)).toEqual(expected);
  });
});
