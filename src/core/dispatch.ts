import { composeStages } from './compose.js';
import type { AgentRouter } from './router.js';
import type { Dispatch, NamedStage, Stage, TurnContext } from './types.js';
import { GatewayError } from '../errors.js';

export interface DispatchOptions {
  /** Run before the agent, in order (idempotency, memory, audit, content filter...). */
  inbound: readonly NamedStage[];
  /** Run after the agent on the way out, in order. */
  outbound: readonly NamedStage[];
  router: AgentRouter;
  agent: Stage;
}

/**
 * The core dispatch every channel calls: inbound stages → route → agent → outbound stages.
 * Outbound stages wrap only the agent step, so they see the result and run after it.
 */
export function createDispatch(options: DispatchOptions): Dispatch {
  const withOutbound = composeStages(options.outbound, options.agent);
  const run = composeStages(options.inbound, (ctx) => withOutbound(ctx));

  return async function dispatch(request) {
    request.signal.throwIfAborted();
    const ctx: TurnContext = { request, agent: options.router(request.message), history: [] };
    await run(ctx);
    if (ctx.result === undefined) {
      throw new GatewayError('INTERNAL', {
        cause: new Error('pipeline finished without a result'),
      });
    }
    return ctx.result;
  };
}
