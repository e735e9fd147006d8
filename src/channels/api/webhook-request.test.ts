import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import {
  hashWebhookSecret,
  parseSessionId,
  parseWebhookBody,
  verifyWebhookSecret,
} from './webhook-request.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof GatewayError ? error.code : 'not-a-gateway-error';
  }
}

describe('parseWebhookBody', () => {
  it.each([
    ['valid message', '{"message":"hello"}', undefined],
    ['message with surrounding space', '{"message":"  hi  "}', undefined],
    ['not JSON', 'message=hello', 'INVALID_JSON'],
    ['empty body', '', 'INVALID_JSON'],
    ['empty message', '{"message":""}', 'INVALID_BODY'],
    ['whitespace-only message', '{"message":"   "}', 'INVALID_BODY'],
    ['message not a string', '{"message":42}', 'INVALID_BODY'],
    ['missing message', '{"text":"hello"}', 'INVALID_BODY'],
    ['extra field', '{"message":"hi","model":"gpt-9"}', 'INVALID_BODY'],
    ['array body', '["hello"]', 'INVALID_BODY'],
    ['null body', 'null', 'INVALID_BODY'],
    ['string body', '"hello"', 'INVALID_BODY'],
    ['number body', '42', 'INVALID_BODY'],
    ['empty object', '{}', 'INVALID_BODY'],
    ['message null', '{"message":null}', 'INVALID_BODY'],
    ['message an object', '{"message":{"text":"hi"}}', 'INVALID_BODY'],
    [
      'a __proto__ field beside the message',
      '{"__proto__":{"x":1},"message":"hi"}',
      'INVALID_BODY',
    ],
    ['only a __proto__ field', '{"__proto__":{"message":"hi"}}', 'INVALID_BODY'],
    ['the message twice (the last one counts)', '{"message":"","message":"hi"}', undefined],
    ['unicode whitespace only', '{"message":"\\u00a0\\u2003"}', 'INVALID_BODY'],
  ])('%s → %s', (_name, body, expected) => {
    expect(codeOf(() => parseWebhookBody(Buffer.from(body)))).toBe(expected);
  });

  it('returns the message as sent, surrounding space kept', () => {
    expect(parseWebhookBody(Buffer.from('{"message":"  hi  "}'))).toEqual({ message: '  hi  ' });
  });

  it('names the expected shape in the 400 message', () => {
    expect(() => parseWebhookBody(Buffer.from('{"msg":"x"}'))).toThrow(
      '{"message": "<non-empty text>"}',
    );
  });
});

describe('parseSessionId', () => {
  it.each([
    ['absent', undefined, undefined],
    ['simple', 'chat-1', undefined],
    ['all allowed characters', 'A.z_0-9', undefined],
    ['128 characters', 'a'.repeat(128), undefined],
    ['129 characters', 'a'.repeat(129), 'INVALID_HEADER'],
    ['empty', '', 'INVALID_HEADER'],
    ['slash', 'a/b', 'INVALID_HEADER'],
    ['space', 'a b', 'INVALID_HEADER'],
    ['colon (would forge a scoped key)', 'api:other', 'INVALID_HEADER'],
  ])('%s → %s', (_name, header, expected) => {
    expect(codeOf(() => parseSessionId(header))).toBe(expected);
  });
});

describe('verifyWebhookSecret', () => {
  const hash = hashWebhookSecret('s3cret-value');
  it.each([
    ['no secret configured, no header', undefined, undefined, true],
    ['no secret configured, any header', undefined, 'whatever', true],
    ['configured, right header', hash, 's3cret-value', true],
    ['configured, missing header', hash, undefined, false],
    ['configured, empty header', hash, '', false],
    ['configured, wrong header', hash, 's3cret-valuf', false],
    ['configured, prefix of secret', hash, 's3cret', false],
    ['configured, secret plus suffix', hash, 's3cret-value ', false],
    ['configured, the stored digest itself as header', hash, hash.toString('hex'), false],
    ['stored value not a SHA-256 digest', Buffer.from('s3cret-value'), 's3cret-value', false],
  ])('%s → %s', (_name, expected, header, ok) => {
    expect(verifyWebhookSecret(expected, header)).toBe(ok);
  });
});
