import { afterEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  send,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import { ticketFor } from '../test-support/live-gateway.js';
import { ask, openSession } from '../test-support/ws-session.js';

const TOKEN = handMadeToken('a11e');
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function routedGateway() {
  const fake = await startFakeOpenAI();
  fakes.push(fake);
  const gateway = await startTestGateway({
    toml: `
default_provider = "openai"
default_model = "general-model"
[agent]
system_prompt = "You are general."
[gateway]
paired_tokens = ["${TOKEN}"]
[providers.openai]
base_url = "${fake.baseUrl}"
api_key = "sk-test"
[agents.support]
model = "support-model"
system_prompt = "You handle refunds."
[[routing.rules]]
agent = "support"
channel = ["api", "web"]
text = "refund"
`,
  });
  return { fake, gateway };
}

describe('routing over POST /webhook', () => {
  it('sends a matching message to the routed agent with its model and system prompt', async () => {
    const { fake, gateway } = await routedGateway();
    const reply = await postMessage(gateway, 'I want a Refund', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ agent: 'support', model: 'support-model' });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'support-model',
      messages: [
        { role: 'system', content: 'You handle refunds.' },
        { role: 'user', content: 'I want a Refund' },
      ],
    });
  });

  it('sends any other message to the default agent', async () => {
    const { fake, gateway } = await routedGateway();
    const reply = await postMessage(gateway, 'hello', { token: TOKEN });
    expect(reply.body).toMatchObject({ agent: 'default', model: 'general-model' });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'general-model',
      messages: [
        { role: 'system', content: 'You are general.' },
        { role: 'user', content: 'hello' },
      ],
    });
  });

  it('keeps the histories of two agents in one session apart', async () => {
    const { fake, gateway } = await routedGateway();
    const headers = { 'x-session-id': 'shared-session' };
    await postMessage(gateway, 'hello', { token: TOKEN, headers });
    await postMessage(gateway, 'refund please', { token: TOKEN, headers });
    const supportMessages = (fake.requests[1]?.body as { messages: unknown[] }).messages;
    expect(supportMessages).toEqual([
      { role: 'system', content: 'You handle refunds.' },
      { role: 'user', content: 'refund please' },
    ]);
  });

  it('labels agent turns with the agent in /metrics', async () => {
    const { gateway } = await routedGateway();
    await postMessage(gateway, 'refund', { token: TOKEN });
    const metrics = await send(gateway, '/metrics', { method: 'GET' });
    expect(String(metrics.body.text)).toContain(
      'gatehouse_agent_turns_total{agent="support",provider="openai",model="support-model"} 1',
    );
  });
});

describe('routing over the WebSocket', () => {
  it('names the routed agent in done frames and sends its model and prompt upstream', async () => {
    const { fake, gateway } = await routedGateway();
    const ticket = await ticketFor(gateway.url, TOKEN);
    const { client } = await openSession(
      `${gateway.url.replace(/^http/, 'ws')}/ws?ticket=${ticket}`,
    );
    const routed = await ask(client, 'm1', 'refund please');
    expect(routed.done).toMatchObject({ type: 'done', agent: 'support', model: 'support-model' });
    const general = await ask(client, 'm2', 'hello');
    expect(general.done).toMatchObject({ agent: 'default', model: 'general-model' });
    expect(fake.requests[0]?.body).toMatchObject({
      stream: true,
      model: 'support-model',
      messages: [{ role: 'system', content: 'You handle refunds.' }, expect.anything()],
    });
    client.ws.close();
  });
});
