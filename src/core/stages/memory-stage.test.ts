import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Memory } from '../../memory/types.js';
import type { TurnContext } from '../types.js';
import { memoryStage, timeOrderedUuid } from './memory-stage.js';

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

describe('memoryStage ordering', () => {
  it('runs the agent while the message store is still being committed', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    const turn = stageFor(memory).run(ctx, async () => {
      log.push('agent');
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
      release();
    });
    await untilTrue(() => log.includes('store assistant answer'));
    release();
    await turn;
    expect(log).toEqual([
      'store user question',
      'agent',
      'stored question',
      'store assistant answer',
      'stored answer',
    ]);
  });

  it('stores the reply only after the message store settled', async () => {
    const { memory, log, release } = gatedMemory();
    const ctx = context();
    const turn = stageFor(memory).run(ctx, async () => {
      ctx.result = { response: 'answer', model: 'echo', duplicate: false };
    });
    await untilTrue(() => log.includes('store user question'));
    // The agent is done; the reply must still wait for the message.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['store user question']);
    release();
    await untilTrue(() => log.includes('store assistant answer'));
    release();
    await turn;
    expect(log.at(-1)).toBe('stored answer');
  });

  it('waits for the message store before passing on an agent failure', async () => {
    const { memory, log, release } = gatedMemory();
    const turn = stageFor(memory).run(context(), async () => {
      throw new Error('provider down');
    });
    let failed = false;
    turn.catch(() => {
      failed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(failed).toBe(false);
    release();
    await expect(turn).rejects.toThrow('provider down');
    expect(log).toEqual(['store user question', 'stored question']);
  });
});

/** Polls a condition across event-loop turns (the stage awaits several promises in between). */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID carrying the millisecond time', () => {
    const id = timeOrderedUuid(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
  });

  it('sorts by time and stays unique within one millisecond', () => {
    const same = Array.from({ length: 1000 }, () => timeOrderedUuid(1_700_000_000_000));
    expect(new Set(same).size).toBe(1000);
    expect(timeOrderedUuid(1_700_000_000_001) > timeOrderedUuid(1_700_000_000_000)).toBe(true);
    // Zero-padded, so string order is time order across a change in the number of hex digits.
    expect(timeOrderedUuid(0x10_0000_0000) > timeOrderedUuid(0xf_ffff_ffff)).toBe(true);
  });
});
