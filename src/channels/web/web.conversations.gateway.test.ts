import { afterEach, describe, expect, it } from 'vitest';
import {
  closeTestGateways,
  handMadeToken,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import { connectOk } from '../../test-support/ws-client.js';
import type { TestWsClient } from '../../test-support/ws-client.js';

const TOKEN = handMadeToken('face');

afterEach(async () => {
  await closeTestGateways();
});

async function open(url: string): Promise<{ client: TestWsClient; conversationId: string }> {
  const client = await connectOk(`${url.replace('http', 'ws')}/ws`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const ready = await client.next();
  expect(ready.type).toBe('ready');
  return { client, conversationId: String(ready.conversation_id) };
}

/** Takes frames until the `done` of message `id`. */
async function untilDone(client: TestWsClient, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const frame = await client.next();
    if (frame.type === 'done' && frame.id === id) return frame;
    if (frame.type === 'error') throw new Error(`error frame: ${JSON.stringify(frame)}`);
  }
}

describe('web conversations through the built gateway (echo provider, SQLite memory)', () => {
  it('continues a conversation on a new socket and restores its transcript with history', async () => {
    const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
    const first = await open(gateway.url);
    first.client.send({ type: 'message', id: 'm1', text: 'remember the word tulip' });
    await untilDone(first.client, 'm1');
    first.client.ws.close();

    const second = await open(gateway.url);
    second.client.send({ type: 'attach', conversation_id: first.conversationId });
    expect(await second.client.next()).toEqual({
      type: 'attached',
      conversation_id: first.conversationId,
    });
    second.client.send({ type: 'history', limit: 10 });
    const history = await second.client.next();
    expect(history).toMatchObject({ type: 'history', conversation_id: first.conversationId });
    const messages = history.messages as Array<Record<string, unknown>>;
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'remember the word tulip'],
      ['assistant', expect.stringContaining('tulip')],
    ]);
    for (const message of messages) {
      expect(message.id).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(String(message.at)))).toBe(false);
    }

    // A fresh socket that does not attach starts an empty conversation.
    const third = await open(gateway.url);
    third.client.send({ type: 'history', limit: 10 });
    expect(await third.client.next()).toMatchObject({ type: 'history', messages: [] });
    second.client.ws.close();
    third.client.ws.close();
  });
});
