import { describe, it, expect } from 'vitest';
import { generatePairedToken } from '../auth/paired-tokens.js';
import {
  describeError,
  MAX_REDACT_INPUT,
  REDACTED,
  redactSecrets,
  TRUNCATED_MARKER,
} from './redact.js';

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
    ['a dashed model id', 'model accounts/fireworks/models/llama-v3p1-405b-instruct not found'],
    ['a URL without a password', 'GET https://user@llm.example/v1/chat failed'],
  ];

  it.each(keepCases)('keeps %s readable', (_name, input) => {
    expect(redactSecrets(input)).toBe(input);
  });

  it('removes a freshly generated paired token (gth_ + 64 hex) from free text', () => {
    const token = generatePairedToken();
    expect(redactSecrets(`token was ${token}`)).toBe(`token was ${REDACTED}`);
    expect(redactSecrets(`{"token":"${token}"}`)).not.toContain(token.slice(4, 20));
  });

  it('removes the password of a URL and keeps the rest of it', () => {
    const input =
      'Request cannot be constructed from a URL that includes credentials: https://user:hunter2@llm.example/v1';
    expect(redactSecrets(input)).toBe(
      `Request cannot be constructed from a URL that includes credentials: https://user:${REDACTED}@llm.example/v1`,
    );
  });

  it('removes a URL password that itself contains an @', () => {
    const out = redactSecrets('GET https://bob:p@ss@host.example/x failed');
    expect(out).toBe(`GET https://bob:${REDACTED}@host.example/x failed`);
  });

  it('removes a whole quoted JSON secret value, spaces included', () => {
    const out = redactSecrets('body {"api_key": "correct horse battery", "model": "m"}');
    expect(out).toBe(`body {"api_key": "${REDACTED}", "model": "m"}`);
  });

  it('removes a long lower-case key with digits', () => {
    const key = 'k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8o9';
    expect(redactSecrets(`key ${key} refused`)).toBe(`key ${REDACTED} refused`);
  });

  it('replaces known secrets verbatim, the longest first', () => {
    expect(redactSecrets('a outer-inner-x b inner c', ['inner', 'outer-inner-x'])).toBe(
      `a ${REDACTED} b ${REDACTED} c`,
    );
  });

  it('keeps the scheme word of an Authorization value', () => {
    expect(redactSecrets(`Bearer ${PAIRED}`)).toBe(`Bearer ${REDACTED}`);
  });
});

describe('redactSecrets on large and adversarial input', () => {
  // Each of these made an unbounded pattern backtrack quadratically; at 1 MB that is minutes,
  // far past the test timeout, so finishing at all shows the input is capped and bounded.
  const adversarial: Array<[string, string]> = [
    ['dash-separated letters', 'a-'.repeat(500_000)],
    ['JWT-like headers without dots', 'eyJ-'.repeat(250_000)],
    ['field names without a value', 'api_key '.repeat(125_000)],
    ['URL schemes without userinfo', 'a://b:'.repeat(170_000)],
  ];

  it.each(adversarial)('cuts 1 MB of %s to a bounded, marked prefix', (_name, input) => {
    const out = redactSecrets(input);
    expect(out.endsWith(TRUNCATED_MARKER)).toBe(true);
    expect(out.length).toBeLessThanOrEqual(MAX_REDACT_INPUT + TRUNCATED_MARKER.length);
    expect(out.length).toBeGreaterThan(MAX_REDACT_INPUT / 2);
  });

  it('still redacts secrets in the kept part of a long text', () => {
    const out = redactSecrets(`key ${OPENAI} ${'word '.repeat(100_000)}`);
    expect(out.startsWith(`key ${REDACTED} word`)).toBe(true);
    expect(out).not.toContain(OPENAI);
  });

  it('never leaves the prefix of a secret that the length cut falls into', () => {
    const padding = 'x '.repeat(MAX_REDACT_INPUT / 2 - 4);
    const out = redactSecrets(`${padding}Bearer ${OPENAI} tail`);
    expect(out).not.toContain('sk-');
    expect(out).not.toContain(OPENAI.slice(0, 6));
    expect(out.endsWith(TRUNCATED_MARKER)).toBe(true);
  });

  it('never leaves the prefix of a known secret that the length cut falls into', () => {
    const secret = 'plain-words-but-configured-secret';
    const out = redactSecrets(`${'y'.repeat(MAX_REDACT_INPUT - 5)}${secret}`, [secret]);
    expect(out).not.toContain('plain');
  });

  it('leaves text up to the limit whole', () => {
    const input = 'z '.repeat(MAX_REDACT_INPUT / 2);
    expect(redactSecrets(input)).toBe(input);
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
