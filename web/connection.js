// The chat WebSocket: a fresh single-use ticket for every (re)connect, exponential backoff with
// jitter between attempts, and no reconnect once the server says the token is gone.

import { fetchTicket } from './api.js';

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;

/** Close codes the gateway uses: idle timeout, token revoked or expired, killed by the operator. */
export const CLOSE_IDLE = 4000;
export const CLOSE_REVOKED = 4001;
export const CLOSE_KILLED = 4002;

/** Closes after which reconnecting at once would undo the server's decision; wait for the user. */
const WAIT_FOR_USER = new Map([
  [CLOSE_IDLE, 'Disconnected after inactivity. Send a message to reconnect.'],
  [CLOSE_KILLED, 'The session was closed by the gateway operator. Send a message to reconnect.'],
]);

/**
 * Delay before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, ±20 % jitter so a
 * gateway restart is not met by every tab reconnecting in the same instant.
 */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(Math.min(BACKOFF_MAX_MS, base * (0.8 + 0.4 * random())));
}

const isString = (value) => typeof value === 'string';
const isSeq = (value) => Number.isSafeInteger(value) && value > 0;
const isHistoryMessage = (message) =>
  message !== null &&
  typeof message === 'object' &&
  (message.role === 'user' || message.role === 'assistant') &&
  isString(message.text);

/** Parses one server frame; anything that does not match the protocol is dropped (null). */
export function parseServerFrame(data) {
  if (!isString(data)) return null;
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    // Not JSON: a broken or foreign frame; the protocol never sends one.
    return null;
  }
  if (!frame || typeof frame !== 'object') return null;
  switch (frame.type) {
    case 'ready':
      return isString(frame.session_id)
        ? {
            type: 'ready',
            sessionId: frame.session_id,
            conversationId: isString(frame.conversation_id) ? frame.conversation_id : null,
          }
        : null;
    case 'attached':
      return isString(frame.conversation_id)
        ? { type: 'attached', conversationId: frame.conversation_id }
        : null;
    case 'history':
      return Array.isArray(frame.messages)
        ? { type: 'history', messages: frame.messages.filter(isHistoryMessage) }
        : null;
    case 'chunk':
      return isString(frame.id) && isString(frame.delta)
        ? {
            type: 'chunk',
            id: frame.id,
            delta: frame.delta,
            seq: isSeq(frame.seq) ? frame.seq : null,
          }
        : null;
    case 'done':
      return isString(frame.id)
        ? {
            type: 'done',
            id: frame.id,
            response: isString(frame.response) ? frame.response : null,
            model: isString(frame.model) ? frame.model : null,
          }
        : null;
    case 'error':
      return {
        type: 'error',
        id: isString(frame.id) ? frame.id : null,
        code: isString(frame.code) ? frame.code : 'ERROR',
        message: isString(frame.message) ? frame.message : 'Something went wrong.',
      };
    default:
      return null;
  }
}

/** True when a failed ticket request means the token itself is unusable (never retry those). */
function isAuthFailure(result) {
  return result.status === 401 || result.code.startsWith('AUTH_');
}

/**
 * Creates the connection manager.
 * `getConversation()`: the conversation to attach to on connect (`?conversation=`), or null.
 * `onState(state, detail)`: state is connecting | connected | reconnecting | disconnected.
 * `onFrame(frame)`: a parsed server frame. `onAuthFailure({ code, message })`: the token was
 * refused or revoked; the manager has stopped. `onDrop({ willRetry })`: a live socket went away;
 * `willRetry` is false when the manager waits for the user (or the token is gone), so replies in
 * progress cannot be resumed.
 */
export function createConnection({
  getToken,
  getConversation,
  onState,
  onFrame,
  onAuthFailure,
  onDrop,
}) {
  let socket = null;
  let ready = false;
  let attempt = 0;
  let running = false;
  let generation = 0;
  let retryTimer = null;
  let countdownTimer = null;

  function clearTimers() {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    retryTimer = null;
    countdownTimer = null;
  }

  function authFailed(code, message) {
    running = false;
    clearTimers();
    onAuthFailure({ code, message });
  }

  function scheduleRetry(reason) {
    const delay = backoffDelay(attempt);
    attempt += 1;
    const due = Date.now() + delay;
    const tick = () =>
      onState('reconnecting', {
        seconds: Math.max(1, Math.ceil((due - Date.now()) / 1000)),
        reason,
      });
    tick();
    countdownTimer = setInterval(tick, 1000);
    retryTimer = setTimeout(() => {
      clearTimers();
      void open();
    }, delay);
  }

  async function open() {
    const gen = ++generation;
    clearTimers();
    onState(attempt === 0 ? 'connecting' : 'reconnecting', { seconds: 0 });
    const token = getToken();
    if (!token) return authFailed('AUTH_MISSING_TOKEN', 'No token: pair this browser first.');
    const result = await fetchTicket(token);
    if (gen !== generation || !running) return;
    if (!result.ok) {
      if (isAuthFailure(result)) return authFailed(result.code, result.message);
      return scheduleRetry(result.message);
    }
    const url = new URL('/ws', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', result.ticket);
    // A conversation id is not a secret (the gateway binds it to this token's principal).
    const conversation = getConversation();
    if (conversation) url.searchParams.set('conversation', conversation);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      // Constructor throws only on a malformed URL or a blocked port; treat it like a failed attempt.
      return scheduleRetry('Cannot open the WebSocket.');
    }
    socket = ws;
    ready = false;
    ws.addEventListener('message', (event) => {
      if (gen !== generation) return;
      const frame = parseServerFrame(event.data);
      if (!frame) return;
      if (frame.type === 'ready') {
        ready = true;
        attempt = 0;
        onState('connected', { sessionId: frame.sessionId });
      }
      onFrame(frame);
    });
    ws.addEventListener('close', (event) => {
      if (gen !== generation) return;
      const wasReady = ready;
      socket = null;
      ready = false;
      const waitReason = WAIT_FOR_USER.get(event.code);
      const willRetry = running && event.code !== CLOSE_REVOKED && waitReason === undefined;
      if (wasReady) onDrop({ willRetry });
      if (!running) return;
      if (event.code === CLOSE_REVOKED) {
        return authFailed('AUTH_TOKEN_REVOKED', 'This token was revoked or has expired.');
      }
      if (waitReason !== undefined) {
        running = false;
        return onState('disconnected', { reason: waitReason });
      }
      scheduleRetry(event.reason || 'Connection lost.');
    });
  }

  return {
    /** Connects (or reconnects now, skipping any pending backoff). */
    start() {
      running = true;
      if (socket && socket.readyState <= WebSocket.OPEN) return;
      void open();
    },
    /** Closes the socket and stops reconnecting. */
    stop() {
      running = false;
      generation += 1;
      clearTimers();
      attempt = 0;
      if (socket) socket.close(1000, 'client closed');
      socket = null;
      ready = false;
      onState('disconnected', {});
    },
    /** Retries at once if a backoff is pending (e.g. the network came back). */
    retryNow() {
      if (running && retryTimer !== null) void open();
    },
    /** True when a session is established and frames can be sent. */
    isReady() {
      return ready && socket !== null && socket.readyState === WebSocket.OPEN;
    },
    /** Sends a client frame; false when not connected. */
    send(frame) {
      if (!this.isReady()) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
}
