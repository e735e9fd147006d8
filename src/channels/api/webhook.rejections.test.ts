import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  send,
} from '../../test-support/gateway-harness.js';
import { startTestGateway } from '../../test-support/gateway-harness.js';

afterEach(closeTestGateways);

const TOKEN = handMadeToken('c0ffee');
const pairedToml = (extra = ''): string => `[gateway]\npaired_tokens = ["${TOKEN}"]\n${extra}`;
const bearer = { authorization: `Bearer ${TOKEN}` };

async function pairedGateway(extra = '', env?: Record<string, string>): Promise<TestGateway> {
  return startTestGateway({ toml: pairedToml(extra), ...(env ? { env } : {}) });
}

describe('POST /webhook authentication', () => {
  it('refuses a request without a bearer with 401 and says how to pair', async () => {
    const gateway = await pairedGateway();
    const reply = await postMessage(gateway, 'hi');
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: expect.stringContaining('POST /pair'),
      code: 'AUTH_MISSING_TOKEN',
    });
  });

  it.each([
    ['an unknown token', `Bearer ${handMadeToken('0')}`],
    ['Basic credentials', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
  ])('refuses %s with 401 and says how to pair', async (_name, authorization) => {
    const gateway = await pairedGateway();
    const reply = await postMessage(gateway, 'hi', { headers: { authorization } });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: expect.stringContaining('POST /pair'),
      code: expect.stringMatching(/^AUTH_(MISSING|INVALID)_TOKEN$/),
    });
  });

  it.each(['bearer', 'BEARER', 'Bearer'])(
    'accepts the %s scheme (case-insensitive, RFC 7235)',
    async (scheme) => {
      const gateway = await pairedGateway();
      const reply = await postMessage(gateway, 'hi', {
        headers: { authorization: `${scheme} ${TOKEN}` },
      });
      expect(reply.status).toBe(200);
    },
  );

  it('refuses ?token= in the URL with 401 AUTH_TOKEN_IN_URL even with a valid header', async () => {
    const gateway = await pairedGateway();
    const reply = await send(gateway, `/webhook?token=${TOKEN}`, {
      headers: bearer,
      body: { message: 'hi' },
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: expect.stringContaining('URL'),
      code: 'AUTH_TOKEN_IN_URL',
    });
  });
});

describe('POST /webhook secret', () => {
  const secretToml = '[channels_config.webhook]\nsecret = "file-secret-value"\n';

  it.each([
    ['missing', undefined, 401],
    ['wrong', 'not-the-secret', 401],
    ['right', 'file-secret-value', 200],
  ])('answers a %s X-Webhook-Secret with %s', async (_name, secret, status) => {
    const gateway = await pairedGateway(secretToml);
    const headers: Record<string, string> = { ...bearer };
    if (secret !== undefined) headers['x-webhook-secret'] = secret;
    const reply = await postMessage(gateway, 'hi', { headers });
    expect(reply.status).toBe(status);
    if (status === 401) {
      expect(reply.body).toEqual({
        error: 'Missing or invalid X-Webhook-Secret',
        code: 'WEBHOOK_SECRET_INVALID',
      });
    }
  });

  it('lets GATEHOUSE_WEBHOOK_SECRET win over the file', async () => {
    const gateway = await pairedGateway(secretToml, {
      GATEHOUSE_WEBHOOK_SECRET: 'env-secret-value',
    });
    const fromFile = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-webhook-secret': 'file-secret-value' },
    });
    expect(fromFile.status).toBe(401);
    const fromEnv = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-webhook-secret': 'env-secret-value' },
    });
    expect(fromEnv.status).toBe(200);
  });

  it('checks the bearer before the secret: a right secret without a token is still 401 AUTH_MISSING_TOKEN', async () => {
    const gateway = await pairedGateway(secretToml);
    const reply = await postMessage(gateway, 'hi', {
      headers: { 'x-webhook-secret': 'file-secret-value' },
    });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('AUTH_MISSING_TOKEN');
  });
});

describe('POST /webhook request validation', () => {
  it.each([
    ['malformed JSON', '{"message": ', 'INVALID_JSON'],
    ['an empty message', { message: '' }, 'INVALID_BODY'],
    ['a blank message', { message: '   ' }, 'INVALID_BODY'],
    ['the wrong field', { msg: 'hi' }, 'INVALID_BODY'],
    ['an extra field', { message: 'hi', admin: true }, 'INVALID_BODY'],
    ['a non-string message', { message: 42 }, 'INVALID_BODY'],
    ['a JSON array', ['hi'], 'INVALID_BODY'],
  ])('answers %s with 400 %s naming the expected shape', async (_name, body, code) => {
    const gateway = await pairedGateway();
    const reply = await send(gateway, '/webhook', { headers: bearer, body });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: expect.stringContaining('{"message": "<'), code });
  });

  it.each([
    ['a space', 'has space'],
    ['a slash', 'a/b'],
    ['129 characters', 'a'.repeat(129)],
  ])('refuses an X-Session-Id with %s with 400 INVALID_HEADER', async (_name, sessionId) => {
    const gateway = await pairedGateway();
    const reply = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-session-id': sessionId },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: expect.stringContaining('X-Session-Id'),
      code: 'INVALID_HEADER',
    });
  });

  it('accepts an X-Session-Id of 128 characters of [A-Za-z0-9._-]', async () => {
    const gateway = await pairedGateway();
    const sessionId = 'Az09._-'.repeat(19).slice(0, 128);
    const reply = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-session-id': sessionId },
    });
    expect(reply.status).toBe(200);
  });

  it('refuses an X-Idempotency-Key of 257 characters with 400 and accepts 256', async () => {
    const gateway = await pairedGateway();
    const long = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-idempotency-key': 'k'.repeat(257) },
    });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({
      error: expect.stringContaining('X-Idempotency-Key'),
      code: 'INVALID_HEADER',
    });
    const max = await postMessage(gateway, 'hi', {
      headers: { ...bearer, 'x-idempotency-key': 'k'.repeat(256) },
    });
    expect(max.status).toBe(200);
  });

  it('answers a body over max_body_bytes with 413 before authentication', async () => {
    const gateway = await pairedGateway('max_body_bytes = 1024\n');
    const reply = await send(gateway, '/webhook', { body: { message: 'x'.repeat(2000) } });
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ error: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('POST /webhook rate limit', () => {
  it('answers the third request in a minute with 429, retry_after and Retry-After', async () => {
    const gateway = await pairedGateway('webhook_rate_limit_per_minute = 2\n');
    expect((await postMessage(gateway, 'one', { token: TOKEN })).status).toBe(200);
    expect((await postMessage(gateway, 'two', { token: TOKEN })).status).toBe(200);
    const third = await postMessage(gateway, 'three', { token: TOKEN });
    expect(third.status).toBe(429);
    expect(third.body).toEqual({
      error: expect.stringMatching(/^Too many requests\. Try again in \d+s\.$/),
      code: 'RATE_LIMITED',
      retry_after: expect.any(Number),
    });
    const retryAfter = third.body.retry_after as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(third.headers.get('retry-after')).toBe(String(retryAfter));
  });

  it('counts unauthenticated requests, because the limiter runs before the bearer check', async () => {
    const gateway = await pairedGateway('webhook_rate_limit_per_minute = 2\n');
    expect((await postMessage(gateway, 'no token')).status).toBe(401);
    expect((await postMessage(gateway, 'one', { token: TOKEN })).status).toBe(200);
    const third = await postMessage(gateway, 'two', { token: TOKEN });
    expect(third.status).toBe(429);
    // Once limited, even a request without a token gets 429, not 401: no auth work is done.
    expect((await postMessage(gateway, 'no token')).status).toBe(429);
  });

  it('does not limit /webhook when webhook_rate_limit_per_minute = 0', async () => {
    const gateway = await pairedGateway('webhook_rate_limit_per_minute = 0\n');
    for (let i = 0; i < 5; i += 1) {
      expect((await postMessage(gateway, `m${i}`, { token: TOKEN })).status).toBe(200);
    }
  });
});
