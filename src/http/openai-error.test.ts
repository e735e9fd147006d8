import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { toOpenAiError } from './openai-error.js';

describe('toOpenAiError', () => {
  it.each<[ErrorCode, number, string]>([
    ['INVALID_BODY', 400, 'invalid_request_error'],
    ['INVALID_JSON', 400, 'invalid_request_error'],
    ['AUTH_MISSING_TOKEN', 401, 'authentication_error'],
    ['AUTH_INVALID_TOKEN', 401, 'authentication_error'],
    ['AUTH_INSUFFICIENT_SCOPE', 403, 'permission_error'],
    ['ORIGIN_FORBIDDEN', 403, 'permission_error'],
    ['MODEL_NOT_FOUND', 404, 'not_found_error'],
    ['PAYLOAD_TOO_LARGE', 413, 'invalid_request_error'],
    ['CONTENT_BLOCKED', 422, 'invalid_request_error'],
    ['RATE_LIMITED', 429, 'rate_limit_error'],
    ['INTERNAL', 500, 'api_error'],
    ['LLM_REQUEST_FAILED', 502, 'api_error'],
  ])('maps %s to %i %s', (code, status, type) => {
    const { status: mapped, body } = toOpenAiError(new GatewayError(code));
    expect(mapped).toBe(status);
    expect(body.error).toMatchObject({ type, code: code.toLowerCase(), param: null });
  });

  it('names the field at fault when the error carries one', () => {
    const error = new GatewayError('INVALID_BODY', { message: 'bad', extra: { param: 'model' } });
    expect(toOpenAiError(error).body).toEqual({
      error: {
        message: 'bad',
        type: 'invalid_request_error',
        param: 'model',
        code: 'invalid_body',
      },
    });
  });
});
