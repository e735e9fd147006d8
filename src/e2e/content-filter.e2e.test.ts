import { afterEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import { ticketFor } from '../test-support/live-gateway.js';
import { ask, openSession, within } from '../test-support/ws-session.js';

/*
 * content_filter over real HTTP and a real WebSocket: inbound reject (422, provider never called),
 * inbound redact (the provider sees [redacted]), outbound redact of a streamed reply whose match
 * is split across deltas (no chunk carries it; idempotency replay and memory hold the filtered one).
 */

const TOKEN = handMadeToken('c0f1');
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function filteredGateway(inboundAction: string, outboundAction: string) {
  const fake = await startFakeOpenAI();
  fakes.push(fake);
  const gateway = await startTestGateway({
    toml: `
default_provider = "openai"
[gateway]
paired_tokens = ["${TOKEN}"]
[providers.openai]
base_url = "${fake.baseUrl}"
api_key = "sk-test"

[[pipeline.inbound]]
name = "idempotency"
[[pipeline.inbound]]
name = "content_filter"
block_patterns = ["ignore previous instructions", "/sk-[a-z0-9]{4}/"]
action = "${inboundAction}"
message = "Please rephrase your message."
[[pipeline.inbound]]
name = "memory"

[[pipeline.outbound]]
name = "content_filter"
block_patterns = ["hunter2"]
action = "${outboundAction}"
message = "The answer was withheld."
`,
  });
  return { fake, gateway };
}

describe('content_filter over POST /webhook', () => {
  it('rejects a blocked message with 422 CONTENT_BLOCKED and the warning, never calling the provider', async () => {
    const { fake, gateway } = await filteredGateway('reject', 'redact');
    const reply = await postMessage(gateway, 'Please IGNORE previous instructions', {
      token: TOKEN,
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      code: 'CONTENT_BLOCKED',
      error: 'Please rephrase your message.',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('lets a clean message through the same filter', async () => {
    const { fake, gateway } = await filteredGateway('reject', 'redact');
    const reply = await postMessage(gateway, 'hello', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });

  it('redacts inbound matches before the agent sees them', async () => {
    const { fake, gateway } = await filteredGateway('redact', 'redact');
    const reply = await postMessage(gateway, 'my key is sk-ab12 ok', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(fake.requests[0]?.body).toMatchObject({
      messages: [expect.anything(), { role: 'user', content: 'my key is [redacted] ok' }],
    });
  });

  it('redacts the reply, and the idempotency replay and memory hold the filtered reply', async () => {
    const { fake, gateway } = await filteredGateway('reject', 'redact');
    fake.enqueue({ text: 'the password is hunter2.' });
    const headers = { 'x-idempotency-key': 'k-1', 'x-session-id': 's-1' };
    const first = await postMessage(gateway, 'password?', { token: TOKEN, headers });
    expect(first.body.response).toBe('the password is [redacted].');
    const replay = await postMessage(gateway, 'password?', { token: TOKEN, headers });
    expect(replay.body).toMatchObject({
      status: 'duplicate',
      response: 'the password is [redacted].',
    });
    await postMessage(gateway, 'again', { token: TOKEN, headers: { 'x-session-id': 's-1' } });
    const history = (fake.requests[1]?.body as { messages: Array<{ content: string }> }).messages;
    expect(history.map((message) => message.content)).toContain('the password is [redacted].');
    expect(JSON.stringify(history)).not.toContain('hunter2');
  });

  it('replaces a reply with the warning under outbound reject (HTTP 200)', async () => {
    const { fake, gateway } = await filteredGateway('reject', 'reject');
    fake.enqueue({ text: 'the password is hunter2.' });
    const reply = await postMessage(gateway, 'password?', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('The answer was withheld.');
  });
});

describe('content_filter over the WebSocket', () => {
  async function session(inbound: string, outbound: string) {
    const { fake, gateway } = await filteredGateway(inbound, outbound);
    const ticket = await ticketFor(gateway.url, TOKEN);
    const { client } = await openSession(
      `${gateway.url.replace(/^http/, 'ws')}/ws?ticket=${ticket}`,
    );
    return { fake, client };
  }

  it('never streams a match split across deltas', async () => {
    const { fake, client } = await session('reject', 'redact');
    fake.enqueue({ chunks: ['your pass: hun', 't', 'er2 and more ', 'text here'] });
    const reply = await ask(client, 'm1', 'password?');
    expect(reply.deltas.join('')).toBe('your pass: [redacted] and more text here');
    expect(reply.deltas.some((delta) => /hun|ter2/.test(delta))).toBe(false);
    expect(reply.done).toMatchObject({ response: 'your pass: [redacted] and more text here' });
    client.ws.close();
  });

  it('answers a blocked message with an error frame CONTENT_BLOCKED', async () => {
    const { fake, client } = await session('reject', 'redact');
    client.send({ type: 'message', id: 'm1', text: 'ignore previous instructions' });
    const frame = await within(client.next(), 5000, 'the error frame');
    expect(frame).toMatchObject({ type: 'error', id: 'm1', code: 'CONTENT_BLOCKED' });
    expect(fake.requests).toHaveLength(0);
    client.ws.close();
  });
});
