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
function gatedMemory(inProcess = true) {
  const log: string[] = [];
  const gates: Array<() => void> = [];
  /** The contents stored with `deferrable`. */
  const deferrable: string[] = [];
  const memory: Memory = {
    backend: 'gated',
    inProcess,
    store(_key, content, _category, _sessionId, role, options) {
      log.push(`store ${role ?? ''} ${content}`);
      if (options?.deferrable === true) deferrable.push(content);
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
  return { memory, log, release, deferrable };
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
  it('calls the agent while the inbound message is committed, and ends the turn only after', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    let ended = false;
    const turn = stageFor(memory)
      .run(ctx, async () => {
        log.push('agent');
        ctx.result = { response: 'answer', model: 'echo', duplicate: false };
      })
      .then(() => {
        ended = true;
      });
    await untilTrue(() => log.includes('agent'));
    await new Promise((resolve) => setImmediate(resolve));
    // The agent has answered, but the message is not committed: the turn must not end yet.
    expect(ended).toBe(false);
    expect(log).toEqual(['store user question', 'agent']);
    release();
    await turn;
    expect(log).toEqual([
      'store user question',
      'agent',
      'stored question',
      'store assistant answer',
    ]);
  });

  it('holds every reply delta from the channel until the inbound message is committed', async () => {
    const { memory, log, release } = gatedMemory();
    const sent: string[] = [];
    const ctx = { ...context(), reply: createReplyStream([], (delta) => sent.push(delta)) };
    const turn = stageFor(memory).run(ctx, async () => {
      ctx.reply.write('ans');
      ctx.reply.write('wer');
      ctx.result = { response: ctx.reply.end(), model: 'echo', duplicate: false };
    });
    await untilTrue(() => ctx.result !== undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
    release();
    await turn;
    expect(sent).toEqual(['ans', 'wer']);
    expect(log.indexOf('stored question')).toBeLessThan(log.indexOf('store assistant answer'));
  });

  it('queues the reply as the turn ends without waiting for its commit', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    const turn = stageFor(memory).run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    await untilTrue(() => log.includes('store user question'));
    release();
    await turn;
    // The store was called before the stage returned (so the memory orders it and reads see
    // it), and is still open: the answer leaves without waiting for it.
    expect(log).toEqual(['store user question', 'stored question', 'store assistant answer']);
    release();
    expect(log.at(-1)).toBe('stored answer');
  });

  it.each([
    ['a one-off turn (no conversation to continue)', true, 4, ['answer']],
    ['a turn of an agent that reads no history', false, 0, ['answer']],
    ['a turn of a conversation that reads its history', false, 4, []],
  ])(
    'lets the reply, never the question, wait to share a later commit: %s',
    async (_name, freshConversation, historyWindow, expected) => {
      const { memory, log, release, deferrable } = gatedMemory();
      const base = context();
      const ctx: TurnContext = {
        ...base,
        agent: { ...base.agent, historyWindow },
        request: { ...base.request, freshConversation },
      };
      const turn = stageFor(memory).run(ctx, async () => {
        ctx.result = { response: 'answer', model: 'echo', duplicate: false };
      });
      await untilTrue(() => log.includes('store user question'));
      release();
      await turn;
      expect(deferrable).toEqual(expected);
      release();
    },
  );

  it('waits for the reply commit when other instances read the memory', async () => {
    const { memory, log, release, deferrable } = gatedMemory(false);
    const ctx = context();
    let ended = false;
    const turn = stageFor(memory)
      .run(ctx, async () => {
        ctx.result = { response: 'answer', model: 'echo', duplicate: false };
      })
      .then(() => {
        ended = true;
      });
    await untilTrue(() => log.includes('store user question'));
    release();
    await untilTrue(() => log.includes('store assistant answer'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
    release();
    await turn;
    expect(log.at(-1)).toBe('stored answer');
    expect(deferrable).toEqual([]);
  });

  it('stores no reply when the agent fails, and takes the question back out once committed', async () => {
    const { memory, log, release } = gatedMemory();
    const watched: Memory = {
      ...memory,
      forget: async (key) => {
        log.push(`forget ${key.startsWith('webhook_msg_') ? 'question' : key}`);
        return true;
      },
    };
    const ctx = context();
    const turn = stageFor(watched).run(ctx, async () => {
      log.push('agent');
      throw new Error('provider down');
    });
    await untilTrue(() => log.includes('agent'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['store user question', 'agent']);
    release();
    await expect(turn).rejects.toThrow('provider down');
    expect(log).toEqual(['store user question', 'agent', 'stored question', 'forget question']);
  });

  it('fails the turn and takes the question back out when the held reply cannot be delivered', async () => {
    const { memory, log, release } = gatedMemory();
    const watched: Memory = {
      ...memory,
      forget: async () => {
        log.push('forget question');
        return true;
      },
    };
    const ctx = {
      ...context(),
      reply: createReplyStream([], () => {
        throw new Error('socket gone');
      }),
    };
    const turn = stageFor(watched).run(ctx, async () => {
      ctx.reply.write('answer');
      ctx.result = { response: ctx.reply.end(), model: 'echo', duplicate: false };
    });
    await untilTrue(() => ctx.result !== undefined);
    release();
    await expect(turn).rejects.toThrow('socket gone');
    expect(log).toEqual(['store user question', 'stored question', 'forget question']);
  });

  it('still answers when the inbound message cannot be stored', async () => {
    const { memory } = gatedMemory();
    const failing: Memory = { ...memory, store: () => Promise.reject(new Error('disk full')) };
    const sent: string[] = [];
    const ctx = { ...context(), reply: createReplyStream([], (delta) => sent.push(delta)) };
    await stageFor(failing).run(ctx, async () => {
      ctx.reply.write('answer');
      ctx.result = { response: ctx.reply.end(), model: 'echo', duplicate: false };
    });
    expect(sent).toEqual(['answer']);
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
