// Keeps this tab on one conversation across reconnects and reloads. Its id (and the id of a reply
// still streaming) live in sessionStorage; every connect attaches with `?conversation=`.

import { loadConversation, loadPending, saveConversation, savePending } from './api.js';

/** Messages restored after a reload (the gateway's maximum for one `history` frame). */
const HISTORY_LIMIT = 200;

/**
 * Creates the conversation keeper. `send(frame)` sends on the live socket; `abandonReplies(text)`
 * ends every streaming reply with a note; `sendQueued()` sends a message typed while offline;
 * `queuedId()` is that message's id (its reply is not resumable: it was never sent).
 */
export function createConversation({ transcript, send, abandonReplies, sendQueued, queuedId }) {
  let current = loadConversation();
  /** After a reload: the transcript is still to be restored from `history`. */
  let restoring = current !== null;

  return {
    /** The conversation to attach to on connect, or null for a new one. */
    id: () => current,

    /**
     * `ready` names the socket's conversation. The stored one means a reload restores the
     * transcript, or a reconnect resumes the streaming replies after the last chunk shown.
     * Another id is a new conversation: the tab's first, or the gateway refused the stored one
     * (its error frame follows).
     */
    onReady({ conversationId }) {
      if (conversationId !== null && conversationId !== current) {
        if (current !== null) abandonReplies('This conversation could not be continued.');
        current = conversationId;
        restoring = false;
        saveConversation(conversationId);
      } else if (restoring) {
        send({ type: 'history', limit: HISTORY_LIMIT });
        return;
      } else {
        for (const id of transcript.streamingIds()) {
          if (id !== queuedId()) send({ type: 'resume', id, after_seq: transcript.lastSeq(id) });
        }
      }
      sendQueued();
    },

    /** The transcript after a reload, and the reply that was streaming when the page went away. */
    onHistory({ messages }) {
      if (!restoring) return;
      restoring = false;
      const pending = loadPending();
      // A reply still running has its question stored and its answer not yet: the question is last.
      const resumeId = pending !== null && messages.at(-1)?.role === 'user' ? pending : null;
      transcript.restore(messages, resumeId);
      if (resumeId !== null) send({ type: 'resume', id: resumeId, after_seq: 0 });
      sendQueued();
    },

    /** Stores the reply streaming now, for a reload to resume (kept as is until restored). */
    rememberStreaming(ids) {
      if (!restoring) savePending(ids.at(-1) ?? null);
    },

    /** Forgets the conversation (a new token may be another principal, who may not attach). */
    forget() {
      current = null;
      restoring = false;
      saveConversation(null);
      transcript.clear();
    },
  };
}
