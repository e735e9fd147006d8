// The message list. Server text is only ever inserted as text nodes or textContent, never parsed
// as HTML, so a reply containing markup cannot run script in this page (XSS).

/** Creates the transcript over the `<ol>` message list and its empty-state hint. */
export function createTranscript(list, emptyHint) {
  /** id → { item, bubble, text, status } for assistant replies. */
  const replies = new Map();

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
    bubble.textContent = text;
    item.append(label, bubble);
    return { item, bubble };
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
      const { item, bubble } = createItem('assistant', '');
      item.dataset.id = id;
      item.dataset.status = 'streaming';
      item.setAttribute('aria-busy', 'true');
      replies.set(id, { item, bubble, text: '', status: 'streaming' });
      append(item);
    },

    /** Appends a streamed delta; ignored once the reply is finished or stopped. */
    appendDelta(id, delta) {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
      const stick = nearBottom();
      entry.text += delta;
      entry.bubble.append(document.createTextNode(delta));
      keepScrolled(stick);
    },

    /** Finishes a reply; `response` (the full text) wins over the accumulated chunks. */
    complete(id, response, model) {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
      if (response !== null && response !== entry.text) entry.bubble.textContent = response;
      this.settle(id, 'done');
      if (model) addNote(entry, 'msg-meta', model);
    },

    /** Ends a reply with an inline error (or a neutral note for `stopped`). */
    fail(id, message, status = 'error') {
      const entry = replies.get(id);
      if (!entry || entry.status !== 'streaming') return;
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
      list.replaceChildren();
      emptyHint.hidden = false;
    },
  };
}
