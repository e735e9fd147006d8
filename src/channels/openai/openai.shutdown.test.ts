import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import type { FakeLlm } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import {
  parseRawResponse,
  readUntilClosed,
  untilNotListening,
} from '../../test-support/raw-http.js';

/*
 * `/v1` while the gateway shuts down: a completion already in progress is answered, and one that
 * arrives on an open connection during the drain is refused in OpenAI's error shape, so the
 * official SDKs raise their typed error.
 */

const TOKEN = handMadeToken('5d6e');
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function completionRequest(content: string): string {
  const body = JSON.stringify({ model: 'default', messages: [{ role: 'user', content }] });
  return (
    'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

describe('OpenAI-compatible API during shutdown', () => {
  it('answers the completion in progress and refuses the next one with 503 in OpenAI shape', async () => {
    const fake = await startFakeOpenAI({ defaultScript: { delayMs: 300 } });
    fakes.push(fake);
    const gateway = await startTestGateway({
      toml: [
        'default_provider = "openai"',
        'default_model = "upstream-model"',
        '[gateway]',
        `paired_tokens = ["${TOKEN}"]`,
        '[providers.openai]',
        `base_url = "${fake.baseUrl}"`,
        'api_key = "sk-upstream"',
        '',
      ].join('\n'),
    });
    const port = Number(new URL(gateway.url).port);
    const socket = connect(port, '127.0.0.1');
    const received = readUntilClosed(socket);
    socket.write(completionRequest('in progress'));
    await fake.waitForRequests(1);

    const closing = gateway.close();
    // Until the drain begins the gateway still serves (a balancer learns of the shutdown from
    // /readyz first); the drain stops the listener and keeps this busy connection open.
    const server = gateway.handle.app.server;
    await untilNotListening(server);
    expect(server.listening).toBe(false);
    socket.write(completionRequest('too late'));
    const text = await received;
    await closing;

    const second = text.indexOf('HTTP/1.1 ', 1);
    const answered = parseRawResponse(text.slice(0, second));
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'fake openai: in progress' } }],
    });
    const refused = parseRawResponse(text.slice(second));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        message: 'Service is shutting down',
        type: 'api_error',
        param: null,
        code: 'service_unavailable',
      },
    });
    expect(refused.headers.get('connection')).toBe('close');
    expect(refused.headers.get('x-request-id')).toMatch(/.+/);
    // The refused completion never reached the provider.
    expect(fake.requests).toHaveLength(1);
  });
});
