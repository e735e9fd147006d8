import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import type { ObserverEvent } from '../observability/types.js';
import { reportRequestError } from './error-handler.js';

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
