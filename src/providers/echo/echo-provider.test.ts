import { describe, expect, it } from 'vitest';
import { runProviderContract } from '../../test-support/provider-contract.js';
import { EchoProvider, echoText } from './echo-provider.js';

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

  it('reports the configured section name', () => {
    expect(new EchoProvider({ name: 'offline' }).name).toBe('offline');
  });
});
