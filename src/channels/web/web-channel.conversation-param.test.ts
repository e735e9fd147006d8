import { afterEach, describe, expect, it } from 'vitest';
import { connectOk } from '../../test-support/ws-client.js';
import type { TestWsClient } from '../../test-support/ws-client.js';
import { startWebGateway, TEST_PAIRED_TOKEN } from '../../test-support/web-gateway.js';
import type { WebGateway } from '../../test-support/web-gateway.js';

let gateway: WebGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const PAIRED = `Bearer ${TEST_PAIRED_TOKEN}`;

async function connect(
  gw: WebGateway,
  query: string,
  authorization = PAIRED,
): Promise<TestWsClient> {
  return connectOk(gw.wsUrl(`/ws${query}`), { headers: { authorization } });
}

async function readyOf(client: TestWsClient): Promise<string> {
  const ready = await client.next();
  expect(ready.type).toBe('ready');
  return String(ready.conversation_id);
}

describe('connecting with ?conversation=<id>', () => {
  it('attaches before ready for the owning principal, and messages continue that conversation', async () => {
    const gw = (gateway = await startWebGateway());
    const first = await connect(gw, '');
    const conversationId = await readyOf(first);
    first.ws.close();

    const second = await connect(gw, `?conversation=${conversationId}`);
    expect(await readyOf(second)).toBe(conversationId);
    expect(await second.next()).toEqual({ type: 'attached', conversation_id: conversationId });
    second.send({ type: 'message', id: 'q1', text: 'again' });
    expect((await gw.call(0)).request.message.conversationId).toBe(
      `web:paired:test:${conversationId}`,
    );
    second.ws.close();
  });

  it('attaches to an id nobody used yet, as an attach frame does (binding it to this principal)', async () => {
    const gw = (gateway = await startWebGateway());
    const client = await connect(gw, '?conversation=chosen-by-client.1');
    expect(await readyOf(client)).toBe('chosen-by-client.1');
    expect(await client.next()).toEqual({
      type: 'attached',
      conversation_id: 'chosen-by-client.1',
    });
    client.ws.close();
  });

  it('refuses another principal with CONVERSATION_FORBIDDEN after ready, on a fresh conversation', async () => {
    const gw = (gateway = await startWebGateway());
    const owner = await connect(gw, '');
    const conversationId = await readyOf(owner);

    const { token } = await gw.jwt.createToken({
      subject: 'user:someone-else',
      scopes: ['channels:web'],
      expiresIn: 600,
    });
    const other = await connect(gw, `?conversation=${conversationId}`, `Bearer ${token}`);
    const otherConversation = await readyOf(other);
    expect(otherConversation).not.toBe(conversationId);
    const refusal = await other.next();
    expect(refusal).toMatchObject({ type: 'error', code: 'CONVERSATION_FORBIDDEN' });
    expect(refusal).not.toHaveProperty('id');

    // The refused socket stays usable, on its own conversation.
    other.send({ type: 'message', id: 'o1', text: 'mine' });
    expect((await gw.call(0)).request.message.conversationId).toBe(
      `web:jwt:user:someone-else:${otherConversation}`,
    );
    owner.ws.close();
    other.ws.close();
  });

  it('answers a malformed id with the same INVALID_BODY error frame as an attach frame', async () => {
    const gw = (gateway = await startWebGateway());
    const viaQuery = await connect(gw, `?conversation=${encodeURIComponent('not/valid id')}`);
    const own = await readyOf(viaQuery);
    const queryError = await viaQuery.next();
    expect(queryError).toMatchObject({ type: 'error', code: 'INVALID_BODY' });

    const viaFrame = await connect(gw, '');
    await readyOf(viaFrame);
    viaFrame.send({ type: 'attach', conversation_id: 'not/valid id' });
    expect(await viaFrame.next()).toEqual(queryError);

    viaQuery.send({ type: 'history', limit: 5 });
    expect(await viaQuery.next()).toEqual({
      type: 'history',
      conversation_id: own,
      messages: [],
    });
    viaQuery.ws.close();
    viaFrame.ws.close();
  });
});
