import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeLlm, FakeLlmRequest } from '../../test-support/fake-llm.js';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  postMessage,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';

let fake: FakeLlm;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await closeTestGateways();
  await fake.close();
});

/** Pairing off, client keys from X-Forwarded-For: two "clients" from one test process. */
function openGateway(): Promise<TestGateway> {
  return startTestGateway({
    toml: [
      'default_provider = "openai"',
      '[gateway]',
      'require_pairing = false',
      'trust_forwarded_headers = true',
      '[providers.openai]',
      `base_url = "${fake.baseUrl}"`,
      '',
    ].join('\n'),
  });
}

const from = (ip: string, headers: Record<string, string>) => ({
  headers: { ...headers, 'x-forwarded-for': ip },
});

function messagesOf(request: FakeLlmRequest | undefined): unknown {
  return (request?.body as { messages?: unknown } | undefined)?.messages;
}

describe('anonymous callers (require_pairing = false) are kept apart by client key', () => {
  it('gives two clients using the same idempotency key each their own answer', async () => {
    const gateway = await openGateway();
    const key = { 'x-idempotency-key': 'order-1' };
    const alice = await postMessage(gateway, 'from alice', from('198.51.100.1', key));
    const bob = await postMessage(gateway, 'from bob', from('198.51.100.2', key));
    expect(alice.status).toBe(200);
    expect(alice.body.response).toBe('fake openai: from alice');
    expect(bob.status).toBe(200);
    expect(bob.body).toEqual({
      response: 'fake openai: from bob',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    // The same client repeating its key still gets its own duplicate.
    const again = await postMessage(gateway, 'from alice', from('198.51.100.1', key));
    expect(again.body).toMatchObject({ status: 'duplicate', response: 'fake openai: from alice' });
    expect(fake.requests).toHaveLength(2);
  });

  it('does not show one client the X-Session-Id conversation of another', async () => {
    const gateway = await openGateway();
    const session = { 'x-session-id': 'shared' };
    expect((await postMessage(gateway, 'secret plan', from('198.51.100.1', session))).status).toBe(
      200,
    );
    expect(
      (await postMessage(gateway, 'what was said?', from('198.51.100.2', session))).status,
    ).toBe(200);
    expect(JSON.stringify(messagesOf(fake.requests[1]))).not.toContain('secret plan');
  });
});
