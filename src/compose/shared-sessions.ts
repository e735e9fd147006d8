import type { Logger } from 'pino';
import * as z from 'zod';
import { CLOSE_CODES } from '../channels/web/close-codes.js';
import type {
  SessionDirectory,
  SessionInfo,
  SessionRegistry,
} from '../channels/web/session-registry.js';
import type { Scheduler } from '../runtime/types.js';
import type { StateEvents } from '../state/state-events.js';
import type { StateStore } from '../state/types.js';

/** StateStore namespace of live sessions of every instance (keyed by session id). */
export const SESSIONS_NAMESPACE = 'ws-sessions';
/** Event channel asking the instance that holds a session to close it. */
export const SESSION_KILL_CHANNEL = 'session-kill';
/** Entries are re-written this often; one whose instance died disappears after the TTL. */
const REFRESH_MS = 30_000;
const ENTRY_TTL_MS = 90_000;

const infoSchema = z.object({
  session_id: z.string(),
  principal_id: z.string(),
  principal_kind: z.string(),
  jti: z.string().optional(),
  channel: z.literal('web'),
  agent: z.string(),
  client_key: z.string(),
  connected_at: z.string(),
  expires_at: z.string().optional(),
  instance_id: z.string(),
});

export interface SharedSessionsOptions {
  store: StateStore;
  events: StateEvents;
  instanceId: string;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * Makes `sessions list|kill` see every instance: each instance writes its live sessions to the
 * shared store (with its instance id) and closes a session of its own when another instance
 * publishes a kill for it. Returns the wrapper the web channel applies to its local registry.
 */
export async function shareSessions(
  options: SharedSessionsOptions,
): Promise<(local: SessionRegistry) => { registry: SessionRegistry; directory: SessionDirectory }> {
  const { store, events, instanceId, logger } = options;
  store.declareNamespace(SESSIONS_NAMESPACE, { durable: false, maxKeys: 1_000_000 });
  let local: SessionRegistry | undefined;
  const warn = (error: unknown): void => {
    logger.warn({ err: error }, 'could not update the shared session list');
  };
  const publish = (info: SessionInfo): Promise<void> =>
    store.set(
      SESSIONS_NAMESPACE,
      info.session_id,
      JSON.stringify({ ...info, instance_id: instanceId }),
      ENTRY_TTL_MS,
    );

  await events.subscribe(SESSION_KILL_CHANNEL, (sessionId) => {
    local?.close(sessionId, CLOSE_CODES.KILLED, 'killed by operator');
  });
  options.scheduler.every('shared-sessions', REFRESH_MS, async () => {
    for (const info of local?.list() ?? []) await publish(info);
  });

  return (registry) => {
    local = registry;
    const wrapped: SessionRegistry = {
      ...registry,
      add(session) {
        registry.add(session);
        publish(session.info).catch(warn);
      },
      remove(sessionId) {
        registry.remove(sessionId);
        store.delete(SESSIONS_NAMESPACE, sessionId).catch(warn);
      },
    };
    const directory: SessionDirectory = {
      async list() {
        const entries = await store.list(SESSIONS_NAMESPACE);
        return entries.flatMap((entry) => {
          const parsed = infoSchema.safeParse(safeJson(entry.value));
          return parsed.success ? [parsed.data] : [];
        });
      },
      async kill(sessionId) {
        if (registry.close(sessionId, CLOSE_CODES.KILLED, 'killed by operator')) return true;
        if ((await store.get(SESSIONS_NAMESPACE, sessionId)) === undefined) return false;
        await events.publish(SESSION_KILL_CHANNEL, sessionId);
        return true;
      },
    };
    return { registry: wrapped, directory };
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A damaged entry is left out of the list rather than failing it.
    return undefined;
  }
}
