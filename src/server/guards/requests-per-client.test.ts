import { describe, expect, it } from 'vitest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventEmitter } from 'node:events';
import { limitRequestsPerClient } from './requests-per-client.js';

function begin(limiter: ReturnType<typeof limitRequestsPerClient>, clientKey: string) {
  const raw = new EventEmitter();
  const request = { clientKey } as FastifyRequest;
  const reply = { raw } as unknown as FastifyReply;
  const started = new Promise<void>((resolve, reject) => {
    limiter.hook(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
  });
  return { started, finish: () => raw.emit('close') };
}

describe('limitRequestsPerClient', () => {
  it('refuses a client at its cap with 429 and lets it in again once a request closes', async () => {
    const limiter = limitRequestsPerClient(1);
    const first = begin(limiter, 'a');
    await first.started;
    await expect(begin(limiter, 'a').started).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    await expect(begin(limiter, 'b').started).resolves.toBeUndefined();
    first.finish();
    await expect(begin(limiter, 'a').started).resolves.toBeUndefined();
  });

  it('frees a slot once however often its response reports close', async () => {
    const limiter = limitRequestsPerClient(2);
    const first = begin(limiter, 'a');
    await first.started;
    await begin(limiter, 'a').started;
    first.finish();
    first.finish();
    // The second request still holds its slot: one more fits, two do not.
    await expect(begin(limiter, 'a').started).resolves.toBeUndefined();
    await expect(begin(limiter, 'a').started).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it.each([
    { case: 'nobody has a request in progress', max: 2, held: [], client: 'a', may: true },
    { case: 'the client is under its cap', max: 2, held: ['a'], client: 'a', may: true },
    { case: 'the client is at its cap', max: 2, held: ['a', 'a'], client: 'a', may: false },
    { case: 'another client is at its cap', max: 2, held: ['b', 'b'], client: 'a', may: true },
    { case: 'the cap is zero', max: 0, held: [], client: 'a', may: false },
  ])('mayStart when $case → $may', async ({ max, held, client, may }) => {
    const limiter = limitRequestsPerClient(max);
    for (const key of held) await begin(limiter, key).started;
    expect(limiter.mayStart(() => client)).toBe(may);
  });

  it('derives the client key for mayStart only when some request is in progress', async () => {
    const limiter = limitRequestsPerClient(1);
    let derived = 0;
    const keyOf = () => (derived++, 'a');
    expect(limiter.mayStart(keyOf)).toBe(true);
    expect(derived).toBe(0);
    await begin(limiter, 'b').started;
    expect(limiter.mayStart(keyOf)).toBe(true);
    expect(derived).toBe(1);
  });
});
