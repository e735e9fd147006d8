import { describe, expect, it } from 'vitest';
import { runProviderContract } from '../../test-support/provider-contract.js';
import { EchoProvider, countDeltas, countWords, echoText } from './echo-provider.js';

runProviderContract('echo', async () => ({
  provider: new EchoProvider(),
  expectedReply: (message) => `echo: ${message}`,
}));

describe('EchoProvider', () => {
  it('answers the last user message, not the system prompt or earlier turns', () => {
    expect(
      echoText([
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: 'second' },
      ]),
    ).toBe('echo: second');
  });

  it('answers "echo: " when there is no user message', () => {
    expect(echoText([{ role: 'system', content: 'sys' }])).toBe('echo: ');
  });

  it('streams word by word and keeps every space, so deltas rebuild the exact text', async () => {
    const provider = new EchoProvider();
    const request = {
      model: 'echo',
      messages: [{ role: 'user' as const, content: 'two  spaces\tand a tab ' }],
      temperature: 0,
      maxTokens: 10,
    };
    const deltas: string[] = [];
    for await (const delta of provider.stream(request, new AbortController().signal)) {
      deltas.push(delta);
    }
    expect(deltas).toEqual(['echo: ', 'two  ', 'spaces\t', 'and ', 'a ', 'tab ']);
    const chat = await provider.chat(request, new AbortController().signal);
    expect(deltas.join('')).toBe(chat.text);
  });

  it.each([
    { case: 'plain words', content: 'hello there', input: 2, output: 3 },
    { case: 'runs of spaces and tabs', content: ' two  spaces\tand a tab ', input: 5, output: 6 },
    { case: 'an empty message', content: '', input: 0, output: 1 },
    { case: 'only whitespace', content: ' \n\t ', input: 0, output: 1 },
  ])('counts usage for $case the same whole and streamed', async ({ content, input, output }) => {
    const provider = new EchoProvider();
    const request = {
      model: 'echo',
      messages: [
        { role: 'system' as const, content: 'be brief' },
        { role: 'user' as const, content },
      ],
      temperature: 0,
      maxTokens: 10,
    };
    const chat = await provider.chat(request, new AbortController().signal);
    expect(chat.usage).toEqual({ inputTokens: input + 2, outputTokens: output });
    let streamed: unknown;
    let deltas = 0;
    for await (const _delta of provider.stream(request, new AbortController().signal, (usage) => {
      streamed = usage;
    })) {
      deltas += 1;
    }
    expect(streamed).toEqual(chat.usage);
    expect(deltas).toBe(output);
  });

  it('counts words and deltas exactly as the regular expressions do, for every BMP code point', () => {
    const byRegex = (text: string) => ({
      words: text.match(/\S+/g)?.length ?? 0,
      deltas: text.match(/\S+\s*|\s+/g)?.length ?? 0,
    });
    const counted = (text: string) => ({ words: countWords(text), deltas: countDeltas(text) });
    const mismatches: string[] = [];
    for (let code = 0; code <= 0xffff; code += 1) {
      const char = String.fromCharCode(code);
      for (const text of [char, `a${char}b`, `${char}${char}a`, `a ${char}`]) {
        const expected = byRegex(text);
        const actual = counted(text);
        if (expected.words !== actual.words || expected.deltas !== actual.deltas) {
          mismatches.push(`U+${code.toString(16).padStart(4, '0')} in ${JSON.stringify(text)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    for (const text of ['', ' ', 'echo: ', 'echo: two  words\n', '\u3000lead', '😀 x 😀']) {
      expect(counted(text)).toEqual(byRegex(text));
    }
  });

  it('refuses an aborted call without throwing synchronously', async () => {
    const controller = new AbortController();
    controller.abort();
    const request = { model: 'echo', messages: [], temperature: 0, maxTokens: 10 };
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = new EchoProvider().chat(request, controller.signal))).not.toThrow();
    await expect(pending).rejects.toMatchObject({ aborted: true });
  });

  it('reports the configured section name', () => {
    expect(new EchoProvider({ name: 'offline' }).name).toBe('offline');
  });
});
