import { afterEach, describe, expect, it } from 'vitest';
import { connectOk } from '../../test-support/ws-client.js';
import type { TestWsClient } from '../../test-support/ws-client.js';
import { startWebGateway, TEST_PAIRED_TOKEN } from '../../test-support/web-gateway.js';
import type { WebGateway, WebGatewayOptions } from '../../test-support/web-gateway.js';

let gateway: WebGateway | undefined;

async function start(options: WebGatewayOptions = {}): Promise<WebGateway> {
  gateway = await startWebGateway(options);
  return gateway;
}

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function session(
  gw: WebGateway,
  authorization = `Bearer ${TEST_PAIRED_TOKEN}`,
  options: { autoPong?: boolean } = {},
): Promise<{ client: TestWsClient; sessionId: string; conversationId: string }> {
  const client = await connectOk(gw.wsUrl('/ws'), { headers: { authorization }, ...options });
  const ready = await client.next();
  expect(ready.type).toBe('ready');
  return {
    client,
    sessionId: String(ready.session_id),
    conversationId: String(ready.conversation_id),
  };
}

describe('web session messages', () => {
  it('streams chunks in order, then done, through the core dispatch', async () => {
    const gw = await start();
    const { client, sessionId, conversationId } = await session(gw);
    client.send({ type: 'message', id: 'm1', text: 'world' });
    expect(await client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'Hel', seq: 1 });
    expect(await client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'lo, ', seq: 2 });
    expect(await client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'world', seq: 3 });
    expect(await client.next()).toEqual({
      type: 'done',
      id: 'm1',
      response: 'Hello, world',
      model: 'fake-1',
      agent: 'default',
    });
    const { request } = await gw.call(0);
    expect(request.message).toMatchObject({
      channel: 'web',
      senderId: 'paired:test',
      conversationId: `web:paired:test:${conversationId}`,
      messageId: 'm1',
      replyTarget: sessionId,
      text: 'world',
    });
    expect(request.idempotencyKey).toBe(`ws:${sessionId}:m1`);
    client.ws.close();
  });

  it('aborts the dispatch signal on cancel and answers MESSAGE_CANCELLED', async () => {
    const gw = await start();
    const { client } = await session(gw);
    client.send({ type: 'message', id: 'm1', text: 'slow' });
    expect(await client.next()).toMatchObject({ type: 'chunk', delta: 'thinking' });
    client.send({ type: 'cancel', id: 'm1' });
    await (
      await gw.call(0)
    ).aborted;
    expect(await client.next()).toMatchObject({
      type: 'error',
      id: 'm1',
      code: 'MESSAGE_CANCELLED',
    });
    client.ws.close();
  });

  it('keeps a reply running for the resume grace after the client disconnects, then aborts it', async () => {
    const gw = await start({ timings: { resumeGraceMs: 300 } });
    const { client } = await session(gw);
    client.send({ type: 'message', id: 'm1', text: 'slow' });
    await client.next();
    const call = await gw.call(0);
    let aborted = false;
    void call.aborted.then(() => {
      aborted = true;
    });
    client.ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(aborted).toBe(false);
    await call.aborted;
    expect(aborted).toBe(true);
  });

  it('aborts at once when the gateway closes the session (no resume after a kill)', async () => {
    const gw = await start();
    const { client, sessionId } = await session(gw);
    client.send({ type: 'message', id: 'm1', text: 'slow' });
    await client.next();
    const call = await gw.call(0);
    gw.channel.registry.close(sessionId, 4002, 'killed');
    await call.aborted;
  });

  it('answers malformed frames with error frames and keeps the session open', async () => {
    const gw = await start();
    const { client } = await session(gw);
    client.send('{not json');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_JSON' });
    client.send({ type: 'launch', id: 'x' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_BODY', id: 'x' });
    client.send({ type: 'message', id: 'm', text: 'hi', scope: 'admin' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_BODY', id: 'm' });
    client.send({ type: 'message', id: '', text: 'hi' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_BODY' });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_BODY' });
    client.send({ type: 'message', id: 'ok', text: 'still here' });
    expect(await client.next()).toMatchObject({ type: 'chunk', id: 'ok' });
    client.ws.close();
  });

  it('sends the registry code of a failed turn and never upstream detail', async () => {
    const gw = await start();
    const { client } = await session(gw);
    client.send({ type: 'message', id: 'a', text: 'fail' });
    expect(await client.next()).toMatchObject({
      type: 'error',
      id: 'a',
      code: 'LLM_REQUEST_FAILED',
      retryable: true,
    });
    client.send({ type: 'message', id: 'b', text: 'crash' });
    const crashed = await client.next();
    expect(crashed).toMatchObject({ type: 'error', id: 'b', code: 'INTERNAL' });
    expect(JSON.stringify(crashed)).not.toContain('sk-secret');
    client.ws.close();
  });

  it('closes with 1009 a frame larger than max_frame_bytes', async () => {
    const gw = await start({ web: { max_frame_bytes: 1024 } });
    const { client } = await session(gw);
    client.send({ type: 'message', id: 'big', text: 'x'.repeat(2048) });
    expect((await client.closed).code).toBe(1009);
  });
});

describe('web session lifetime', () => {
  it('closes an idle session with 4000', async () => {
    const gw = await start({ timings: { idleMs: 150 } });
    const { client } = await session(gw);
    expect(await client.closed).toMatchObject({ code: 4000 });
  });

  it('counts the idle timeout from the last message', async () => {
    const gw = await start({ timings: { idleMs: 300 } });
    const { client } = await session(gw);
    let lastSent = 0;
    // Six messages 100 ms apart: twice the idle timeout from the session's start.
    for (let round = 0; round < 6; round++) {
      lastSent = Date.now();
      client.send({ type: 'history', limit: 1 });
      expect(await client.next()).toMatchObject({ type: 'history' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(await client.closed).toMatchObject({ code: 4000 });
    expect(Date.now() - lastSent).toBeGreaterThanOrEqual(290);
  });

  it('keeps a quiet session open while a reply is in progress, then times it out', async () => {
    const gw = await start({ timings: { idleMs: 150 } });
    const { client } = await session(gw);
    client.send({ type: 'message', id: 'm1', text: 'slow' });
    expect(await client.next()).toMatchObject({ type: 'chunk', delta: 'thinking' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.send({ type: 'cancel', id: 'm1' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'MESSAGE_CANCELLED' });
    expect(await client.closed).toMatchObject({ code: 4000 });
  });

  it('pings on every heartbeat until the idle timeout closes the session', async () => {
    const gw = await start({ timings: { heartbeatMs: 20, idleMs: 300 } });
    const { client } = await session(gw);
    let pings = 0;
    client.ws.on('ping', () => {
      pings += 1;
    });
    expect(await client.closed).toMatchObject({ code: 4000 });
    expect(pings).toBeGreaterThanOrEqual(5);
  });

  it('keeps a client that answers pings alive across many heartbeats', async () => {
    const gw = await start({ timings: { heartbeatMs: 20 } });
    const { client } = await session(gw);
    let pings = 0;
    client.ws.on('ping', () => {
      pings += 1;
    });
    await until(() => pings >= 8);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.ws.close();
  });

  it('terminates a client that stops answering pings', async () => {
    const gw = await start({ timings: { heartbeatMs: 20 } });
    const { client } = await session(gw, undefined, { autoPong: false });
    // terminate() sends no close frame, so the client sees an abnormal closure.
    expect((await client.closed).code).toBe(1006);
    await until(() => gw.channel.registry.count() === 0);
  });

  it('closes a live session with 4001 when its JWT is revoked by another process', async () => {
    const gw = await start();
    const { token, jti } = await gw.jwt.createToken({
      subject: 'user:alice',
      scopes: ['channels:web'],
      expiresIn: 3600,
    });
    const ticket = await gw.ticketFor(`Bearer ${token}`);
    const client = await connectOk(gw.wsUrl(`/ws?ticket=${ticket}`));
    expect((await client.next()).type).toBe('ready');

    // The CLI writes straight to the shared store; the gateway's 1 s refresh job picks it up.
    await gw.store.set('revoked', jti, String(Date.now() + 3600_000));
    const refresher = setInterval(() => void gw.revocations.refresh(), 100);
    try {
      expect(await client.closed).toEqual({ code: 4001, reason: 'token revoked' });
    } finally {
      clearInterval(refresher);
    }
    const refused = await fetch(gw.httpUrl('/ws/ticket'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);
  });

  it('closes a session with 4001 when its token expires', async () => {
    const gw = await start();
    const { token } = await gw.jwt.createToken({
      subject: 'u',
      scopes: ['channels:web'],
      expiresIn: 2,
    });
    const client = await connectOk(gw.wsUrl('/ws'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await client.next()).type).toBe('ready');
    expect(await client.closed).toEqual({ code: 4001, reason: 'token expired' });
  });

  it('disconnects a slow consumer instead of buffering without bound', async () => {
    const gw = await start({
      web: { max_buffered_bytes: 256 * 1024 },
      timings: { closeGraceMs: 200 },
    });
    const { client } = await session(gw);
    client.ws.send(JSON.stringify({ type: 'message', id: 'flood', text: 'big:2000' }));
    client.ws.pause();
    await (
      await gw.call(0)
    ).aborted;
    await until(() => gw.channel.registry.count() === 0);
    client.ws.resume();
    await client.closed;
  });

  it('reports the active session count to the observer', async () => {
    const gw = await start();
    const { client } = await session(gw);
    client.ws.close();
    await until(() => gw.channel.registry.count() === 0);
    const counts = gw.events.flatMap((event) =>
      event.type === 'ActiveSessions' ? [event.count] : [],
    );
    expect(counts).toEqual([1, 0]);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('web conversations', () => {
  it('announces the conversation in ready, lets the same principal attach to it, and refuses another', async () => {
    const gw = await start();
    const first = await session(gw);
    expect(first.conversationId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await session(gw);
    expect(second.conversationId).not.toBe(first.conversationId);
    second.client.send({ type: 'attach', conversation_id: first.conversationId });
    expect(await second.client.next()).toEqual({
      type: 'attached',
      conversation_id: first.conversationId,
    });
    second.client.send({ type: 'message', id: 'a1', text: 'again' });
    expect((await gw.call(0)).request.message.conversationId).toBe(
      `web:paired:test:${first.conversationId}`,
    );

    const { token } = await gw.jwt.createToken({
      subject: 'user:someone-else',
      scopes: ['channels:web'],
      expiresIn: 600,
    });
    const other = await session(gw, `Bearer ${token}`);
    other.client.send({ type: 'attach', conversation_id: first.conversationId });
    expect(await other.client.next()).toMatchObject({
      type: 'error',
      code: 'CONVERSATION_FORBIDDEN',
    });
    for (const client of [first.client, second.client, other.client]) client.ws.close();
  });

  it('answers history with an empty transcript when no memory is wired', async () => {
    const gw = await start();
    const { client, conversationId } = await session(gw);
    client.send({ type: 'history', limit: 10 });
    expect(await client.next()).toEqual({
      type: 'history',
      conversation_id: conversationId,
      messages: [],
    });
    client.ws.close();
  });

  it('resumes a reply on a new socket after the last seq seen, without a second dispatch', async () => {
    const gw = await start();
    const first = await session(gw);
    first.client.send({ type: 'message', id: 'm1', text: 'world' });
    expect(await first.client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'Hel', seq: 1 });
    first.client.ws.terminate();

    const second = await session(gw);
    second.client.send({ type: 'attach', conversation_id: first.conversationId });
    expect(await second.client.next()).toMatchObject({ type: 'attached' });
    second.client.send({ type: 'resume', id: 'm1', after_seq: 1 });
    expect(await second.client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'lo, ', seq: 2 });
    expect(await second.client.next()).toEqual({ type: 'chunk', id: 'm1', delta: 'world', seq: 3 });
    expect(await second.client.next()).toMatchObject({
      type: 'done',
      id: 'm1',
      response: 'Hello, world',
    });
    expect(gw.calls).toHaveLength(1);

    second.client.send({ type: 'resume', id: 'never-sent', after_seq: 0 });
    expect(await second.client.next()).toMatchObject({
      type: 'error',
      id: 'never-sent',
      code: 'RESUME_NOT_FOUND',
    });
    second.client.ws.close();
  });
});
