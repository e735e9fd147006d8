import { memorySessionId } from '../core/stages/memory-stage.js';
import type { Memory, MemoryEntry } from '../memory/types.js';

/**
 * The transcript of one conversation as its user saw it: each agent keeps its own memory session
 * (`memorySessionId`), and routing may have sent the turns of one conversation to several
 * agents, so the sessions of every agent are read and merged by time, keeping the last `limit`.
 */
export async function conversationTranscript(
  memory: Pick<Memory, 'history'>,
  agents: readonly string[],
  conversation: string,
  limit: number,
): Promise<MemoryEntry[]> {
  const sessions = await Promise.all(
    agents.map((agent) => memory.history(memorySessionId(agent, conversation), limit)),
  );
  return mergeByTime(sessions).slice(-limit);
}

/**
 * Entries of several sessions, oldest first. Equal times keep a question before its reply: both
 * keys carry the turn's time-ordered id, `…_msg_<id>` sorting before `…_reply_<id>`.
 */
export function mergeByTime(sessions: readonly MemoryEntry[][]): MemoryEntry[] {
  return sessions
    .flat()
    .sort((a, b) =>
      a.createdAt === b.createdAt ? compare(a.key, b.key) : compare(a.createdAt, b.createdAt),
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
