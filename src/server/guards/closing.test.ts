import { describe, expect, it } from 'vitest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import { refuseWhileClosing } from './closing.js';

function run(closing: boolean): unknown[] {
  const calls: unknown[][] = [];
  refuseWhileClosing(() => closing)({} as FastifyRequest, {} as FastifyReply, (...args) => {
    calls.push(args);
  });
  expect(calls).toHaveLength(1);
  return calls[0] as unknown[];
}

describe('refuseWhileClosing', () => {
  it('lets a request through while the server is not closing', () => {
    expect(run(false)).toEqual([]);
  });

  it('refuses a request with SERVICE_UNAVAILABLE once the server is closing', () => {
    const [error] = run(true);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });
});
