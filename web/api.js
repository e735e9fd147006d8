// HTTP calls the chat page makes: pairing, and WebSocket tickets. Tokens travel only in headers,
// never in a URL, so they cannot leak through history, logs or the Referer header.

const TOKEN_KEY = 'gatehouse.token';

/** Reads the token from this tab's sessionStorage: unlike persistent storage, it dies with the tab. */
export function loadToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled by the browser's privacy settings; then the token lives in memory only.
    return null;
  }
}

/** Stores the token for this tab. */
export function saveToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled or full: the caller still holds the token in memory for this page view.
  }
}

/** Removes the stored token. */
export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: nothing was stored, so there is nothing to clear.
  }
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
