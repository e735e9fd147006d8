import { describe, it, expect } from 'vitest';
import { describeError, REDACTED, redactSecrets } from './redact.js';

const PAIRED = `gth_${'9f3a2c'.repeat(10)}abcd`;
const TELEGRAM = '7123456789:AAHk3vZ_q9XyT0pLmN4bR8sWcE1dF2gH3jK';
const OPENAI = 'sk-proj-Q2x8Lm4Np7Rs1Tv5Wy9Zb3Cd6Fg0Hj';
const ANTHROPIC = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';
const SLACK_BOT = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const SLACK_USER = 'xoxp-2234567890-1987654321-ZyXwVuTsRqPoNmLkJiHgFeDc';
const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtMSIsImV4cCI6MTcwMDAwMDAwMH0.Qm9ndXNTaWduYXR1cmVWYWx1ZTEyMzQ1';
const HEX64 = 'a3f1c9e07b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a';
const BASE64 = 'Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpL';

describe('redactSecrets', () => {
  const secretCases: Array<[string, string, string]> = [
    ['a bearer token', `Authorization: Bearer ${PAIRED}`, PAIRED],
    ['a paired gth_ token on its own', `token ${PAIRED} rejected`, PAIRED],
    ['an OpenAI key', `401 from upstream: invalid key ${OPENAI}`, OPENAI],
    ['an Anthropic key', `x-api-key ${ANTHROPIC} is invalid`, ANTHROPIC],
    ['a Slack bot token', `chat.postMessage with ${SLACK_BOT} failed`, SLACK_BOT],
    ['a Slack user token', `using ${SLACK_USER}`, SLACK_USER],
    [
      'a Telegram bot token inside a URL',
      `GET https://api.telegram.org/bot${TELEGRAM}/getUpdates failed`,
      TELEGRAM,
    ],
    ['a JWT', `jwt ${JWT} expired`, JWT],
    ['a long hex run', `hash=${HEX64}`, HEX64],
    ['a base64 secret', `secret material ${BASE64} leaked`, BASE64],
    ['a key= query parameter', 'GET /v1/models?key=AIzaShortish-1 failed', 'AIzaShortish-1'],
    ['a token= query parameter', 'https://x.test/cb?a=1&token=abc123&b=2', 'abc123'],
    ['an api_key JSON field', '{"api_key": "hunter2-secret"}', 'hunter2-secret'],
    ['a password assignment', 'password=correct-horse', 'correct-horse'],
    ['an app_secret field', "app_secret: 'whsec_live_value'", 'whsec_live_value'],
  ];

  it.each(secretCases)('removes %s', (_name, input, secret) => {
    const out = redactSecrets(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  const keepCases: Array<[string, string]> = [
    ['a plain message', 'connection refused by upstream'],
    ['a stack frame path', 'at handler (/work/main/node_modules/fastify/lib/route.js:530:12)'],
    ['an error code', 'FST_ERR_CTP_BODY_TOO_LARGE'],
    ['a UUID request id', 'request 550e8400-e29b-41d4-a716-446655440000 failed'],
    ['a token count', 'max_tokens=1024 exceeded; tokensUsed 12'],
    ['a short numeric pair', 'listening on 127.0.0.1:3000'],
  ];

  it.each(keepCases)('keeps %s readable', (_name, input) => {
    expect(redactSecrets(input)).toBe(input);
  });

  it('keeps the scheme word of an Authorization value', () => {
    expect(redactSecrets(`Bearer ${PAIRED}`)).toBe(`Bearer ${REDACTED}`);
  });
});

describe('describeError', () => {
  it('returns a sanitized single line', () => {
    const err = new Error(`upstream said\n  bad key ${OPENAI}`);
    expect(describeError(err)).toBe(`upstream said bad key ${REDACTED}`);
  });

  it('truncates long messages', () => {
    expect(describeError('x '.repeat(500), 20)).toHaveLength(20);
  });

  it('describes non-Error values without leaking them', () => {
    expect(describeError({ apiKey: OPENAI })).toBe('unknown error');
  });
});
