import { describe, expect, it } from 'vitest';
import { isRetryableLlmStatus, postJson } from './http-call.js';
import { ProviderError } from './types.js';

describe('postJson with a base_url that carries userinfo', () => {
  it.each([
    ['a long password', 'http://user:hunter2-long-secret@127.0.0.1:9/v1', 'hunter2-long-secret'],
    ['a short password', 'http://user:hunter2@127.0.0.1:9/v1', 'hunter2'],
    ['a percent-encoded password', 'http://user:p%40ssw0rd-xyz@127.0.0.1:9/v1', 'p%40ssw0rd'],
  ])('never puts %s into the error message', async (_name, url, password) => {
    const failure = postJson({
      provider: 'openai',
      url,
      headers: {},
      body: {},
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      secrets: [],
    });
    const error: unknown = await failure.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as ProviderError).message;
    expect(message).toContain('openai request failed');
    expect(message).not.toContain(password);
  });
});

describe('isRetryableLlmStatus', () => {
  it.each([
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [529, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
  ])('treats %i as retryable: %s', (status, expected) => {
    expect(isRetryableLlmStatus(status)).toBe(expected);
  });
});
