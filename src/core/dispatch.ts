import { composeStages } from './compose.js';
import { createReplyStream } from './reply-stream.js';
import type { AgentRouter } from './router.js';
import type {
  Dispatch,
  NamedStage,
  ReplyStream,
  ReplyTransform,
  Stage,
  TurnContext,
} from './types.js';
import { GatewayError } from '../errors.js';

export interface DispatchOptions {
  /** Run before the agent, in order (idempotency, memory, audit, content filter...). */
  inbound: readonly NamedStage[];
  /** Run after the agent on the way out, in order; their reply transforms see every delta. */
  outbound: readonly NamedStage[];
  router: AgentRouter;
  agent: Stage;
}

/**
 * The core dispatch every channel calls: route → inbound stages → agent → outbound stages.
 * Routing runs first, on the text as received, so every stage knows the chosen agent. The agent
 * step writes its reply (streamed or whole) into `ctx.reply`, which passes through the outbound
 * stages' transforms before any byte reaches the channel's `onDelta`.
 */
export function createDispatch(options: DispatchOptions): Dispatch {
  const withOutbound = composeStages(options.outbound, options.agent);
  const run = composeStages(options.inbound, (ctx) => withOutbound(ctx));
  return async function dispatch(request) {
    request.signal.throwIfAborted();
    const routed = options.router(request.message, request.principal, request.agent);
    request.onRouted?.(routed.agent.name);
    const ctx: TurnContext = {
      request,
      agent: routed.agent,
      history: [],
      reply: NO_REPLY_YET,
    };
    if (routed.ruleIndex !== undefined) ctx.ruleIndex = routed.ruleIndex;
    ctx.reply = createReplyStream(replyTransforms(options.outbound, ctx), request.onDelta);
    await run(ctx);
    const result = ctx.result;
    if (result === undefined) {
      throw new GatewayError('INTERNAL', {
        cause: new Error('pipeline finished without a result'),
      });
    }
    // The result was made for this turn (by the agent step or a replaying stage): named in place.
    result.agent = ctx.agent.name;
    return result;
  };
}

/**
 * Stands in for the turn's reply stream while the outbound transforms are made: they may close
 * over the context but must not write before the turn starts.
 */
const NO_REPLY_YET: ReplyStream = {
  write() {
    throw new Error('reply written before the turn started');
  },
  end() {
    throw new Error('reply ended before the turn started');
  },
  holdUntil() {
    throw new Error('reply held before the turn started');
  },
};

function replyTransforms(stages: readonly NamedStage[], ctx: TurnContext): ReplyTransform[] {
  return stages.flatMap((stage) => {
    const transform = stage.transformReply?.(ctx);
    return transform === undefined ? [] : [transform];
  });
}
