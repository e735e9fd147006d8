import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { Observer } from '../observability/types.js';
import { describeError } from '../observability/redact.js';
import { toOpenAiError } from '../http/openai-error.js';
import type { ErrorShape } from '../http/route-types.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';

/** Fastify's own error codes that a client can trigger, mapped to registry codes. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_VALIDATION: 'INVALID_BODY',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_HANDLER_TIMEOUT: 'REQUEST_TIMEOUT',
};

/** Socket errors while reading a body: the client went away or broke the framing. */
const CLIENT_STREAM_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Statuses after which the connection is closed, because the client may still be sending. */
const CLOSE_AFTER = new Set([408, 413, 431]);
/**
 * Refused before the body was read, the rest of it would arrive on a socket we want back; or
 * refused because the gateway is shutting down, when the client had better go elsewhere.
 */
const CLOSE_AFTER_CODES = new Set<ErrorCode>(['TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE']);

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/** Maps anything thrown to the registry error a client sees; unknown errors become INTERNAL. */
export function toGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  const code = errorCodeOf(error);
  if (code !== undefined) {
    const mapped = FASTIFY_CODES[code];
    if (mapped !== undefined) return new GatewayError(mapped, { cause: error });
    if (CLIENT_STREAM_CODES.has(code)) return new GatewayError('BAD_REQUEST', { cause: error });
  }
  if (error instanceof Error && error.message === 'aborted') {
    return new GatewayError('BAD_REQUEST', { cause: error });
  }
  return new GatewayError('INTERNAL', { cause: error });
}

/** Options for createErrorHandler. */
export interface ErrorHandlerOptions {
  logger: Logger;
  observer: Observer;
}

/** What an error answer consists of, whichever path writes it. */
export interface GatewayErrorAnswer {
  status: number;
  /** Headers beyond the security headers and request id, lower-case names. */
  headers: Record<string, string>;
  body: object;
}

/**
 * The registry error as an answer: status, `Retry-After` when documented, and
 * `{ error, code, ...extra }` (with the request id on a 5xx) — or OpenAI's
 * `{ error: { message, type, param, code } }` on routes that speak its API.
 */
export function gatewayErrorAnswer(
  error: GatewayError,
  requestId: string,
  shape: ErrorShape = 'gateway',
): GatewayErrorAnswer {
  const { status, body } =
    shape === 'openai' ? toOpenAiError(error) : { status: error.status, body: error.toBody() };
  const headers: Record<string, string> = {};
  const retryAfter = error.extra.retry_after;
  if (typeof retryAfter === 'number' || typeof retryAfter === 'string') {
    headers['retry-after'] = String(retryAfter);
  }
  for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value;
  if (CLOSE_AFTER.has(status) || CLOSE_AFTER_CODES.has(error.code)) {
    headers.connection = 'close';
  }
  return {
    status,
    headers,
    body: status >= 500 && shape === 'gateway' ? { ...body, request_id: requestId } : body,
  };
}

/** Writes the registry error (see gatewayErrorAnswer) on a framework reply. */
export function sendGatewayError(
  reply: FastifyReply,
  error: GatewayError,
  shape: ErrorShape = 'gateway',
): void {
  const answer = gatewayErrorAnswer(error, reply.request.id, shape);
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  reply.type('application/json; charset=utf-8').send(answer.body);
}

/** Where a failed request is reported: the log (5xx as errors) and the observer. */
export interface RequestErrorReport {
  error: unknown;
  gatewayError: GatewayError;
  requestId: string;
  method: string;
  route: string;
}

/**
 * 5xx answers that are no failure of the gateway: refusing requests while it shuts down is what a
 * graceful shutdown is meant to do, so they are logged as the refusals they are.
 */
const EXPECTED_5XX = new Set<ErrorCode>(['SERVICE_UNAVAILABLE']);

/** Logs a failed request the one way: a 5xx with its cause (redacted), a refusal at debug. */
export function reportRequestError(options: ErrorHandlerOptions, report: RequestErrorReport): void {
  const { logger, observer } = options;
  const { error, gatewayError, requestId, method, route } = report;
  if (gatewayError.status >= 500 && !EXPECTED_5XX.has(gatewayError.code)) {
    // The client gets the registry message only; the cause goes to the (redacting) log.
    logger.error({ err: error, reqId: requestId, method, route }, 'request failed');
    observer.record({ type: 'Error', component: 'http', message: describeError(error) });
  } else {
    logger.debug({ reqId: requestId, code: gatewayError.code, method }, 'request rejected');
  }
}

/** The one error handler: every error body that leaves the gateway is shaped here. */
export function createErrorHandler(
  options: ErrorHandlerOptions,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return function gatewayErrorHandler(error, request, reply) {
    const gatewayError = toGatewayError(error);
    reportRequestError(options, {
      error,
      gatewayError,
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
    });
    if (reply.raw.headersSent) {
      // Too late for an error body; cut the response so the client sees it as incomplete.
      reply.raw.destroy();
      return;
    }
    sendGatewayError(reply, gatewayError, request.routeOptions.config.errorShape);
  };
}

/**
 * Errors Fastify raises before routing (a malformed URL): same body and headers as everything
 * else, since the onRequest hooks that set security headers have not run.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
  sendGatewayError(reply, toGatewayError(error));
}

/** Node parser errors (malformed request line, oversized headers) answered on the raw socket. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const gatewayError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new GatewayError('HEADERS_TOO_LARGE')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new GatewayError('REQUEST_TIMEOUT')
        : new GatewayError('BAD_REQUEST');
  const body = JSON.stringify(gatewayError.toBody());
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${gatewayError.status} ${statusText(gatewayError.status)}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      headers +
      'connection: close\r\n\r\n' +
      body,
  );
}

function statusText(status: number): string {
  if (status === 408) return 'Request Timeout';
  if (status === 431) return 'Request Header Fields Too Large';
  return 'Bad Request';
}
