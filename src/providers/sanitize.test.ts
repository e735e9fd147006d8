import { describe, expect, it } from 'vitest';
import { generatePairedToken } from '../auth/paired-tokens.js';
import { MAX_SANITIZED_LENGTH, REDACTED, sanitizeProviderError } from './sanitize.js';

// Real-looking but fake credentials, in the formats each vendor issues.
const OPENAI_LEGACY = 'sk-9fQ2mXcV7LpR4tYh8KdN3wJz6BvA1sEgUoPi5HyTqWr0xCnM';
const OPENAI_PROJECT =
  'sk-proj-Xk29Qm7Lr4Vt8Np3Ws6Yh1Bd5Fg0Jc2ZaQe9Ru7Io4Tx8Kv3Ln6Mb1Pz5Sd0Gh2Wf7Yj4Ck9Ea3Hu6Rq';
const ANTHROPIC =
  'sk-ant-api03-Qw8Er4Ty7Ui1Op5As9Df3Gh6Jk2Lz0Xc8Vb4Nm7Qa1Ws5Ed9Rf3Tg6Yh2Uj0Ik-Lo8Pa4AA';
const OPENROUTER = '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';
const PAIRED = generatePairedToken();
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxOTAwMDAwMDAwfQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const HEX_SECRET = '4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e6b3d0f5a';
const BASE64_SECRET = 'q2V9xL4mT8sR1nP6wK3zB7yH0dF5jG2cA9uE4iO8';
const CUSTOM_KEY = 'ollama-local-key-2024';

interface Case {
  name: string;
  input: string;
  secrets: string[];
  known?: string[];
  keeps: string[];
}

const redactionCases: Case[] = [
  {
    name: 'an OpenAI legacy key in an upstream message',
    input: `Incorrect API key provided: ${OPENAI_LEGACY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    secrets: [OPENAI_LEGACY],
    keeps: ['Incorrect API key provided:', 'https://platform.openai.com/account/api-keys'],
  },
  {
    name: 'an OpenAI project key',
    input: `openai API error 401 (invalid_api_key): key ${OPENAI_PROJECT} is not valid`,
    secrets: [OPENAI_PROJECT, 'Xk29Qm7Lr4'],
    keeps: ['openai API error 401 (invalid_api_key): key', 'is not valid'],
  },
  {
    name: 'an Anthropic key',
    input: `anthropic API error 401 (authentication_error): invalid x-api-key ${ANTHROPIC}`,
    secrets: [ANTHROPIC],
    keeps: ['anthropic API error 401 (authentication_error): invalid x-api-key'],
  },
  {
    name: 'an OpenRouter key',
    input: `No auth credentials found for ${OPENROUTER} (code 401)`,
    secrets: [OPENROUTER],
    keeps: ['No auth credentials found for', '(code 401)'],
  },
  {
    name: 'a Bearer authorization value of any shape',
    input: 'request headers: Authorization: Bearer abc.def-123_xyz, accept: */*',
    secrets: ['abc.def-123_xyz'],
    keeps: ['Authorization: Bearer', 'accept: */*'],
  },
  {
    name: 'an x-api-key header value',
    input: 'sent x-api-key: short-key-1 and got 401',
    secrets: ['short-key-1'],
    keeps: ['x-api-key:', 'and got 401'],
  },
  {
    name: 'a JSON x-api-key value',
    input: '{"x-api-key": "tiny-key-9", "status": 401}',
    secrets: ['tiny-key-9'],
    keeps: ['"status": 401'],
  },
  {
    name: 'key= and api_key= in URLs',
    input:
      'GET https://generativelanguage.example/v1/models?key=AIzaFakeKey123&alt=json and https://x.example/a?api_key=s3cr3t-value failed',
    secrets: ['AIzaFakeKey123', 's3cr3t-value'],
    keeps: ['https://generativelanguage.example/v1/models?key=', '&alt=json', 'failed'],
  },
  {
    name: 'a JSON api_key field',
    input: 'body was {"api_key":"plain text pass","model":"gpt-4o-mini"}',
    secrets: ['plain text pass'],
    keeps: ['"model":"gpt-4o-mini"'],
  },
  {
    name: 'a paired gateway token',
    input: `token ${PAIRED} rejected`,
    secrets: [PAIRED],
    keeps: ['token', 'rejected'],
  },
  {
    name: 'the password of a base_url with userinfo, as undici quotes it',
    input:
      'openai request failed: Request cannot be constructed from a URL that includes credentials: https://user:hunter2@llm.example/v1/chat/completions',
    secrets: ['hunter2'],
    keeps: ['openai request failed', 'https://user:', '@llm.example/v1/chat/completions'],
  },
  {
    name: 'a JWT',
    input: `upstream said: session ${JWT} expired`,
    secrets: [JWT, 'eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxOTAwMDAwMDAwfQ'],
    keeps: ['upstream said: session', 'expired'],
  },
  {
    name: 'a long hex run',
    input: `signature ${HEX_SECRET} mismatch`,
    secrets: [HEX_SECRET],
    keeps: ['signature', 'mismatch'],
  },
  {
    name: 'a long base64 run',
    input: `credential=${BASE64_SECRET}`,
    secrets: [BASE64_SECRET],
    keeps: ['credential='],
  },
  {
    name: 'the configured key passed as a known secret, whatever its format',
    input: `backend rejected ${CUSTOM_KEY} for model llama3`,
    secrets: [CUSTOM_KEY],
    known: [CUSTOM_KEY],
    keeps: ['backend rejected', 'for model llama3'],
  },
];

describe('sanitizeProviderError removes secrets and keeps the useful text', () => {
  it.each(redactionCases)('removes $name', ({ input, secrets, known, keeps }) => {
    const out = sanitizeProviderError(input, known);
    for (const secret of secrets) expect(out).not.toContain(secret);
    for (const kept of keeps) expect(out).toContain(kept);
    expect(out).toContain(REDACTED);
  });
});

describe('sanitizeProviderError leaves ordinary error text alone', () => {
  it.each([
    'openai API error 429 (rate_limit_exceeded): Rate limit reached for gpt-4o-mini in organization',
    'anthropic API error 529 (overloaded_error): Overloaded',
    'connect ECONNREFUSED 127.0.0.1:11434',
    'The model `meta-llama/Llama-3.3-70B-Instruct-Turbo` does not exist',
    'see https://docs.anthropic.com/en/api/errors for details',
    'model claude-sonnet-4-5-20250929 is not available',
  ])('keeps %j unchanged', (input) => {
    expect(sanitizeProviderError(input)).toBe(input);
  });
});

describe('sanitizeProviderError bounds and flattens its output', () => {
  it('truncates long messages after redacting, so a cut never exposes part of a key', () => {
    const input = `${'x'.repeat(MAX_SANITIZED_LENGTH - 20)} ${OPENAI_PROJECT} ${'y'.repeat(1000)}`;
    const out = sanitizeProviderError(input);
    expect(out.length).toBeLessThanOrEqual(MAX_SANITIZED_LENGTH);
    expect(out).not.toContain('sk-proj');
    expect(out).toContain(REDACTED);
  });

  it('replaces control characters so one error stays one log line', () => {
    expect(sanitizeProviderError('bad\r\nINFO forged line\u0007')).toBe('bad INFO forged line');
  });

  it('ignores very short known secrets instead of shredding ordinary words', () => {
    expect(sanitizeProviderError('the model is busy', ['is'])).toBe('the model is busy');
  });

  it('removes a known secret that contains another known secret as a whole', () => {
    const out = sanitizeProviderError('value outer-secret-value-1 end', [
      'secret-value',
      'outer-secret-value-1',
    ]);
    expect(out).toBe(`value ${REDACTED} end`);
  });
});
