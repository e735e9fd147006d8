// HTTP calls the chat page makes (pairing, WebSocket tickets) and what the tab keeps: its token,
// conversation and streaming reply. Tokens travel only in headers, never in a URL, so they cannot
// leak through history, logs or the Referer header.

const TOKEN_KEY = 'gatehouse.token';
const CONVERSATION_KEY = 'gatehouse.conversation';
const PENDING_KEY = 'gatehouse.pending';

// Everything lives in this tab's sessionStorage: unlike persistent storage, it dies with the tab.
function readStored(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    // Storage can be disabled by the browser's privacy settings; then values live in memory only.
    return null;
  }
}

function writeStored(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled or full: the caller still holds the value in memory for this page view.
  }
}

/** Reads the token of this tab. */
export function loadToken() {
  return readStored(TOKEN_KEY);
}

/** Stores the token for this tab. */
export function saveToken(token) {
  writeStored(TOKEN_KEY, token);
}

/** Removes the stored token, and the conversation that belonged to its principal. */
export function clearToken() {
  writeStored(TOKEN_KEY, null);
  saveConversation(null);
}

/** The conversation this tab continues after a reconnect or a reload, or null. */
export function loadConversation() {
  return readStored(CONVERSATION_KEY);
}

/** Stores (or, with null, forgets) the conversation and any reply pending in it. */
export function saveConversation(id) {
  writeStored(CONVERSATION_KEY, id);
  writeStored(PENDING_KEY, null);
}

/** The id of the message whose reply was still streaming (to resume after a reload), or null. */
export function loadPending() {
  return readStored(PENDING_KEY);
}

/** Stores (or, with null, clears) the id of the message whose reply is streaming. */
export function savePending(id) {
  writeStored(PENDING_KEY, id);
}

/** Reads a JSON error body `{ error, code, retry_after? }`, tolerating anything else. */
async function readError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): fall back to the status line.
  }
  const error = body && typeof body === 'object' ? body : {};
  return {
    status: response.status,
    code: typeof error.code === 'string' ? error.code : 'HTTP_' + response.status,
    message:
      typeof error.error === 'string' && error.error !== ''
        ? error.error
        : `Request failed (${response.status})`,
    retryAfter: typeof error.retry_after === 'number' ? error.retry_after : undefined,
  };
}

/**
 * POSTs to the gateway and picks one non-empty string field of its JSON answer.
 * Resolves `{ ok: true, value }` or `{ ok: false, status, code, message, retryAfter? }`
 * (status 0 = network failure).
 */
async function postForField(path, headers, field) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    // Network failure: the gateway is down or unreachable; callers decide whether to retry.
    return { ok: false, status: 0, code: 'NETWORK', message: 'Cannot reach the gateway.' };
  }
  if (!response.ok) return { ok: false, ...(await readError(response)) };
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A 2xx without JSON is not a gateway answer; reported below.
  }
  const value = body === null ? undefined : body[field];
  if (typeof value !== 'string' || value === '') {
    return {
      ok: false,
      status: response.status,
      code: 'BAD_RESPONSE',
      message: 'Unexpected answer from the gateway.',
    };
  }
  return { ok: true, value };
}

/** A name for `gatehouse tokens list`, such as "Web chat (Chrome on Linux)". */
function deviceName() {
  const agent = window.navigator.userAgent;
  const browser =
    ['Edg', 'Firefox', 'Chrome', 'Safari'].find((name) => agent.includes(`${name}/`)) ?? 'browser';
  const system = ['Android', 'iPhone', 'iPad', 'Windows', 'Mac OS', 'Linux'].find((name) =>
    agent.includes(name),
  );
  const label = browser === 'Edg' ? 'Edge' : browser;
  return system === undefined ? `Web chat (${label})` : `Web chat (${label} on ${system})`;
}

/**
 * Exchanges a 6-digit pairing code for a bearer token.
 * Resolves `{ ok: true, token }` or `{ ok: false, status, code, message, retryAfter }`.
 */
export async function pairWithCode(code) {
  const headers = { 'X-Pairing-Code': code, 'X-Device-Name': deviceName() };
  const result = await postForField('/pair', headers, 'token');
  return result.ok ? { ok: true, token: result.value } : result;
}

/**
 * Asks for a single-use WebSocket ticket.
 * Resolves `{ ok: true, ticket }` or `{ ok: false, status, code, message }` (status 0 = network).
 */
export async function fetchTicket(token) {
  const result = await postForField('/ws/ticket', { Authorization: 'Bearer ' + token }, 'ticket');
  return result.ok ? { ok: true, ticket: result.value } : result;
}
