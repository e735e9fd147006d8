import type { HookHandlerDoneFunction } from 'fastify';
import type { OnRequestGuard } from '../../http/route-types.js';

/**
 * Runs onRequest guards in order as one Fastify hook; the first that passes an error to its
 * `done` ends the chain, and the request is answered with that error as if the guard were a hook
 * of its own. One hook rather than one per guard: Fastify's hook runner adds a step per hook and
 * request, and this chain runs on every request the gateway answers.
 */
export function chainGuards(guards: readonly OnRequestGuard[]): OnRequestGuard {
  return function guardChain(request, reply, done) {
    let index = 0;
    const next: HookHandlerDoneFunction = (error?: Error) => {
      if (error !== undefined && error !== null) {
        done(error);
        return;
      }
      const guard = guards[index++];
      if (guard === undefined) {
        done();
        return;
      }
      try {
        guard(request, reply, next);
      } catch (thrown) {
        // As Fastify does for a hook that throws: the request is answered with the error.
        done(thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    };
    next();
  };
}
