import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createReplyStream } from '../reply-stream.js';
import type { Memory } from '../../memory/types.js';
import type { TurnContext } from '../types.js';
import { memoryStage } from './memory-stage.js';

function context(): TurnContext {
  return {
    agent: {
      name: 'default',
      provider: 'echo',
      model: 'echo',
      systemPrompt: '',
      temperature: 0.7,
      maxTokens: 16,
      historyWindow: 4,
    },
    history: [],
    reply: createReplyStream([]),
    request: {
      message: {
        channel: 'api',
        senderId: 'p1',
        conversationId: 'conv-1',
        text: 'question',
        messageId: 'm1',
        replyTarget: 'http',
        receivedAt: 0,
      },
      principal: { id: 'p1', kind: 'paired', scopes: new Set() },
      signal: new AbortController().signal,
    },
  };
}

/** A memory whose stores settle only when the test releases them, logging what happened when. */
function gatedMemory() {
  const log: string[] = [];
  const gates: Array<() => void> = [];
  const memory: Memory = {
    backend: 'gated',
    store(_key, content, _category, _sessionId, role) {
      log.push(`store ${role ?? ''} ${content}`);
      return new Promise((resolve) =>
        gates.push(() => {
          log.push(`stored ${content}`);
          resolve();
        }),
      );
    },
    history: async () => [],
    recall: async () => [],
    get: async () => undefined,
    list: async () => [],
    forget: async () => false,
    count: async () => 0,
    close: async () => {},
  };
  const release = (): void => {
    for (const open of gates.splice(0)) open();
  };
  return { memory, log, release };
}

function stageFor(memory: Memory) {
  return memoryStage({
    memory,
    autoSave: true,
    observer: { record: () => undefined },
    logger: pino({ level: 'silent' }),
  });
}

/** Lets the event loop turn until `condition` holds (bounded), then asserts it. */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}

describe('memoryStage ordering', () => {
  it('commits the inbound message before the agent is called', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    const turn = stageFor(memory).run(ctx, async () => {
      log.push('agent');
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    await untilTrue(() => log.includes('store user question'));
    await new Promise((resolve) => setImmediate(resolve));
    // The message is not committed yet, so the agent must not have run.
    expect(log).toEqual(['store user question']);
    release();
    await untilTrue(() => log.includes('store assistant answer'));
    release();
    await turn;
    expect(log).toEqual([
      'store user question',
      'stored question',
      'agent',
      'store assistant answer',
      'stored answer',
    ]);
  });

  it('stores no reply when the agent fails', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    const turn = stageFor(memory).run(ctx, async () => {
      log.push('agent');
      throw new Error('provider down');
    });
    await untilTrue(() => log.includes('store user question'));
    release();
    await expect(turn).rejects.toThrow('provider down');
    expect(log).toEqual(['store user question', 'stored question', 'agent']);
  });
});

describe('memoryStage on backend "none"', () => {
  it('calls the memory not at all and still runs the turn', async () => {
    const untouchable = (): never => {
      throw new Error('memory "none" must not be called');
    };
    const memory: Memory = {
      backend: 'none',
      store: untouchable,
      history: untouchable,
      recall: untouchable,
      get: untouchable,
      list: untouchable,
      forget: untouchable,
      count: untouchable,
      close: async () => {},
    };
    const ctx = context();
    await stageFor(memory).run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(ctx.result?.response).toBe('answer');
    expect(ctx.history).toEqual([]);
  });
});

describe('memoryStage with a client-supplied conversation', () => {
  it('neither loads history nor stores the turn', async () => {
    const { memory, log } = gatedMemory();
    const watched: Memory = {
      ...memory,
      history: async () => {
        log.push('history');
        return [];
      },
    };
    const stage = memoryStage({
      memory: watched,
      autoSave: true,
      observer: { record: () => {} },
      logger: pino({ level: 'silent' }),
    });
    const ctx = context();
    const withConversation: TurnContext = {
      ...ctx,
      request: { ...ctx.request, conversation: [{ role: 'user', content: 'earlier' }] },
    };
    let ran = false;
    await stage.run(withConversation, async () => {
      ran = true;
      withConversation.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(ran).toBe(true);
    expect(withConversation.history).toEqual([]);
    expect(log).toEqual([]);
  });
});
