import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import type { FakeLlm, FakeLlmScript } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';

const TOKEN = handMadeToken('5e5e');
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(
  script: FakeLlmScript,
  extra = '',
): Promise<{ fake: FakeLlm; gateway: TestGateway }> {
  const fake = await startFakeOpenAI({ defaultScript: script });
  fakes.push(fake);
  const gateway = await startTestGateway({
    toml: [
      'default_provider = "openai"',
      'default_model = "m"',
      '[gateway]',
      `paired_tokens = ["${TOKEN}"]`,
      '[providers.openai]',
      `base_url = "${fake.baseUrl}"`,
      'api_key = "sk-test"',
      // A client that drops a stream opens a spare connection that never sends a request; the
      // handshake deadline closes it, so keep it short for the shutdown at the end of each test.
      '[channels_config.web]',
      'handshake_timeout_secs = 1',
      extra,
      '',
    ].join('\n'),
  });
  return { fake, gateway };
}

interface StreamRead {
  status: number;
  contentType: string | null;
  events: EventSourceMessage[];
}

/**
 * POSTs to /webhook with `Accept: text/event-stream` and collects events; with `stopAfterChunks`
 * the connection is dropped once that many chunk events arrived (a broken stream).
 */
async function postStream(
  gateway: TestGateway,
  options: { headers?: Record<string, string>; stopAfterChunks?: number } = {},
): Promise<StreamRead> {
  const controller = new AbortController();
  const response = await fetch(`${gateway.url}/webhook`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...options.headers,
    },
    body: JSON.stringify({ message: 'stream please' }),
    signal: controller.signal,
  });
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  try {
    const reader = response.body?.getReader();
    for (;;) {
      const { done, value } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      const chunks = events.filter((event) => event.event === 'chunk').length;
      if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events };
}

const CHUNKS = ['one ', 'two ', 'three ', 'four ', 'five'];

describe('POST /webhook with Accept: text/event-stream', () => {
  it('streams chunk events with id and seq, then done with the usual answer', async () => {
    const { gateway } = await start({ chunks: CHUNKS });
    const read = await postStream(gateway);
    expect(read.status).toBe(200);
    expect(read.contentType).toMatch(/^text\/event-stream/);
    const chunks = read.events.filter((event) => event.event === 'chunk');
    expect(chunks.map((event) => [event.id, JSON.parse(event.data)])).toEqual(
      CHUNKS.map((delta, index) => [String(index + 1), { delta, seq: index + 1 }]),
    );
    expect(read.events.at(-1)?.event).toBe('done');
    expect(JSON.parse(read.events.at(-1)?.data ?? '')).toEqual({
      response: CHUNKS.join(''),
      model: 'm',
      agent: 'default',
    });
  });

  it('ends with an error event carrying the error body when the upstream fails', async () => {
    const { gateway } = await start({ error: { status: 500, message: 'boom sk-secret' } });
    const read = await postStream(gateway);
    expect(read.events.map((event) => event.event)).toEqual(['error']);
    expect(JSON.parse(read.events[0]?.data ?? '')).toEqual({
      error: 'LLM request failed',
      code: 'LLM_REQUEST_FAILED',
    });
  });

  it('refuses before streaming with a plain JSON error (no token)', async () => {
    const { gateway } = await start({});
    const response = await fetch(`${gateway.url}/webhook`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'AUTH_MISSING_TOKEN' });
  });

  it('resumes after Last-Event-ID with the same idempotency key, without a second LLM call', async () => {
    const { fake, gateway } = await start({ chunks: CHUNKS, chunkDelayMs: 150 });
    const headers = { 'x-idempotency-key': 'resume-1' };
    const broken = await postStream(gateway, { headers, stopAfterChunks: 2 });
    const seen = broken.events.filter((event) => event.event === 'chunk');
    expect(seen.map((event) => event.id)).toEqual(['1', '2']);

    const resumed = await postStream(gateway, { headers: { ...headers, 'last-event-id': '2' } });
    const rest = resumed.events.filter((event) => event.event === 'chunk');
    expect(rest.map((event) => JSON.parse(event.data))).toEqual(
      CHUNKS.slice(2).map((delta, index) => ({ delta, seq: index + 3 })),
    );
    expect(resumed.events.at(-1)?.event).toBe('done');
    expect(fake.requests).toHaveLength(1);
  });

  it('aborts the upstream call when nobody resumes within resume_grace_secs', async () => {
    const { fake, gateway } = await start(
      { chunks: ['first '], hang: true },
      'resume_grace_secs = 1',
    );
    await postStream(gateway, { headers: { 'x-idempotency-key': 'gone' }, stopAfterChunks: 1 });
    const [upstream] = await fake.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Still running inside the grace period…
    expect(upstream?.closedByClient).toBe(false);
    // …and cancelled after it.
    await upstream?.clientClosed;
    expect(upstream?.closedByClient).toBe(true);
  });

  it('aborts at once when the stream had no idempotency key (nothing could resume it)', async () => {
    const { fake, gateway } = await start({ chunks: ['first '], hang: true });
    await postStream(gateway, { stopAfterChunks: 1 });
    const [upstream] = await fake.waitForRequests(1);
    await upstream?.clientClosed;
    expect(upstream?.closedByClient).toBe(true);
  });
});
