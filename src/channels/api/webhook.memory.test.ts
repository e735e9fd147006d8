import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeLlm, FakeLlmRequest } from '../../test-support/fake-llm.js';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';

const ALICE = handMadeToken('a1');
const BOB = handMadeToken('b2');
const SYSTEM = { role: 'system', content: 'Be brief.' };

let fake: FakeLlm;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await closeTestGateways();
  await fake.close();
});

function gatewayWith(toml: { agent?: string; memory?: string } = {}): Promise<TestGateway> {
  return startTestGateway({
    toml: [
      'default_provider = "openai"',
      '[agent]',
      'system_prompt = "Be brief."',
      toml.agent ?? '',
      '[memory]',
      toml.memory ?? '',
      '[gateway]',
      `paired_tokens = ["${ALICE}", "${BOB}"]`,
      '[providers.openai]',
      `base_url = "${fake.baseUrl}"`,
      '',
    ].join('\n'),
  });
}

const inSession = (token: string, session: string) => ({
  token,
  headers: { 'x-session-id': session },
});

async function say(
  gateway: TestGateway,
  text: string,
  token = ALICE,
  session = 's1',
): Promise<void> {
  const reply = await postMessage(gateway, text, inSession(token, session));
  expect(reply.status).toBe(200);
}

function messagesOf(request: FakeLlmRequest | undefined): unknown {
  return (request?.body as { messages?: unknown } | undefined)?.messages;
}

interface MemoryRow {
  key: string;
  category: string;
  role: string | null;
  content: string;
}

function memoryRows(gateway: TestGateway): MemoryRow[] {
  const db = new Database(join(gateway.home.dir, 'memory.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT key, category, role, content FROM memories ORDER BY id')
      .all() as MemoryRow[];
  } finally {
    db.close();
  }
}

describe('conversation memory through POST /webhook', () => {
  it('sends the earlier turns of the same X-Session-Id to the LLM (multi-turn chat)', async () => {
    const gateway = await gatewayWith();
    await say(gateway, 'my name is Ada');
    await say(gateway, 'what is my name?');
    expect(messagesOf(fake.requests[1])).toEqual([
      SYSTEM,
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'fake openai: my name is Ada' },
      { role: 'user', content: 'what is my name?' },
    ]);
    // The last reply is committed just after its answer has left (docs/pipeline.md, "memory").
    const rows = await vi.waitFor(() => {
      const stored = memoryRows(gateway);
      expect(stored.map((row) => [row.role, row.content])).toEqual([
        ['user', 'my name is Ada'],
        ['assistant', 'fake openai: my name is Ada'],
        ['user', 'what is my name?'],
        ['assistant', 'fake openai: what is my name?'],
      ]);
      return stored;
    });
    expect(rows.every((row) => row.category === 'conversation')).toBe(true);
    expect(rows[0]?.key).toMatch(/^webhook_msg_[0-9a-f-]{36}$/);
  });

  it('keeps a failed turn (provider 500) out of history: the next request still alternates', async () => {
    const gateway = await gatewayWith();
    await say(gateway, 'my name is Ada');
    fake.enqueue({ error: { status: 500 } });
    const failed = await postMessage(gateway, 'this turn fails', inSession(ALICE, 's1'));
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await say(gateway, 'what is my name?');
    expect(messagesOf(fake.requests[2])).toEqual([
      SYSTEM,
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'fake openai: my name is Ada' },
      { role: 'user', content: 'what is my name?' },
    ]);
    expect(memoryRows(gateway).map((row) => row.content)).not.toContain('this turn fails');
  });

  it('keeps sessions apart: another session id starts without history', async () => {
    const gateway = await gatewayWith();
    await say(gateway, 'my name is Ada', ALICE, 's1');
    await say(gateway, 'hello', ALICE, 's2');
    expect(messagesOf(fake.requests[1])).toEqual([SYSTEM, { role: 'user', content: 'hello' }]);
  });

  it('does not give another principal the history of the same X-Session-Id', async () => {
    const gateway = await gatewayWith();
    await say(gateway, 'my password hint is blue', ALICE, 's1');
    await say(gateway, 'what did they say?', BOB, 's1');
    expect(messagesOf(fake.requests[1])).toEqual([
      SYSTEM,
      { role: 'user', content: 'what did they say?' },
    ]);
  });

  it('starts every request without a session id afresh', async () => {
    const gateway = await gatewayWith();
    expect((await postMessage(gateway, 'first', { token: ALICE })).status).toBe(200);
    expect((await postMessage(gateway, 'second', { token: ALICE })).status).toBe(200);
    expect(messagesOf(fake.requests[1])).toEqual([SYSTEM, { role: 'user', content: 'second' }]);
  });

  it('bounds the history sent to the LLM by [agent] history_window', async () => {
    const gateway = await gatewayWith({ agent: 'history_window = 2' });
    await say(gateway, 'one');
    await say(gateway, 'two');
    await say(gateway, 'three');
    expect(messagesOf(fake.requests[2])).toEqual([
      SYSTEM,
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'fake openai: two' },
      { role: 'user', content: 'three' },
    ]);
  });

  it('sends no history with [memory] backend = "none"', async () => {
    const gateway = await gatewayWith({ memory: 'backend = "none"' });
    await say(gateway, 'my name is Ada');
    await say(gateway, 'what is my name?');
    expect(messagesOf(fake.requests[1])).toEqual([
      SYSTEM,
      { role: 'user', content: 'what is my name?' },
    ]);
  });

  it('stores nothing and sends no history with auto_save = false', async () => {
    const gateway = await gatewayWith({ memory: 'auto_save = false' });
    await say(gateway, 'my name is Ada');
    await say(gateway, 'what is my name?');
    expect(messagesOf(fake.requests[1])).toEqual([
      SYSTEM,
      { role: 'user', content: 'what is my name?' },
    ]);
    expect(memoryRows(gateway)).toEqual([]);
  });
});
