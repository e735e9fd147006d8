import { afterEach, describe, expect, it } from 'vitest';
import { useBuiltCli } from '../../test-support/gatehouse-process.js';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import type { FakeLlm } from '../../test-support/fake-llm.js';
import {
  issueToken,
  liveHome,
  pairWithCode,
  requestTicket,
  startLiveGateway,
  ticketFor,
} from '../../test-support/live-gateway.js';
import type { LiveGateway } from '../../test-support/live-gateway.js';
import { connectWs } from '../../test-support/ws-client.js';
import { ask, openSession, within } from '../../test-support/ws-session.js';

/*
 * The built gateway (`gatehouse start`) with a fake OpenAI-compatible upstream, driven by a real
 * `ws` client: tickets, upgrade checks, streaming, cancellation and the shared core dispatch.
 */

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ALLOWED_ORIGIN = 'https://chat.example.com';

const llms: FakeLlm[] = [];

async function setup(extra?: string): Promise<{ live: LiveGateway; llm: FakeLlm }> {
  const llm = await startFakeOpenAI();
  llms.push(llm);
  const home = cli.adopt(
    liveHome({ llmBaseUrl: llm.baseUrl, ...(extra === undefined ? {} : { extra }) }),
  );
  return { live: await startLiveGateway(home), llm };
}

function lastMessages(llm: FakeLlm, index: number): Array<{ role: string; content: unknown }> {
  const body = llm.requests[index]?.body as {
    messages?: Array<{ role: string; content: unknown }>;
  };
  return body.messages ?? [];
}

// Registered before useBuiltCli's hooks, so it runs after them: the gateways are gone first.
afterEach(async () => {
  for (const llm of llms.splice(0)) await llm.close();
});
const cli = useBuiltCli();

describe('web channel through the built gateway', { timeout: 60_000 }, () => {
  it('POST /ws/ticket gives a 30 s ticket for a paired token or a channels:web JWT, and 403 without channels:web', async () => {
    const { live } = await setup();
    const paired = await pairWithCode(live.url, await live.pairingCode());
    const web = await issueToken(live, 'channels:web');
    const apiOnly = await issueToken(live, 'channels:api');

    for (const token of [paired, web.token]) {
      const { status, body } = await requestTicket(live.url, token);
      expect(status).toBe(200);
      expect(body).toEqual({ ticket: expect.any(String), expires_in: 30 });
    }
    const refused = await requestTicket(live.url, apiOnly.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AUTH_INSUFFICIENT_SCOPE');
  });

  it('a ticket opens a session with a UUID v4 session_id; the same ticket is refused the second time (no 101)', async () => {
    const { live } = await setup();
    const { token } = await issueToken(live, 'channels:web');
    const ticket = await ticketFor(live.url, token);

    const { sessionId } = await openSession(`${live.wsUrl}/ws?ticket=${ticket}`);
    expect(sessionId).toMatch(UUID_V4);

    const reuse = await connectWs(`${live.wsUrl}/ws?ticket=${ticket}`);
    expect(reuse).toMatchObject({ ok: false, status: 401 });
    expect(reuse.ok ? undefined : JSON.parse(reuse.body)).toMatchObject({
      code: 'WS_TICKET_INVALID',
    });
  });

  it('streams the upstream chunks in order as chunk frames, then done with the full response', async () => {
    const { live, llm } = await setup();
    const chunks = ['Streaming ', 'arrives ', 'in ', 'five ', 'pieces.'];
    llm.enqueue({ chunks, chunkDelayMs: 15 });
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );

    const reply = await ask(client, 'm1', 'tell me something');
    expect(reply.deltas).toEqual(chunks);
    expect(reply.done).toEqual({
      type: 'done',
      id: 'm1',
      response: chunks.join(''),
      model: 'gpt-test',
      agent: 'default',
    });
    expect(llm.requests[0]?.body).toMatchObject({ stream: true, model: 'gpt-test' });
  });

  it('refuses ?token=<jwt> before the upgrade and accepts Authorization: Bearer from a non-browser client', async () => {
    const { live } = await setup();
    const { token } = await issueToken(live, 'channels:web');

    const inUrl = await connectWs(`${live.wsUrl}/ws?token=${token}`);
    expect(inUrl).toMatchObject({ ok: false, status: 401 });
    expect(inUrl.ok ? undefined : JSON.parse(inUrl.body)).toMatchObject({
      code: 'AUTH_TOKEN_IN_URL',
    });

    const { client, sessionId } = await openSession(`${live.wsUrl}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sessionId).toMatch(UUID_V4);
    expect((await ask(client, 'h1', 'via header')).done.response).toBe('fake openai: via header');
  });

  it('refuses evil and null Origins with 403 before the upgrade, and accepts its own and a configured origin', async () => {
    const { live } = await setup(`[channels_config.web]\nallowed_origins = ["${ALLOWED_ORIGIN}"]`);
    const { token } = await issueToken(live, 'channels:web');
    const ticket = await ticketFor(live.url, token);

    for (const origin of ['https://evil.example', 'null']) {
      const refused = await connectWs(`${live.wsUrl}/ws?ticket=${ticket}`, { origin });
      expect(refused).toMatchObject({ ok: false, status: 403 });
      expect(refused.ok ? undefined : JSON.parse(refused.body)).toMatchObject({
        code: 'ORIGIN_FORBIDDEN',
      });
    }
    // Refused before authentication: the ticket was not spent by the refused attempts.
    const own = await openSession(`${live.wsUrl}/ws?ticket=${ticket}`, { origin: live.url });
    expect(own.sessionId).toMatch(UUID_V4);
    const configured = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
      {
        origin: ALLOWED_ORIGIN,
      },
    );
    expect(configured.sessionId).toMatch(UUID_V4);
  });

  it('a cancel frame aborts the upstream LLM call and the session stays usable', async () => {
    const { live, llm } = await setup();
    llm.enqueue({ chunks: ['partial '], hang: true });
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );

    client.send({ type: 'message', id: 'c1', text: 'never finishes' });
    expect(await within(client.next(), 10_000, 'the first chunk')).toEqual({
      type: 'chunk',
      id: 'c1',
      delta: 'partial ',
      seq: 1,
    });
    const [upstream] = await llm.waitForRequests(1);
    client.send({ type: 'cancel', id: 'c1' });
    await within(
      upstream?.clientClosed ?? Promise.reject(new Error('no request')),
      5000,
      'the upstream abort',
    );
    expect(await within(client.next(), 5000, 'the cancel answer')).toMatchObject({
      type: 'error',
      id: 'c1',
      code: 'MESSAGE_CANCELLED',
    });
    expect((await ask(client, 'c2', 'again')).done.response).toBe('fake openai: again');
  });

  it('closing the socket mid-stream aborts the upstream LLM call after resume_grace_secs', async () => {
    const { live, llm } = await setup('[channels_config.web]\nresume_grace_secs = 1\n');
    llm.enqueue({ chunks: ['partial '], hang: true });
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );

    client.send({ type: 'message', id: 'c1', text: 'never finishes' });
    await within(client.next(), 10_000, 'the first chunk');
    const [upstream] = await llm.waitForRequests(1);
    client.ws.close(1000, 'bye');
    await within(
      upstream?.clientClosed ?? Promise.reject(new Error('no request')),
      5000,
      'the upstream abort',
    );
    expect(upstream?.closedByClient).toBe(true);
  });

  it("keeps history per session: the second message's upstream request carries the first turn, another session's does not", async () => {
    const { live, llm } = await setup();
    const { token } = await issueToken(live, 'channels:web');
    const first = await openSession(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`);

    await ask(first.client, 'a1', 'my name is Ada');
    await ask(first.client, 'a2', 'what is my name?');
    const second = lastMessages(llm, 1);
    expect(second).toEqual(
      expect.arrayContaining([
        { role: 'user', content: 'my name is Ada' },
        { role: 'assistant', content: 'fake openai: my name is Ada' },
      ]),
    );
    expect(second.at(-1)).toEqual({ role: 'user', content: 'what is my name?' });

    const other = await openSession(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`);
    await ask(other.client, 'b1', 'hello');
    const unrelated = lastMessages(llm, 2).filter((message) => message.role !== 'system');
    expect(unrelated).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('answers a repeated message id from the idempotency record with one upstream call', async () => {
    const { live, llm } = await setup();
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );

    const once = await ask(client, 'same-id', 'only once please');
    const again = await ask(client, 'same-id', 'only once please');
    expect(again.done).toEqual(once.done);
    expect(llm.requests).toHaveLength(1);
    // A new id is a new turn, so the upstream is called again.
    await ask(client, 'other-id', 'only once please');
    expect(llm.requests).toHaveLength(2);
  });
});
