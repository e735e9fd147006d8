import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../../test-support/fake-llm.js';
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
const DUPLICATE = {
  status: 'duplicate',
  idempotent: true,
  message: 'Request already processed for this idempotency key',
};

let fake: FakeLlm;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await closeTestGateways();
  await fake.close();
});

function openAiGateway(): Promise<TestGateway> {
  return startTestGateway({
    toml: [
      'default_provider = "openai"',
      '[gateway]',
      `paired_tokens = ["${ALICE}", "${BOB}"]`,
      '[providers.openai]',
      `base_url = "${fake.baseUrl}"`,
      'api_key = "sk-test-idempotency"',
      '',
    ].join('\n'),
  });
}

const withKey = (token: string, key: string) => ({ token, headers: { 'x-idempotency-key': key } });

describe('X-Idempotency-Key over real HTTP', () => {
  it('answers a repeated key with the duplicate body carrying the original answer, calling the LLM once', async () => {
    const gateway = await openAiGateway();
    const first = await postMessage(gateway, 'order pizza', withKey(ALICE, 'order-1'));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      response: 'fake openai: order pizza',
      model: 'gpt-4o-mini',
      agent: 'default',
    });

    const second = await postMessage(gateway, 'order pizza', withKey(ALICE, 'order-1'));
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      ...DUPLICATE,
      response: 'fake openai: order pizza',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('trims the key, so " order-1 " and "order-1" are the same request', async () => {
    const gateway = await openAiGateway();
    await postMessage(gateway, 'x', withKey(ALICE, 'order-1'));
    const padded = await postMessage(gateway, 'x', withKey(ALICE, '  order-1  '));
    expect(padded.body.status).toBe('duplicate');
    expect(fake.requests).toHaveLength(1);
  });

  it('makes a concurrent duplicate wait for the running original instead of calling the LLM twice', async () => {
    const gateway = await openAiGateway();
    fake.enqueue({ delayMs: 1500 });
    const original = postMessage(gateway, 'slow one', withKey(ALICE, 'slow'));
    await fake.waitForRequests(1);
    const duplicate = postMessage(gateway, 'slow one', withKey(ALICE, 'slow'));
    const replies = await Promise.all([original, duplicate]);

    expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
    expect(replies.map((reply) => reply.body.response)).toEqual([
      'fake openai: slow one',
      'fake openai: slow one',
    ]);
    expect(replies.filter((reply) => reply.body.status === 'duplicate')).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it('releases the key of a failed original, so the retry is processed', async () => {
    const gateway = await openAiGateway();
    fake.enqueue({ error: { status: 500 } });
    const failed = await postMessage(gateway, 'try me', withKey(ALICE, 'retry-1'));
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      error: 'LLM request failed',
      code: 'LLM_REQUEST_FAILED',
      request_id: expect.any(String),
    });

    const retry = await postMessage(gateway, 'try me', withKey(ALICE, 'retry-1'));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({
      response: 'fake openai: try me',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('scopes keys per principal: two tokens with the same key each get their own answer', async () => {
    const gateway = await openAiGateway();
    const alice = await postMessage(gateway, 'alice secret plan', withKey(ALICE, 'shared-key'));
    const bob = await postMessage(gateway, 'bob question', withKey(BOB, 'shared-key'));
    expect(alice.body).toEqual({
      response: 'fake openai: alice secret plan',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(bob.body).toEqual({
      response: 'fake openai: bob question',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(fake.requests).toHaveLength(2);
    // And each principal still gets its own duplicate back.
    const bobAgain = await postMessage(gateway, 'bob question', withKey(BOB, 'shared-key'));
    expect(bobAgain.body).toMatchObject({
      status: 'duplicate',
      response: 'fake openai: bob question',
    });
  });

  it('keeps completed records across a restart', async () => {
    const first = await openAiGateway();
    const original = await postMessage(first, 'remember me', withKey(ALICE, 'durable-1'));
    expect(original.status).toBe(200);
    const second = await first.restart();
    const replay = await postMessage(second, 'remember me', withKey(ALICE, 'durable-1'));
    expect(replay.body).toEqual({
      ...DUPLICATE,
      response: 'fake openai: remember me',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('X-Idempotency-Key and timeouts', () => {
  it('releases the key of an original that timed out (408), so the retry is processed', async () => {
    const gateway = await startTestGateway({
      toml: [
        'default_provider = "openai"',
        '[gateway]',
        `paired_tokens = ["${ALICE}"]`,
        'request_timeout_secs = 1',
        '[providers.openai]',
        `base_url = "${fake.baseUrl}"`,
        '',
      ].join('\n'),
    });
    fake.enqueue({ delayMs: 60_000 });
    const timedOut = await postMessage(gateway, 'slow', withKey(ALICE, 'timeout-1'));
    expect(timedOut.status).toBe(408);
    const retry = await postMessage(gateway, 'slow', withKey(ALICE, 'timeout-1'));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({
      response: 'fake openai: slow',
      model: 'gpt-4o-mini',
      agent: 'default',
    });
    expect(fake.requests).toHaveLength(2);
  });
});
