import { describe, expect, it } from 'vitest';
import { isRetryablePlatformStatus, postJson } from './post-json.js';
import { DeliveryError } from './types.js';

const BOT_TOKEN = '123456:short-bot-secret';

function failingFetch(error: Error): typeof fetch {
  return () => Promise.reject(error);
}

async function failureOf(fetchImpl: typeof fetch, secrets: string[]): Promise<DeliveryError> {
  const error: unknown = await postJson({
    fetch: fetchImpl,
    url: `https://api.telegram.example/bot${BOT_TOKEN}/sendMessage`,
    body: { text: 'hi' },
    signal: new AbortController().signal,
    secrets,
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('postJson error messages', () => {
  it('removes the configured token verbatim, whatever its format', async () => {
    const cause = new Error(`connect ECONNREFUSED for /bot${BOT_TOKEN}/sendMessage`);
    const error = await failureOf(failingFetch(new TypeError('fetch failed', { cause })), [
      BOT_TOKEN,
    ]);
    expect(error.message).toContain('platform API request failed: TypeError: fetch failed');
    expect(error.message).not.toContain('short-bot-secret');
    expect(error.retryable).toBe(true);
  });

  it('also removes secrets it was not told about, by their shape', async () => {
    const leaked = `gth_${'4e'.repeat(32)}`;
    const error = await failureOf(failingFetch(new Error(`proxy echoed Bearer ${leaked}`)), []);
    expect(error.message).not.toContain(leaked);
    expect(error.message).toContain('[REDACTED]');
  });
});

describe('isRetryablePlatformStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
  ])('treats %i as retryable: %s', (status, expected) => {
    expect(isRetryablePlatformStatus(status)).toBe(expected);
  });
});
