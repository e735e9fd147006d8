// Entry point of the web chat: wires the pairing panel, the chat view and the connection.

import { clearToken, loadToken, pairWithCode, saveToken } from './api.js';
import { createConnection } from './connection.js';
import { createConversation } from './conversation.js';
import { createTranscript } from './transcript.js';

const MAX_MESSAGE_CHARS = 16000;

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element;
};

const ui = {
  state: $('connection-state'),
  stateText: $('connection-text'),
  forget: $('forget-token'),
  pairPanel: $('pair-panel'),
  pairNotice: $('pair-notice'),
  pairForm: $('pair-form'),
  pairCode: $('pair-code'),
  pairSubmit: $('pair-submit'),
  tokenForm: $('token-form'),
  tokenInput: $('token-input'),
  pairError: $('pair-error'),
  chatPanel: $('chat-panel'),
  chatError: $('chat-error'),
  composer: $('composer'),
  input: $('composer-input'),
  send: $('send-button'),
  stop: $('stop-button'),
};

const transcript = createTranscript($('messages'), $('chat-empty'));
let token = loadToken();
/** A message typed while disconnected, sent as soon as the session is ready. */
let queued = null;

const AUTH_NOTICES = {
  AUTH_TOKEN_REVOKED: 'This token was revoked — pair again.',
  AUTH_INVALID_TOKEN: 'The gateway no longer accepts this token — pair again.',
  AUTH_INSUFFICIENT_SCOPE:
    'This token lacks the channels:web scope — pair again or use another token.',
};

function newId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only in secure contexts; a plain-HTTP LAN address still has getRandomValues.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function show(element, text) {
  element.textContent = text ?? '';
  element.hidden = !text;
}

function setState(state, text) {
  ui.state.dataset.state = state;
  ui.stateText.textContent = text;
}

function renderConnection(state, detail) {
  if (state === 'connected') {
    show(ui.chatError, '');
    setState('connected', 'connected');
  } else if (state === 'connecting') {
    setState('connecting', 'connecting…');
  } else if (state === 'reconnecting') {
    if (detail.reason) show(ui.chatError, detail.reason);
    setState(
      'reconnecting',
      detail.seconds > 0 ? `reconnecting in ${detail.seconds}s` : 'reconnecting…',
    );
  } else {
    setState('disconnected', 'disconnected');
    if (detail.reason) show(ui.chatError, detail.reason);
  }
}

function setStreaming() {
  const ids = transcript.streamingIds();
  const streaming = ids.length > 0 || queued !== null;
  ui.stop.hidden = !streaming;
  ui.send.disabled = streaming;
  conversation.rememberStreaming(ids);
}

function showPairing(notice) {
  ui.chatPanel.hidden = true;
  ui.pairPanel.hidden = false;
  ui.forget.hidden = true;
  show(ui.pairNotice, notice);
  show(ui.pairError, '');
  ui.pairCode.value = '';
  ui.tokenInput.value = '';
  ui.pairCode.focus();
}

function showChat() {
  ui.pairPanel.hidden = true;
  ui.chatPanel.hidden = false;
  ui.forget.hidden = false;
  show(ui.chatError, '');
  ui.input.focus();
}

function abandonReplies(message) {
  for (const id of transcript.streamingIds()) transcript.fail(id, message);
  queued = null;
  setStreaming();
}

function sendQueued() {
  if (queued && connection.send(queued)) queued = null;
}

const conversation = createConversation({
  transcript,
  send: (frame) => connection.send(frame),
  abandonReplies,
  sendQueued,
  queuedId: () => queued?.id,
});

const connection = createConnection({
  getToken: () => token,
  getConversation: conversation.id,
  onState: renderConnection,
  onFrame(frame) {
    if (frame.type === 'ready') {
      conversation.onReady(frame);
    } else if (frame.type === 'history') {
      conversation.onHistory(frame);
    } else if (frame.type === 'chunk') {
      transcript.appendDelta(frame.id, frame.delta, frame.seq);
    } else if (frame.type === 'done') {
      transcript.complete(frame.id, frame.response, frame.model);
    } else if (frame.type === 'error') {
      if (Object.hasOwn(AUTH_NOTICES, frame.code)) return handleAuthFailure(frame);
      if (frame.id !== null && transcript.streamingIds().includes(frame.id)) {
        const stopped = frame.code === 'MESSAGE_CANCELLED';
        transcript.fail(
          frame.id,
          stopped ? 'Stopped.' : frame.message,
          stopped ? 'stopped' : 'error',
        );
      } else {
        show(ui.chatError, frame.message);
      }
    }
    setStreaming();
  },
  onAuthFailure: handleAuthFailure,
  onDrop({ willRetry }) {
    // A reconnect resumes replies in progress (the gateway keeps them running for a while).
    if (!willRetry) abandonReplies('Connection lost before the reply finished.');
  },
});

function handleAuthFailure({ code, message }) {
  connection.stop();
  abandonReplies('The session ended.');
  clearToken();
  conversation.forget();
  token = null;
  showPairing(Object.hasOwn(AUTH_NOTICES, code) ? AUTH_NOTICES[code] : `${message} Pair again.`);
  if (code === 'AUTH_TOKEN_REVOKED') setState('revoked', 'revoked');
}

function adoptToken(value) {
  token = value;
  saveToken(value);
  showChat();
  connection.start();
}

ui.pairForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = ui.pairCode.value.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) {
    show(ui.pairError, 'Enter the 6-digit code the gateway printed.');
    ui.pairCode.focus();
    return;
  }
  ui.pairSubmit.disabled = true;
  show(ui.pairError, '');
  const result = await pairWithCode(code);
  ui.pairSubmit.disabled = false;
  if (result.ok) return adoptToken(result.token);
  show(ui.pairError, result.message);
  ui.pairCode.select();
});

ui.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.tokenInput.value.trim();
  if (!/^[\x21-\x7e]{16,4096}$/.test(value)) {
    show(ui.pairError, 'Paste the whole token (gth_… or a JWT).');
    ui.tokenInput.focus();
    return;
  }
  adoptToken(value);
});

ui.forget.addEventListener('click', () => {
  connection.stop();
  clearToken();
  token = null;
  queued = null;
  conversation.forget();
  setStreaming();
  showPairing('');
});

function sendMessage() {
  const text = ui.input.value.trim();
  if (text === '' || ui.send.disabled) return;
  if (text.length > MAX_MESSAGE_CHARS) {
    show(ui.chatError, `Messages are limited to ${MAX_MESSAGE_CHARS} characters.`);
    return;
  }
  show(ui.chatError, '');
  const frame = { type: 'message', id: newId(), text };
  transcript.addUser(text);
  transcript.addReply(frame.id);
  ui.input.value = '';
  if (!connection.send(frame)) {
    queued = frame;
    connection.start();
  }
  setStreaming();
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});

ui.input.addEventListener('keydown', (event) => {
  // Enter sends; Shift+Enter inserts a newline; never interrupt an IME composition.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

ui.stop.addEventListener('click', () => {
  if (queued) transcript.fail(queued.id, 'Stopped.', 'stopped');
  queued = null;
  for (const id of transcript.streamingIds()) {
    connection.send({ type: 'cancel', id });
    transcript.fail(id, 'Stopped.', 'stopped');
  }
  setStreaming();
  ui.input.focus();
});

window.addEventListener('online', () => connection.retryNow());

if (token) {
  showChat();
  connection.start();
} else {
  showPairing('');
}
