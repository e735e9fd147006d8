import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import type { ObserverEvent } from '../observability/types.js';
import { gatewayErrorAnswer, reportRequestError } from './error-handler.js';

function report(code: ErrorCode): { levels: number[]; events: ObserverEvent[] } {
  const levels: number[] = [];
  const events: ObserverEvent[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void levels.push(JSON.parse(line).level as number) },
  });
  reportRequestError(
    { logger, observer: { record: (event) => void events.push(event) } },
    {
      error: new Error('cause'),
      gatewayError: new GatewayError(code),
      requestId: 'r-1',
      method: 'GET',
      route: '/x',
    },
  );
  return { levels, events };
}

const DEBUG = 20;
const ERROR = 50;

describe('reportRequestError', () => {
  it.each<[ErrorCode, string, number, boolean]>([
    ['INTERNAL', 'a failure of the gateway', ERROR, true],
    ['STATE_UNAVAILABLE', 'shared state out of reach', ERROR, true],
    ['LLM_REQUEST_FAILED', 'a provider failure', ERROR, true],
    ['SERVICE_UNAVAILABLE', 'a refusal while shutting down', DEBUG, false],
    ['RATE_LIMITED', 'a refusal', DEBUG, false],
    ['AUTH_INVALID_TOKEN', 'a refusal', DEBUG, false],
  ])('%s (%s): logged at level %i, error event %s', (code, _what, level, event) => {
    const { levels, events } = report(code);
    expect(levels).toEqual([level]);
    expect(events.some((recorded) => recorded.type === 'Error')).toBe(event);
  });
});

describe('gatewayErrorAnswer', () => {
  // Closed after the answer: refusals that may leave a body unread on the socket, and the
  // shutdown refusal, whose client had better go elsewhere. Every other answer keeps it open.
  it.each<[ErrorCode, number, string | undefined]>([
    ['REQUEST_TIMEOUT', 408, 'close'],
    ['PAYLOAD_TOO_LARGE', 413, 'close'],
    ['HEADERS_TOO_LARGE', 431, 'close'],
    ['TOO_MANY_REQUESTS', 429, 'close'],
    ['SERVICE_UNAVAILABLE', 503, 'close'],
    ['AUTH_INVALID_TOKEN', 401, undefined],
    ['NOT_FOUND', 404, undefined],
    ['INTERNAL', 500, undefined],
  ])('%s answers %i with connection: %s', (code, status, connection) => {
    const answer = gatewayErrorAnswer(new GatewayError(code), 'r-1');
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe(connection);
  });

  it('gives Retry-After from the error, and its own headers in lower case', () => {
    const error = new GatewayError('TOO_MANY_REQUESTS', {
      extra: { retry_after: 7 },
      headers: { 'RateLimit-Policy': '10;w=60' },
    });
    expect(gatewayErrorAnswer(error, 'r-1').headers).toEqual({
      'retry-after': '7',
      'ratelimit-policy': '10;w=60',
      connection: 'close',
    });
  });

  it('adds the request id to a 5xx body of the gateway shape only', () => {
    const failed = new GatewayError('INTERNAL');
    expect(gatewayErrorAnswer(failed, 'r-9').body).toEqual({
      ...failed.toBody(),
      request_id: 'r-9',
    });
    expect(gatewayErrorAnswer(new GatewayError('NOT_FOUND'), 'r-9').body).not.toHaveProperty(
      'request_id',
    );
    expect(gatewayErrorAnswer(failed, 'r-9', 'openai').body).toEqual({
      error: { message: failed.message, type: 'api_error', param: null, code: 'internal' },
    });
  });

  it('closes the connection on answers of the OpenAI shape as on those of the gateway', () => {
    const answer = gatewayErrorAnswer(new GatewayError('SERVICE_UNAVAILABLE'), 'r-1', 'openai');
    expect(answer.headers.connection).toBe('close');
  });
});
