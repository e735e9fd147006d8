import { describe, expect, it } from 'vitest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OnRequestGuard } from '../../http/route-types.js';
import { chainGuards } from './guard-chain.js';

const request = {} as FastifyRequest;
const reply = {} as FastifyReply;

type Step = 'pass' | 'refuse' | 'throw' | 'later';

/** Runs a chain of guards behaving as `steps`; resolves with the guards that ran and the outcome. */
function run(steps: readonly Step[]): Promise<{ ran: number[]; error: string | undefined }> {
  const ran: number[] = [];
  const guards = steps.map((step, index): OnRequestGuard => (_request, _reply, done) => {
    ran.push(index);
    if (step === 'pass') done();
    else if (step === 'refuse') done(new Error(`refused by ${index}`));
    else if (step === 'later') setImmediate(() => done());
    else throw new Error(`thrown by ${index}`);
  });
  return new Promise((resolve) => {
    let calls = 0;
    chainGuards(guards)(request, reply, (error?: Error) => {
      calls += 1;
      if (calls > 1) throw new Error('done called twice');
      resolve({ ran, error: error?.message });
    });
  });
}

describe('chainGuards', () => {
  it.each<{ case: string; steps: Step[]; ran: number[]; error?: string }>([
    { case: 'no guards', steps: [], ran: [] },
    { case: 'every guard passes', steps: ['pass', 'pass', 'pass'], ran: [0, 1, 2] },
    { case: 'a guard passes later', steps: ['pass', 'later', 'pass'], ran: [0, 1, 2] },
    {
      case: 'the first guard refuses',
      steps: ['refuse', 'pass'],
      ran: [0],
      error: 'refused by 0',
    },
    {
      case: 'a middle guard refuses',
      steps: ['pass', 'refuse', 'pass'],
      ran: [0, 1],
      error: 'refused by 1',
    },
    {
      case: 'a guard refuses after one that passed later',
      steps: ['later', 'refuse'],
      ran: [0, 1],
      error: 'refused by 1',
    },
    {
      case: 'a guard throws',
      steps: ['pass', 'throw', 'pass'],
      ran: [0, 1],
      error: 'thrown by 1',
    },
  ])('$case', async ({ steps, ran, error }) => {
    await expect(run(steps)).resolves.toEqual({ ran, error });
  });
});
