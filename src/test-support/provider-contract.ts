import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Provider } from '../providers/types.js';
import { ProviderError } from '../providers/types.js';

/** What a provider implementation hands to the contract suite. */
export interface ProviderContractSubject {
  provider: Provider;
  /** The full reply the provider gives when the last user message is `message`. */
  expectedReply(message: string): string;
  /** Stops whatever setup started (fake servers). */
  close?(): Promise<void>;
}

const MESSAGE = 'please repeat these five words';

/** A small conversation with a system prompt, one earlier turn and the new message. */
export function contractRequest(provider: Provider, message = MESSAGE): ChatRequest {
  return {
    model: provider.defaultModel,
    messages: [
      { role: 'system', content: 'You are a test.' },
      { role: 'user', content: 'earlier question' },
      { role: 'assistant', content: 'earlier answer' },
      { role: 'user', content: message },
    ],
    temperature: 0.2,
    maxTokens: 64,
  };
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

/** Drains a stream and reports the deltas received before it ended or threw. */
export async function drainStream(
  stream: AsyncIterable<string>,
): Promise<{ deltas: string[]; error?: unknown }> {
  const deltas: string[] = [];
  try {
    for await (const delta of stream) deltas.push(delta);
    return { deltas };
  } catch (error) {
    return { deltas, error };
  }
}

/** The behaviour every Provider must show; run it from each implementation's test file. */
export function runProviderContract(
  name: string,
  setup: () => Promise<ProviderContractSubject>,
): void {
  describe(`Provider contract: ${name}`, () => {
    let subject: ProviderContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.close?.();
    });

    it('chat returns the full reply text and the requested model', async () => {
      const { provider } = subject;
      const result = await provider.chat(contractRequest(provider), new AbortController().signal);
      expect(result.text).toBe(subject.expectedReply(MESSAGE));
      expect(result.model).toBe(provider.defaultModel);
    });

    it('stream yields several deltas that concatenate, in order, to the chat text', async () => {
      const { provider } = subject;
      const signal = new AbortController().signal;
      const deltas = await collect(provider.stream(contractRequest(provider), signal));
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(subject.expectedReply(MESSAGE));
    });

    it('reports token usage for a chat and for a stream (budgets count both)', async () => {
      const { provider } = subject;
      const result = await provider.chat(contractRequest(provider), new AbortController().signal);
      expect(result.usage?.inputTokens).toBeGreaterThan(0);
      expect(result.usage?.outputTokens).toBeGreaterThan(0);
      const reported: Array<{ inputTokens: number; outputTokens: number }> = [];
      const stream = provider.stream(
        contractRequest(provider),
        new AbortController().signal,
        (usage) => reported.push(usage),
      );
      await collect(stream);
      expect(reported.length).toBeGreaterThan(0);
      const last = reported[reported.length - 1];
      expect(last?.inputTokens).toBeGreaterThan(0);
      expect(last?.outputTokens).toBeGreaterThan(0);
    });

    it('aborting mid-stream throws an aborted ProviderError and yields nothing more', async () => {
      const { provider } = subject;
      const controller = new AbortController();
      const stream = provider.stream(contractRequest(provider), controller.signal);
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      controller.abort();
      const error = await iterator.next().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ aborted: true });
      await expect(iterator.next()).resolves.toMatchObject({ done: true });
    });

    it('chat with an already aborted signal throws an aborted ProviderError', async () => {
      const { provider } = subject;
      const signal = AbortSignal.abort();
      await expect(provider.chat(contractRequest(provider), signal)).rejects.toMatchObject({
        name: 'ProviderError',
        aborted: true,
      });
    });

    it('stream with an already aborted signal throws before yielding anything', async () => {
      const { provider } = subject;
      const deltas: string[] = [];
      const run = async (): Promise<void> => {
        for await (const delta of provider.stream(contractRequest(provider), AbortSignal.abort())) {
          deltas.push(delta);
        }
      };
      await expect(run()).rejects.toMatchObject({ name: 'ProviderError', aborted: true });
      expect(deltas).toEqual([]);
    });

    it('keeps no secret in its enumerable fields', () => {
      expect(JSON.stringify(subject.provider)).not.toMatch(/sk-|Bearer/);
    });
  });
}
