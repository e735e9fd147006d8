import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, startFakeOpenAI } from './fake-llm.js';
import type { FakeLlm } from './fake-llm.js';

describe('fake LLM servers', () => {
  let fake: FakeLlm | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('answers unknown paths with 404 in the vendor error shape and records the request', async () => {
    fake = await startFakeAnthropic();
    const response = await fetch(`${fake.baseUrl}/v1/complete`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'The requested resource was not found.' },
    });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/complete', body: {} });
  });

  it('streams OpenAI chunks as text/event-stream ending in data: [DONE]', async () => {
    fake = await startFakeOpenAI({ defaultScript: { chunks: ['a', 'b'] } });
    const response = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"delta":{"content":"a"}');
  });

  it('uses queued scripts in order, then the default script', async () => {
    fake = await startFakeOpenAI({ defaultScript: { text: 'default' } });
    fake.enqueue({ text: 'first' }, { error: { status: 500 } });
    const post = () =>
      fetch(`${fake?.baseUrl}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
    const first = await post();
    const second = await post();
    const third = await post();
    expect(
      ((await first.json()) as { choices: [{ message: { content: string } }] }).choices[0].message
        .content,
    ).toBe('first');
    expect(second.status).toBe(500);
    expect(await third.text()).toContain('"content":"default"');
  });

  it('waitForRequests resolves once the requests have arrived', async () => {
    fake = await startFakeOpenAI();
    const waiting = fake.waitForRequests(1);
    await fetch(`${fake.baseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    await expect(waiting).resolves.toHaveLength(1);
  });
});
