import type { Logger } from 'pino';
import type { Memory } from '../../memory/types.js';
import type { Observer } from '../../observability/types.js';
import type { NamedStage } from '../types.js';
import { completeExchanges } from './conversation-history.js';
import { timeOrderedUuid } from '../time-ordered-uuid.js';

export interface MemoryStageOptions {
  memory: Memory;
  autoSave: boolean;
  observer: Observer;
  logger: Logger;
}

/**
 * Gives the agent the conversation's recent history and, with auto-save, stores the inbound message
 * while the agent works (its reply held until the message is committed) and the reply as the turn
 * ends. A memory failure is logged and counted but does not cost the user their answer.
 */
export function memoryStage(options: MemoryStageOptions): NamedStage {
  const { memory, autoSave, observer, logger } = options;

  async function safely(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      observer.record({ type: 'Error', component: 'memory', message: `${what} failed` });
      logger.error({ err: error }, `memory ${what} failed`);
    }
  }

  // `backend = "none"` keeps and returns nothing: skip the keys, ids and calls entirely.
  if (memory.backend === 'none') return { name: 'memory', run: (_ctx, next) => next() };

  return {
    name: 'memory',
    run: async function rememberTurn(ctx, next) {
      // The client owns a conversation it sends in full (stateless APIs): nothing to load or keep.
      if (ctx.request.conversation !== undefined) return next();
      const { message } = ctx.request;
      const sessionId = memorySessionId(ctx.agent.name, message.conversationId);
      const window = ctx.agent.historyWindow;
      const readsHistory = window > 0 && ctx.request.freshConversation !== true;
      if (readsHistory) {
        await safely('history', async () => {
          ctx.history = completeExchanges(await memory.history(sessionId, window));
        });
      }
      if (!autoSave) return next();
      const prefix = message.channel === 'api' ? 'webhook' : message.channel;
      const turnId = timeOrderedUuid();
      const questionKey = `${prefix}_msg_${turnId}`;
      // Committed while the agent works, and no reply text reaches the channel (nor does the
      // turn end) before it is: a crash or failure never leaves an answered message that memory
      // does not know about. A failed store is logged and does not hold the turn back.
      const questionStored = safely('store', () =>
        memory.store(questionKey, message.text, 'conversation', sessionId, 'user'),
      );
      const delivered = ctx.reply.holdUntil(questionStored);
      // Settled (rejected only when the channel's sink threw) before this stage returns.
      delivered.catch(() => undefined);
      // A turn without a reply of its own (failed, cancelled, or a duplicate answered earlier)
      // takes its question back out, so history holds only complete exchanges.
      const unstore = async (): Promise<void> => {
        await safely('forget', async () => void (await memory.forget(questionKey)));
      };
      try {
        await next();
        await delivered;
      } catch (error) {
        await delivered.catch(() => undefined);
        await unstore();
        throw error;
      }
      const result = ctx.result;
      if (result === undefined || result.duplicate) {
        await unstore();
        return;
      }
      // A memory read only in this process sees the queued reply in every later read (the next
      // turn's history read included, without committing it), so its commit may come after the
      // answer has left: a crash before it loses the reply, never the question. Another instance
      // could serve the next turn before a shared memory committed it, so there the answer
      // waits (docs/pipeline.md, "memory"). A reply no history read waits for may also wait to
      // share the next message's commit. In a conversation that reads its history it is
      // committed on the next loop turn, while the client reads the answer: sharing the next
      // question's commit would put it on that turn's path, which the answer waits for.
      const inProcess = memory.inProcess === true;
      const replyStored = safely('store', () =>
        memory.store(
          `${prefix}_reply_${turnId}`,
          result.response,
          'conversation',
          sessionId,
          'assistant',
          { deferrable: inProcess && !readsHistory },
        ),
      );
      if (!inProcess) await replyStored;
    },
  };
}

/**
 * The memory session of one agent in one conversation, so two agents never see each other's
 * history. The default agent keeps the bare conversation id (histories stored before agents
 * existed stay visible, and `gatehouse sessions` names stay as they were).
 */
export function memorySessionId(agentName: string, conversationId: string): string {
  return agentName === 'default' ? conversationId : `${conversationId}#agent:${agentName}`;
}
