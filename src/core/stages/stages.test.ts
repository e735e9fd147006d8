import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createReplyStream } from '../reply-stream.js';
import type { Idempotency, IdempotencyClaim, IdempotencyRecord } from '../../limits/types.js';
import type { Memory, MemoryEntry } from '../../memory/types.js';
import type { ObserverEvent } from '../../observability/types.js';
import type { AgentSpec, DispatchRequest, TurnContext } from '../types.js';
import { idempotencyStage } from './idempotency-stage.js';
import { memoryStage } from './memory-stage.js';

const agent: AgentSpec = {
  name: 'default',
  provider: 'echo',
  model: 'echo',
  systemPrompt: '',
  temperature: 0.7,
  maxTokens: 16,
  historyWindow: 4,
};

function context(overrides: Partial<DispatchRequest> = {}, historyWindow = 4): TurnContext {
  return {
    agent: { ...agent, historyWindow },
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
      ...overrides,
    },
  };
}

/** An Idempotency port implementation recording how the stage used the claim. */
function recordingIdempotency(existing?: IdempotencyRecord) {
  const calls: string[] = [];
  const port: Idempotency = {
    async claim(principalId, key): Promise<IdempotencyClaim> {
      calls.push(`claim:${principalId}:${key}`);
      if (existing) return { kind: 'duplicate', record: existing };
      return {
        kind: 'new',
        complete: async (record) => {
          calls.push(`complete:${record.response}`);
        },
        release: async () => {
          calls.push('release');
        },
      };
    },
  };
  return { port, calls };
}

describe('idempotencyStage', () => {
  it('passes through without a key', async () => {
    const { port, calls } = recordingIdempotency();
    let ran = false;
    await idempotencyStage(port).run(context(), async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(calls).toEqual([]);
  });

  it('replays the stored answer for a duplicate key without running the agent', async () => {
    const { port } = recordingIdempotency({ response: 'first answer', model: 'm' });
    const ctx = context({ idempotencyKey: 'k1' });
    let ran = false;
    await idempotencyStage(port).run(ctx, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(ctx.result).toEqual({ response: 'first answer', model: 'm', duplicate: true });
  });

  it('completes the claim with the result of a new key, scoped by principal', async () => {
    const { port, calls } = recordingIdempotency();
    const ctx = context({ idempotencyKey: 'k1' });
    await idempotencyStage(port).run(ctx, async () => {
      ctx.result = { response: 'fresh', model: 'm', duplicate: false };
    });
    expect(calls).toEqual(['claim:p1:k1', 'complete:fresh']);
  });

  it('releases the key when the turn fails so a retry is processed', async () => {
    const { port, calls } = recordingIdempotency();
    const failing = idempotencyStage(port).run(context({ idempotencyKey: 'k1' }), async () => {
      throw new Error('provider down');
    });
    await expect(failing).rejects.toThrow('provider down');
    expect(calls).toEqual(['claim:p1:k1', 'release']);
  });
});

/** A Memory port implementation in a plain array. */
function arrayMemory(options: { failStore?: boolean } = {}) {
  const entries: MemoryEntry[] = [];
  const memory: Memory = {
    backend: 'array',
    async store(key, content, category, sessionId, role) {
      if (options.failStore) throw new Error('disk full');
      entries.push({
        key,
        content,
        category,
        sessionId: sessionId ?? null,
        role: role ?? null,
        createdAt: '',
      });
    },
    async history(sessionId, limit) {
      return entries.filter((entry) => entry.sessionId === sessionId).slice(-limit);
    },
    recall: async () => [],
    get: async (key) => entries.find((entry) => entry.key === key),
    list: async () => entries,
    async forget(key) {
      const index = entries.findIndex((entry) => entry.key === key);
      if (index >= 0) entries.splice(index, 1);
      return index >= 0;
    },
    count: async () => entries.length,
    close: async () => {},
  };
  return { memory, entries };
}

function stageWith(memory: Memory, autoSave = true) {
  const events: ObserverEvent[] = [];
  const stage = memoryStage({
    memory,
    autoSave,
    observer: { record: (e) => events.push(e) },
    logger: pino({ level: 'silent' }),
  });
  return { stage, events };
}

describe('memoryStage', () => {
  it('loads history before storing the message, then stores the reply', async () => {
    const { memory, entries } = arrayMemory();
    await memory.store('old_q', 'earlier', 'conversation', 'conv-1', 'user');
    await memory.store('old_a', 'earlier reply', 'conversation', 'conv-1', 'assistant');
    await memory.store('other', 'not mine', 'conversation', 'conv-2', 'user');
    const ctx = context();
    const { stage } = stageWith(memory);
    await stage.run(ctx, async () => {
      expect(ctx.history).toEqual([
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'earlier reply' },
      ]);
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    const stored = entries.slice(3);
    expect(stored.map((entry) => [entry.content, entry.role, entry.sessionId])).toEqual([
      ['question', 'user', 'conv-1'],
      ['answer', 'assistant', 'conv-1'],
    ]);
    expect(stored[0]?.key).toMatch(/^webhook_msg_[0-9a-f-]{36}$/);
    expect(stored[0]?.category).toBe('conversation');
  });

  it('skips the history lookup for a conversation the caller just created', async () => {
    const { memory, entries } = arrayMemory();
    await memory.store('k', 'earlier', 'conversation', 'conv-1', 'user');
    let lookups = 0;
    const counting: Memory = {
      ...memory,
      history: async (sessionId, limit) => {
        lookups += 1;
        return memory.history(sessionId, limit);
      },
    };
    const ctx = context({ freshConversation: true });
    await stageWith(counting).stage.run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(lookups).toBe(0);
    expect(ctx.history).toEqual([]);
    expect(entries.map((entry) => entry.content)).toEqual(['earlier', 'question', 'answer']);
  });

  it('limits history to the agent window', async () => {
    const { memory } = arrayMemory();
    for (let i = 0; i < 6; i += 1) {
      await memory.store(`k${i}`, `m${i}`, 'conversation', 'conv-1', i % 2 ? 'assistant' : 'user');
    }
    const ctx = context({}, 2);
    await stageWith(memory).stage.run(ctx, async () => {});
    expect(ctx.history.map((message) => message.content)).toEqual(['m4', 'm5']);
  });

  it('stores nothing without auto-save but still provides history', async () => {
    const { memory, entries } = arrayMemory();
    await memory.store('k', 'earlier', 'conversation', 'conv-1', 'user');
    await memory.store('r', 'earlier reply', 'conversation', 'conv-1', 'assistant');
    const ctx = context();
    await stageWith(memory, false).stage.run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(entries).toHaveLength(2);
    expect(ctx.history).toHaveLength(2);
  });

  it('takes back the question of a failed turn, so the next turn sees alternating history', async () => {
    const { memory, entries } = arrayMemory();
    await memory.store('k', 'earlier', 'conversation', 'conv-1', 'user');
    await memory.store('r', 'earlier reply', 'conversation', 'conv-1', 'assistant');
    const failing = stageWith(memory).stage.run(context(), async () => {
      throw new Error('provider 500');
    });
    await expect(failing).rejects.toThrow('provider 500');
    expect(entries.map((entry) => entry.content)).toEqual(['earlier', 'earlier reply']);

    const ctx = context();
    await stageWith(memory).stage.run(ctx, async () => {
      expect(ctx.history.map((message) => message.role)).toEqual(['user', 'assistant']);
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(entries.map((entry) => entry.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('takes back the question of a turn that ended without a result (cancelled) or as a duplicate', async () => {
    const { memory, entries } = arrayMemory();
    await stageWith(memory).stage.run(context(), async () => {});
    const duplicate = context();
    await stageWith(memory).stage.run(duplicate, async () => {
      duplicate.result = { response: 'answer', model: 'echo', duplicate: true };
    });
    expect(entries).toEqual([]);
  });

  it('hides a question left without a reply by a crash from the next turn', async () => {
    const { memory } = arrayMemory();
    await memory.store('k1', 'asked before the crash', 'conversation', 'conv-1', 'user');
    const ctx = context();
    await stageWith(memory).stage.run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(ctx.history).toEqual([]);
  });

  it('answers even when memory fails, and reports the failure', async () => {
    const { memory } = arrayMemory({ failStore: true });
    const ctx = context();
    const { stage, events } = stageWith(memory);
    let ran = false;
    await stage.run(ctx, async () => {
      ran = true;
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    expect(ran).toBe(true);
    expect(events).toContainEqual({ type: 'Error', component: 'memory', message: 'store failed' });
  });
});

describe('memoryStage per agent', () => {
  it('keeps each agent its own history of one conversation', async () => {
    const { memory, entries } = arrayMemory();
    const { stage } = stageWith(memory);
    for (const name of ['default', 'support', 'default']) {
      const ctx = context();
      ctx.agent = { ...ctx.agent, name };
      await stage.run(ctx, async () => {
        ctx.result = {
          response: `${name} answer (${ctx.history.length} seen)`,
          model: 'echo',
          duplicate: false,
        };
      });
    }
    expect(entries.map((entry) => [entry.sessionId, entry.content])).toEqual([
      ['conv-1', 'question'],
      ['conv-1', 'default answer (0 seen)'],
      ['conv-1#agent:support', 'question'],
      ['conv-1#agent:support', 'support answer (0 seen)'],
      ['conv-1', 'question'],
      ['conv-1', 'default answer (2 seen)'],
    ]);
  });
});
