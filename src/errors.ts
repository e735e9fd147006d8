/**
 * The one error registry. Every error a client can see has a stable code, an HTTP status and a
 * message here; the single error handler in `server/` shapes them into `{ error, code, ...extra }`.
 * WebSocket error frames reuse the same codes.
 */

/** A registry entry: HTTP status, client-facing message, and whether a retry can succeed. */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly retryable?: boolean;
}

export const ERRORS = {
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  INVALID_JSON: { status: 400, message: 'Request body is not valid JSON' },
  INVALID_BODY: { status: 400, message: 'Invalid request body' },
  INVALID_HEADER: { status: 400, message: 'Invalid header value' },
  AUTH_MISSING_TOKEN: {
    status: 401,
    message:
      'Missing bearer token. Pair first: POST /pair with X-Pairing-Code, then send Authorization: Bearer <token>',
  },
  AUTH_INVALID_TOKEN: {
    status: 401,
    message:
      'Invalid bearer token. Pair again: POST /pair with X-Pairing-Code, then send Authorization: Bearer <token>',
  },
  AUTH_TOKEN_IN_URL: {
    status: 401,
    message: 'Tokens are never accepted in the URL; send Authorization: Bearer <token>',
  },
  AUTH_INSUFFICIENT_SCOPE: { status: 403, message: 'Token lacks the scope this channel requires' },
  AUTH_TOKEN_REVOKED: { status: 401, message: 'Token has been revoked' },
  CONVERSATION_FORBIDDEN: {
    status: 403,
    message: 'This conversation belongs to another client; start a new one',
  },
  WEBHOOK_SECRET_INVALID: { status: 401, message: 'Missing or invalid X-Webhook-Secret' },
  SIGNATURE_INVALID: { status: 401, message: 'Missing or invalid request signature' },
  CHANNEL_SECRET_INVALID: { status: 403, message: 'Missing or invalid channel secret' },
  PAIRING_CODE_INVALID: { status: 403, message: 'Invalid pairing code' },
  PAIRING_LOCKED: {
    status: 429,
    message: 'Too many failed attempts. Try again in {retry_after}s.',
    retryable: true,
  },
  PAIRING_PERSIST_FAILED: {
    status: 500,
    message: 'Pairing succeeded but the token could not be saved; try again',
  },
  ADMIN_FORBIDDEN: {
    status: 403,
    message: 'Admin endpoint is only reachable from loopback with the local admin secret',
  },
  ORIGIN_FORBIDDEN: { status: 403, message: 'Origin not allowed' },
  HOST_NOT_ALLOWED: {
    status: 421,
    message:
      'Host not served here; add it to gateway.allowed_hosts or set gateway.public_url to the address clients use',
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    message: 'Too many requests in progress from this client. Try again in {retry_after}s.',
    retryable: true,
  },
  WS_TICKET_INVALID: { status: 401, message: 'Missing, expired or already used WebSocket ticket' },
  WS_TOO_MANY_PENDING: {
    status: 429,
    message: 'Too many unauthenticated connections',
    retryable: true,
  },
  WS_TOO_MANY_IN_FLIGHT: {
    status: 429,
    message: 'Too many messages in progress on this session; wait for one to finish',
    retryable: true,
  },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CHANNEL_NOT_CONFIGURED: { status: 404, message: 'Channel not configured' },
  MODEL_NOT_FOUND: { status: 404, message: 'No agent with this name; GET /v1/models lists them' },
  SESSION_NOT_FOUND: { status: 404, message: 'Session not found' },
  RESUME_NOT_FOUND: {
    status: 404,
    message: 'No reply with this id to resume in this conversation; it ended too long ago',
  },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, message: 'Request timed out', retryable: true },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  HEADERS_TOO_LARGE: { status: 431, message: 'Request headers too large' },
  RATE_LIMITED: {
    status: 429,
    message: 'Too many requests. Try again in {retry_after}s.',
    retryable: true,
  },
  BUDGET_EXCEEDED: {
    status: 429,
    message: 'Daily token budget used up. Try again in {retry_after}s.',
    retryable: true,
  },
  CONTENT_BLOCKED: { status: 422, message: 'Message rejected by content policy' },
  LLM_REQUEST_FAILED: { status: 500, message: 'LLM request failed', retryable: true },
  MESSAGE_CANCELLED: { status: 499, message: 'Request cancelled' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  STATE_UNAVAILABLE: {
    status: 503,
    message: 'Shared state is unavailable; try again shortly',
    retryable: true,
  },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service is shutting down', retryable: true },
  WEBHOOK_VERIFICATION_FAILED: {
    status: 403,
    message: 'Webhook verification failed: wrong hub.mode or hub.verify_token',
  },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code from the registry. */
export type ErrorCode = keyof typeof ERRORS;

/** Extra documented fields that a route adds to an error body, such as `retry_after`. */
export type ErrorExtra = Record<string, string | number | boolean>;

export interface GatewayErrorOptions {
  /** Replaces the registry message (it must not contain secrets). */
  message?: string;
  /** Documented fields merged into the body. `retry_after` also sets the `Retry-After` header. */
  extra?: ErrorExtra;
  /** Response headers that describe the error (e.g. `RateLimit-Policy`, `RateLimit`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** A typed error that the central error handler turns into a JSON response. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: ErrorExtra;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, options: GatewayErrorOptions = {}) {
    const spec: ErrorSpec = ERRORS[code];
    super(options.message ?? formatMessage(spec.message, options.extra), { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = spec.status;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** Whether a client may retry the same request and expect it to succeed. */
  get retryable(): boolean {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.retryable === true;
  }

  /** The JSON body: `{ error, code, ...extra }`. */
  toBody(): Record<string, string | number | boolean> {
    return { error: this.message, code: this.code, ...this.extra };
  }
}

/** Fills `{name}` placeholders from the extra fields. */
function formatMessage(template: string, extra: ErrorExtra | undefined): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => {
    const value = extra?.[key];
    return value === undefined ? match : String(value);
  });
}

/** True when `value` is a GatewayError (also across module copies). */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
