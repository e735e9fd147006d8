import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ObserverEvent } from '../observability/types.js';
import type { Provider } from '../providers/types.js';
import { ProviderError } from '../providers/types.js';
import { agentTurn, MAX_STREAMED_REPLY_CHARS } from './agent-turn.js';
import { createReplyStream } from './reply-stream.js';
import type { AgentSpec, TurnContext } from './types.js';
import type { CancelSignal } from './cancel-signal.js';

const agent: AgentSpec = {
  name: 'default',
  provider: 'scripted',
  model: 'm-1',
  systemPrompt: '',
  temperature: 0,
  maxTokens: 64,
  historyWindow: 0,
};

/** Streams `count` deltas of `size` characters and records whether its signal was aborted. */
function floodingProvider(size: number, count: number): Provider & { aborted: () => boolean } {
  let seen: CancelSignal | undefined;
  return {
    name: 'scripted',
    defaultModel: 'm-1',
    aborted: () => seen?.aborted === true,
    chat: () => Promise.reject(new Error('not used')),
    async *stream(_request, signal) {
      seen = signal;
      for (let i = 0; i < count; i++) {
        if (signal.aborted) throw new ProviderError('aborted', { aborted: true });
        yield 'x'.repeat(size);
      }
    },
  };
}

function turnContext(onDelta: (delta: string) => void): TurnContext {
  return {
    agent,
    history: [],
    reply: createReplyStream([], onDelta),
    request: {
      message: {
        channel: 'api',
        senderId: 'p1',
        conversationId: 'api:p1:s1',
        text: 'hello',
        messageId: 'm1',
        replyTarget: 'http',
        receivedAt: 0,
      },
      principal: { id: 'p1', kind: 'paired', scopes: new Set(['channels:api']) },
      signal: new AbortController().signal,
      onDelta,
    },
  };
}

describe('agentTurn streaming cap', () => {
  it('aborts the upstream call and fails with LLM_REQUEST_FAILED past 1 MiB of text', async () => {
    const chunk = 64 * 1024;
    const provider = floodingProvider(chunk, 40);
    const events: ObserverEvent[] = [];
    const stage = agentTurn({
      providers: new Map([[provider.name, provider]]),
      observer: { record: (event) => events.push(event) },
    });
    let streamed = 0;
    const ctx = turnContext((delta) => {
      streamed += delta.length;
    });
    const failure: unknown = await stage(ctx, () => Promise.resolve()).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'LLM_REQUEST_FAILED', message: 'LLM request failed' });
    expect((failure as Error).cause).toMatchObject({ retryable: false, aborted: false });
    expect(provider.aborted()).toBe(true);
    expect(streamed).toBe(MAX_STREAMED_REPLY_CHARS);
    expect(ctx.result).toBeUndefined();
    expect(events).toContainEqual({
      type: 'Error',
      component: 'provider',
      message: `scripted streamed reply exceeds ${MAX_STREAMED_REPLY_CHARS} characters; call aborted`,
    });
  });

  it('keeps a reply exactly at the cap', async () => {
    const provider = floodingProvider(5, 2);
    const stage = agentTurn({
      providers: new Map([[provider.name, provider]]),
      observer: { record: () => undefined },
      maxReplyChars: 10,
    });
    const ctx = turnContext(() => undefined);
    await stage(ctx, () => Promise.resolve());
    expect(ctx.result?.response).toBe('x'.repeat(10));
    expect(provider.aborted()).toBe(false);
  });

  it("leaves no listener on the caller's signal once the turn is over, however it ended", async () => {
    for (const [chunks, failing] of [
      [2, false],
      [10, true],
    ] as const) {
      const provider = floodingProvider(4, chunks);
      const stage = agentTurn({
        providers: new Map([[provider.name, provider]]),
        observer: { record: () => undefined },
        maxReplyChars: 10,
      });
      const ctx = turnContext(() => undefined);
      const outcome = stage(ctx, () => Promise.resolve());
      if (failing) await expect(outcome).rejects.toMatchObject({ code: 'LLM_REQUEST_FAILED' });
      else await outcome;
      expect(getEventListeners(ctx.request.signal as AbortSignal, 'abort')).toHaveLength(0);
    }
  });

  it('stops at the first delta that would cross a configured cap', async () => {
    const provider = floodingProvider(4, 10);
    const deltas: string[] = [];
    const stage = agentTurn({
      providers: new Map([[provider.name, provider]]),
      observer: { record: () => undefined },
      maxReplyChars: 10,
    });
    await expect(
      stage(
        turnContext((delta) => deltas.push(delta)),
        () => Promise.resolve(),
      ),
    ).rejects.toMatchObject({ code: 'LLM_REQUEST_FAILED' });
    expect(deltas).toEqual(['xxxx', 'xxxx']);
    expect(provider.aborted()).toBe(true);
  });
});
