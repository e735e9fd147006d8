import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { Dispatch, Principal } from '../../core/types.js';
import { ERRORS, GatewayError, isGatewayError } from '../../errors.js';
import { CLOSE_CODES } from './close-codes.js';
import { credentialEnded, CREDENTIAL_END_REASONS } from './credential-check.js';
import { isConversationId, parseClientFrame } from './frames.js';
import type { ClientFrame, ServerFrame } from './frames.js';
import type { SessionRegistry } from './session-registry.js';
import { conversationMemoryKey } from './conversations.js';
import type { ConversationRegistry } from './conversations.js';
import { SessionTurns } from './session-turns.js';
import type { TurnStreams } from '../turn-streams.js';
import type { MemoryEntry } from '../../memory/types.js';

/** Session timings in milliseconds (config seconds × 1000; tests pass short ones). */
export interface SessionTimings {
  heartbeatMs: number;
  idleMs: number;
  /** How long a closing socket may take to finish the close handshake before it is destroyed. */
  closeGraceMs: number;
  maxBufferedBytes: number;
}

export interface SessionOptions {
  ws: WebSocket;
  sessionId: string;
  principal: Principal;
  clientKey: string;
  agent: string;
  dispatch: Dispatch;
  registry: SessionRegistry;
  /** Revocation by `principal.jti`: a JWT id or a paired token's `paired:<hash>`. */
  isRevoked: (jti: string) => boolean;
  timings: SessionTimings;
  logger: Logger;
  /** `?conversation=` of the upgrade URL: attached before `ready`, as an `attach` frame would. */
  requestedConversation?: string;
  /** Owners of conversations, for `attach`. */
  conversations: ConversationRegistry;
  /** Resumable turns shared by every session. */
  turns: TurnStreams;
  /** Recent entries of a conversation (memory), for the `history` frame. */
  history?: (memoryKey: string, limit: number) => Promise<MemoryEntry[]>;
  now?: () => number;
}

/** Messages a session may run at once; more would let one socket fan out unbounded LLM calls. */
export const MAX_IN_FLIGHT_PER_SESSION = 4;
// setTimeout stores its delay in a signed 32-bit int; longer delays fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs one authenticated WebSocket session until its socket closes. */
export function runSession(options: SessionOptions): void {
  const { ws, sessionId, principal, timings, logger } = options;
  const now = options.now ?? Date.now;
  // A new socket starts a new conversation unless `?conversation=` names one it may attach to;
  // `attach` switches it later. A refused request leaves the new one and is answered after `ready`.
  const requested = requestConversation(options);
  let conversationId = requested.ok ? requested.id : randomUUID();
  if (!requested.ok) options.conversations.claim(conversationId, principal.id);
  let closing = false;
  let missedPongs = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;

  const heartbeat = setInterval(() => {
    // Two pings without a pong: the peer (or the path to it) is gone; no close handshake possible.
    if (missedPongs >= 2) return ws.terminate();
    missedPongs += 1;
    ws.ping();
  }, timings.heartbeatMs);

  function send(frame: ServerFrame): void {
    if (closing || ws.readyState !== WebSocket.OPEN) return;
    const data = JSON.stringify(frame);
    // Bound the send buffer: a client that does not read must not make the gateway hold an
    // unbounded reply in memory.
    if (ws.bufferedAmount + Buffer.byteLength(data) > timings.maxBufferedBytes) {
      close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
      return;
    }
    ws.send(data);
  }

  function close(code: number, reason: string): void {
    if (closing) return;
    closing = true;
    stopWork();
    ws.close(code, reason);
    graceTimer = setTimeout(() => ws.terminate(), timings.closeGraceMs);
  }

  /** `keepRunning`: the peer dropped, so its replies wait for a resume (see SessionTurns). */
  function stopWork(keepRunning = false): void {
    clearInterval(heartbeat);
    clearTimeout(idleTimer);
    clearTimeout(expiryTimer);
    turns.release(keepRunning);
  }

  function armIdle(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      // A long streamed reply is activity too; only a quiet session times out.
      if (turns.size > 0) armIdle();
      else close(CLOSE_CODES.IDLE_TIMEOUT, 'idle timeout');
    }, timings.idleMs);
  }

  function armExpiry(): void {
    if (principal.expiresAt === undefined) return;
    const remaining = principal.expiresAt - now();
    if (remaining <= 0) return close(CLOSE_CODES.AUTH_ENDED, 'token expired');
    expiryTimer = setTimeout(armExpiry, Math.min(remaining, MAX_TIMER_MS));
  }

  /** Closes with 4001 when the credential was revoked or expired; true when it did. */
  function endIfCredentialEnded(): boolean {
    const ended = credentialEnded(principal, options.isRevoked, now());
    if (ended === undefined) return false;
    close(CLOSE_CODES.AUTH_ENDED, CREDENTIAL_END_REASONS[ended]);
    return true;
  }

  function runMessage(frame: Extract<ClientFrame, { type: 'message' }>): void {
    if (endIfCredentialEnded()) return;
    if (turns.has(frame.id)) {
      return send(
        errorFrame(
          frame.id,
          new GatewayError('INVALID_BODY', { message: 'A message with this id is still running' }),
        ),
      );
    }
    if (turns.size >= MAX_IN_FLIGHT_PER_SESSION) {
      return send(errorFrame(frame.id, new GatewayError('WS_TOO_MANY_IN_FLIGHT')));
    }
    turns.start(conversationId, frame.id, frame.text);
  }

  function resume(frame: Extract<ClientFrame, { type: 'resume' }>): void {
    if (endIfCredentialEnded()) return;
    if (turns.has(frame.id)) return;
    if (!turns.resume(conversationId, frame.id, frame.after_seq)) {
      send(errorFrame(frame.id, new GatewayError('RESUME_NOT_FOUND')));
    }
  }

  function cancel(id: string): void {
    // Cancelling a finished (or unknown) message is a harmless race, not an error.
    if (!turns.cancel(id)) return;
    send(errorFrame(id, new GatewayError('MESSAGE_CANCELLED')));
  }

  function attach(id: string): void {
    if (!options.conversations.claim(id, principal.id)) {
      return send(errorFrame(undefined, new GatewayError('CONVERSATION_FORBIDDEN')));
    }
    conversationId = id;
    send({ type: 'attached', conversation_id: id });
  }

  async function sendHistory(limit: number): Promise<void> {
    const id = conversationId;
    let entries: MemoryEntry[] = [];
    try {
      entries = (await options.history?.(conversationMemoryKey(principal.id, id), limit)) ?? [];
    } catch (error) {
      // The transcript is a convenience; a memory failure must not end the session.
      logger.warn({ err: error, sessionId }, 'web session history failed');
    }
    send({
      type: 'history',
      conversation_id: id,
      messages: entries.flatMap((entry) =>
        entry.role === null
          ? []
          : [{ role: entry.role, text: entry.content, at: entry.createdAt, id: entry.key }],
      ),
    });
  }

  ws.on('pong', () => {
    missedPongs = 0;
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closing) return;
    armIdle();
    if (isBinary) {
      return send(
        errorFrame(
          undefined,
          new GatewayError('INVALID_BODY', { message: 'Frames must be JSON text' }),
        ),
      );
    }
    const parsed = parseClientFrame(rawToText(data));
    if (!parsed.ok) return send(errorFrame(parsed.id, new GatewayError(parsed.code)));
    const frame = parsed.frame;
    if (frame.type === 'message') runMessage(frame);
    else if (frame.type === 'cancel') cancel(frame.id);
    else if (frame.type === 'resume') resume(frame);
    else if (frame.type === 'attach') attach(frame.conversation_id);
    else void sendHistory(frame.limit);
  });
  ws.on('error', (error) => {
    // Protocol violations (oversized frame, bad UTF-8) end the socket; ws closes it itself.
    logger.debug({ err: error, sessionId }, 'web session socket error');
  });
  ws.on('close', () => {
    // Closed by the peer (not by `close` above): replies in progress wait for a resume.
    const dropped = !closing;
    closing = true;
    stopWork(dropped);
    clearTimeout(graceTimer);
    options.registry.remove(sessionId);
  });

  const turns = new SessionTurns({
    sessionId,
    principal,
    clientKey: options.clientKey,
    dispatch: options.dispatch,
    turns: options.turns,
    send,
    errorFrame,
    logger,
    now,
  });

  options.registry.add({
    info: {
      session_id: sessionId,
      principal_id: principal.id,
      principal_kind: principal.kind,
      ...(principal.jti === undefined ? {} : { jti: principal.jti }),
      channel: 'web',
      agent: options.agent,
      client_key: options.clientKey,
      connected_at: new Date(now()).toISOString(),
      ...(principal.expiresAt === undefined
        ? {}
        : { expires_at: new Date(principal.expiresAt).toISOString() }),
    },
    close,
  });
  // A revocation notified between the upgrade's check and `add` above found no session to close.
  if (endIfCredentialEnded()) return;
  armIdle();
  armExpiry();
  send({ type: 'ready', session_id: sessionId, conversation_id: conversationId });
  if (requested.ok) send({ type: 'attached', conversation_id: conversationId });
  else if (requested.error !== undefined) send(errorFrame(undefined, requested.error));
}

/** What `?conversation=` asked for: attached, refused (the `attach` frame's error), or nothing. */
type RequestedConversation = { ok: true; id: string } | { ok: false; error?: GatewayError };

/** Applies the same checks as an `attach` frame (format, then the owning principal). */
function requestConversation(options: SessionOptions): RequestedConversation {
  const id = options.requestedConversation;
  if (id === undefined) return { ok: false };
  if (!isConversationId(id)) return { ok: false, error: new GatewayError('INVALID_BODY') };
  if (!options.conversations.claim(id, options.principal.id)) {
    return { ok: false, error: new GatewayError('CONVERSATION_FORBIDDEN') };
  }
  return { ok: true, id };
}

/** An error frame with the registry code and client-safe message (never upstream detail). */
function errorFrame(id: string | undefined, error: unknown): ServerFrame {
  const gatewayError = isGatewayError(error) ? error : new GatewayError('INTERNAL');
  const message = gatewayError.code === 'INTERNAL' ? ERRORS.INTERNAL.message : gatewayError.message;
  return {
    type: 'error',
    ...(id === undefined ? {} : { id }),
    code: gatewayError.code,
    message,
    ...(gatewayError.retryable ? { retryable: true } : {}),
    ...(typeof gatewayError.extra.retry_after === 'number'
      ? { retry_after: gatewayError.extra.retry_after }
      : {}),
  };
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
