import { describe, it, expect } from 'vitest';
import { generatePairedToken } from '../auth/paired-tokens.js';
import { createLogger, serializeError } from './logger.js';
import { REDACTED } from './redact.js';

const OPENAI = 'sk-proj-Q2x8Lm4Np7Rs1Tv5Wy9Zb3Cd6Fg0Hj';
const PAIRED = `gth_${'0123456789abcdef'.repeat(4)}`;
const BOT = '7123456789:AAHk3vZ_q9XyT0pLmN4bR8sWcE1dF2gH3jK';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes JSON lines to the destination', () => {
    const { lines, logger } = capture();
    logger.info({ component: 'gateway' }, 'started');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'started', component: 'gateway', level: 30 });
  });

  const headerCases: Array<[string, string]> = [
    ['authorization', `Bearer ${PAIRED}`],
    ['x-pairing-code', '482913'],
    ['x-webhook-secret', 'my-webhook-secret-value'],
    ['x-hub-signature-256', `sha256=${'ab'.repeat(32)}`],
    ['x-slack-signature', `v0=${'cd'.repeat(32)}`],
    ['x-telegram-bot-api-secret-token', 'telegram-secret-value-1'],
    ['cookie', 'session=abcdef'],
    ['x-admin-secret', 'c0ffee'.repeat(10)],
  ];

  it.each(headerCases)('redacts the %s header under req.headers', (name, value) => {
    const { lines, logger } = capture();
    logger.info({ req: { method: 'POST', headers: { [name]: value, 'x-ok': 'visible' } } });
    const line = lines[0] ?? '';
    expect(line).not.toContain(value);
    expect(line).toContain(REDACTED);
    expect(line).toContain('visible');
  });

  it('redacts capitalized header names and top-level headers', () => {
    const { lines, logger } = capture();
    logger.info({ headers: { Authorization: `Bearer ${PAIRED}`, 'X-Webhook-Secret': 'abcd1' } });
    expect(lines[0]).not.toContain(PAIRED);
    expect(lines[0]).not.toContain('abcd1');
  });

  const fieldCases = [
    'token',
    'api_key',
    'apiKey',
    'secret',
    'password',
    'access_token',
    'bot_token',
    'app_secret',
    'jwt_secret',
  ];

  it.each(fieldCases)('redacts a field named %s at any depth up to three levels', (field) => {
    const { lines, logger } = capture();
    const value = `value-of-${field}`;
    logger.info({
      [field]: value,
      a: { [field]: value, b: { [field]: value, c: { [field]: value } } },
    });
    expect(lines[0]).not.toContain(value);
  });

  it('scrubs secrets from message strings', () => {
    const { lines, logger } = capture();
    logger.warn(`provider rejected key ${OPENAI}`);
    expect(lines[0]).not.toContain(OPENAI);
    expect(lines[0]).toContain(REDACTED);
  });

  it('prints neither the message nor the cause secret of a logged error', () => {
    const { lines, logger } = capture();
    const cause = new Error(`GET https://api.telegram.org/bot${BOT}/getMe failed`);
    const err = new Error(`upstream 401 for Authorization: Bearer ${PAIRED} key ${OPENAI}`, {
      cause,
    });
    logger.error({ err }, 'provider call failed');
    logger.error(err);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(PAIRED);
      expect(line).not.toContain(OPENAI);
      expect(line).not.toContain(BOT);
      expect(line).toContain('"cause"');
    }
  });

  it('scrubs a paired token from a message string', () => {
    const { lines, logger } = capture();
    logger.info(`token was ${generatePairedToken()}`);
    expect(lines[0]).not.toMatch(/gth_[0-9a-f]/);
    expect(lines[0]).toContain(`token was ${REDACTED}`);
  });

  it('drops enumerable error properties that could carry credentials', () => {
    const err = Object.assign(new Error('request failed'), {
      code: 'ECONNRESET',
      config: { headers: { authorization: `Bearer ${PAIRED}` } },
    });
    const out = serializeError(err) as Record<string, unknown>;
    expect(out.code).toBe('ECONNRESET');
    expect(out).not.toHaveProperty('config');
    expect(JSON.stringify(out)).not.toContain(PAIRED);
  });
});
