// The message list. Server text is only ever inserted as text nodes or textContent (replies
// through the DOM-built Markdown of markdown.js), never parsed as HTML, so a reply containing
// markup cannot run script in this page (XSS).

import { renderMarkdown } from './markdown.js';

/** Runs `callback` before the next repaint (or soon, where there are no animation frames). */
function nextFrame(callback) {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(callback);
  else setTimeout(callback, 16);
}

/**
 * Creates the transcript over the `<ol>` message list and its empty-state hint. `schedule` runs a
 * callback before the next repaint: streamed chunks arriving in between are rendered once, so a
 * long reply is not re-parsed for every chunk.
 */
export function createTranscript(list, emptyHint, schedule = nextFrame) {
  /** id → { item, bubble, text, seq, status, rendered } for assistant replies. */
  const replies = new Map();
  /** Replies whose text changed since they were last rendered. */
  const stale = new Set();
  let frameRequested = false;

  /** Renders a reply's current text if it changed since its last render. */
  function render(entry) {
    stale.delete(entry);
    if (entry.rendered === entry.text) return;
    const stick = nearBottom();
    entry.bubble.replaceChildren(renderMarkdown(document, entry.text));
    entry.rendered = entry.text;
    keepScrolled(stick);
  }

  function renderStale() {
    frameRequested = false;
    for (const entry of [...stale]) render(entry);
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function append(item) {
    const stick = nearBottom();
    list.append(item);
    emptyHint.hidden = true;
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function keepScrolled(stick) {
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function createItem(role, text) {
    const item = document.createElement('li');
    item.className = `msg msg-${role}`;
    item.dataset.role = role;
    item.dataset.testid = `message-${role}`;
    const label = document.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = role === 'user' ? 'You: ' : 'Agent: ';
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.dataset.testid = 'bubble';
    if (role === 'assistant') bubble.append(renderMarkdown(document, text));
    else bubble.textContent = text;
    item.append(label, bubble);
    return { item, bubble };
  }

  function replyItem(id) {
    const { item, bubble } = createItem('assistant', '');
    item.dataset.id = id;
    item.dataset.status = 'streaming';
    item.setAttribute('aria-busy', 'true');
    replies.set(id, { item, bubble, text: '', seq: 0, status: 'streaming', rendered: '' });
    return item;
  }

  function addNote(entry, className, text) {
    const stick = nearBottom();
    const note = document.createElement('p');
    note.className = className;
    note.textContent = text;
    entry.item.append(note);
    keepScrolled(stick);
  }

  return {
    /** Adds the user's own message. */
    addUser(text) {
      append(createItem('user', text).item);
    },

    /** Adds an empty assistant bubble that will receive the streamed reply for `id`. */
    addReply(id) {
      append(replyItem(id));
    },

    /**
     * Puts a restored transcript (the `history` frame, oldest first) before anything shown since
     * the page loaded; `pendingId` adds the streaming reply of its last message, to be resumed.
     */
    restore(messages, pendingId) {
      const items = messages.map((message) => createItem(message.role, message.text).item);
      if (pendingId) items.push(replyItem(pendingId));
      if (items.length === 0) return;
      list.prepend(...items);
      emptyHint.hidden = true;
      list.scrollTop = list.scrollHeight;
    },

    /**
     * Appends a streamed delta numbered `seq`. A chunk already shown (seq not above the last one,
     * as after a resume that overlaps) is skipped; so is one for a finished or stopped reply.
     */
    appendDelta(id, delta, seq) {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
      if (seq !== null) {
        if (seq <= entry.seq) return;
        entry.seq = seq;
      }
      entry.text += delta;
      stale.add(entry);
      if (frameRequested) return;
      frameRequested = true;
      schedule(renderStale);
    },

    /** The last chunk number shown for reply `id` (0 before any), to resume after it. */
    lastSeq(id) {
      return replies.get(id)?.seq ?? 0;
    },

    /** Finishes a reply; `response` (the full text) wins over the accumulated chunks. */
    complete(id, response, model) {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
      if (response !== null) entry.text = response;
      // The final text is shown now, not at the next frame.
      render(entry);
      this.settle(id, 'done');
      if (model) addNote(entry, 'msg-meta', model);
    },

    /** Ends a reply with an inline error (or a neutral note for `stopped`). */
    fail(id, message, status = 'error') {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
      render(entry);
      this.settle(id, status);
      addNote(entry, status === 'stopped' ? 'msg-meta' : 'msg-error', message);
    },

    /** Marks a reply finished without a note. */
    settle(id, status) {
      const entry = replies.get(id);
      if (!entry) return;
      entry.status = status;
      entry.item.dataset.status = status;
      entry.item.removeAttribute('aria-busy');
    },

    /** Ids of replies still streaming. */
    streamingIds() {
      return [...replies].filter(([, entry]) => entry.status === 'streaming').map(([id]) => id);
    },

    /** Empties the conversation (used when the token is forgotten). */
    clear() {
      replies.clear();
      stale.clear();
      list.replaceChildren();
      emptyHint.hidden = false;
    },
  };
}
