import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { Dispatch, Principal } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import { CLOSE_CODES } from './close-codes.js';
import { credentialEnded, CREDENTIAL_END_REASONS } from './credential-check.js';
import { errorFrame, frameText, parseClientFrame } from './frames.js';
import type { ClientFrame, ServerFrame } from './frames.js';
import type { RegisteredSession, SessionInfo, SessionRegistry } from './session-registry.js';
import { conversationMemoryKey } from './conversations.js';
import { requestConversation } from './conversation-request.js';
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

/** What every session of a channel shares: made once, not per session. */
export interface SessionContext {
  agent: string;
  dispatch: Dispatch;
  registry: SessionRegistry;
  /** Revocation by `principal.jti`: a JWT id or a paired token's `paired:<hash>`. */
  isRevoked: (jti: string) => boolean;
  timings: SessionTimings;
  logger: Logger;
  /** Owners of conversations, for `attach`. */
  conversations: ConversationRegistry;
  /** Resumable turns shared by every session. */
  turns: TurnStreams;
  /** Recent entries of a conversation (memory), for the `history` frame. */
  history?: (memoryKey: string, limit: number) => Promise<MemoryEntry[]>;
  now?: () => number;
}

/** One authenticated socket. */
export interface SessionStart {
  ws: WebSocket;
  sessionId: string;
  principal: Principal;
  clientKey: string;
  /** `?conversation=` of the upgrade URL: attached before `ready`, as an `attach` frame would. */
  requestedConversation?: string;
}

/** Messages a session may run at once; more would let one socket fan out unbounded LLM calls. */
export const MAX_IN_FLIGHT_PER_SESSION = 4;
// setTimeout stores its delay in a signed 32-bit int; longer delays fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where a socket keeps its session, so the socket's listeners are shared by every session. */
const kSession = Symbol('webSession');
type SessionSocket = WebSocket & { [kSession]?: WebSession };

/** Runs one authenticated WebSocket session until its socket closes. */
export function runSession(context: SessionContext, start: SessionStart): void {
  new WebSession(context, start).start();
}

/**
 * One session. An idle gateway may hold tens of thousands of these, so a session is one object
 * with its methods on the prototype, its socket's listeners are functions shared by all sessions,
 * and one timer serves the heartbeat, the idle timeout and the credential's expiry alike: a
 * message only moves a deadline, and the timer, when it fires, checks which deadline has come.
 */
class WebSession implements RegisteredSession {
  readonly #context: SessionContext;
  readonly #ws: WebSocket;
  readonly sessionId: string;
  readonly #principal: Principal;
  readonly #clientKey: string;
  readonly #connectedAt: number;
  #conversationId: string;
  #closing = false;
  #missedPongs = 0;
  /** When the heartbeat next pings, and when the session times out unless a message comes. */
  #pingAt: number;
  #idleAt: number;
  /** Set for the nearest deadline while the session is open (see `#wake`). */
  #timer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  /** Made with the first message: a session that never sends one does not pay for it. */
  #turns: SessionTurns | undefined;
  /** A refused `?conversation=`, answered after `ready`. */
  readonly #refusal: GatewayError | undefined;
  readonly #attached: boolean;

  constructor(context: SessionContext, start: SessionStart) {
    this.#context = context;
    this.#ws = start.ws;
    this.sessionId = start.sessionId;
    this.#principal = start.principal;
    this.#clientKey = start.clientKey;
    // A new socket starts a new conversation unless `?conversation=` names one it may attach to;
    // `attach` switches it later. A refused request leaves the new one and is answered after `ready`.
    const requested = requestConversation(
      context.conversations,
      start.requestedConversation,
      start.principal.id,
    );
    this.#attached = requested.ok;
    this.#refusal = requested.ok ? undefined : requested.error;
    this.#conversationId = requested.ok ? requested.id : randomUUID();
    if (!requested.ok) context.conversations.claim(this.#conversationId, start.principal.id);
    const now = this.#now();
    this.#pingAt = now + context.timings.heartbeatMs;
    this.#idleAt = now + context.timings.idleMs;
    this.#connectedAt = now;
  }

  get jti(): string | undefined {
    return this.#principal.jti;
  }

  /** Built when asked for (`sessions list`), not held by every idle session. */
  get info(): SessionInfo {
    const principal = this.#principal;
    return {
      session_id: this.sessionId,
      principal_id: principal.id,
      principal_kind: principal.kind,
      ...(principal.jti === undefined ? {} : { jti: principal.jti }),
      channel: 'web',
      agent: this.#context.agent,
      client_key: this.#clientKey,
      connected_at: new Date(this.#connectedAt).toISOString(),
      ...(principal.expiresAt === undefined
        ? {}
        : { expires_at: new Date(principal.expiresAt).toISOString() }),
    };
  }

  start(): void {
    const ws = this.#ws as SessionSocket;
    ws[kSession] = this;
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
    this.#context.registry.add(this);
    // A revocation notified between the upgrade's check and `add` above found no session to close.
    if (this.#endIfCredentialEnded()) return;
    this.#wake();
    const conversationId = this.#conversationId;
    this.send({
      type: 'ready',
      session_id: this.sessionId,
      conversation_id: conversationId,
    });
    if (this.#attached) this.send({ type: 'attached', conversation_id: conversationId });
    else if (this.#refusal !== undefined) this.send(errorFrame(undefined, this.#refusal));
  }

  send(frame: ServerFrame): void {
    const ws = this.#ws;
    if (this.#closing || ws.readyState !== WebSocket.OPEN) return;
    const data = JSON.stringify(frame);
    // Bound the send buffer: a client that does not read must not make the gateway hold an
    // unbounded reply in memory.
    if (ws.bufferedAmount + Buffer.byteLength(data) > this.#context.timings.maxBufferedBytes) {
      this.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
      return;
    }
    ws.send(data);
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#stopWork(false);
    const ws = this.#ws;
    ws.close(code, reason);
    this.#graceTimer = setTimeout(() => ws.terminate(), this.#context.timings.closeGraceMs);
  }

  pong(): void {
    this.#missedPongs = 0;
  }

  message(data: RawData, isBinary: boolean): void {
    if (this.#closing) return;
    // The idle deadline moves; the timer finds out when it fires.
    this.#idleAt = this.#now() + this.#context.timings.idleMs;
    if (isBinary) {
      return this.send(
        errorFrame(
          undefined,
          new GatewayError('INVALID_BODY', { message: 'Frames must be JSON text' }),
        ),
      );
    }
    const parsed = parseClientFrame(frameText(data));
    if (!parsed.ok) return this.send(errorFrame(parsed.id, new GatewayError(parsed.code)));
    const frame = parsed.frame;
    if (frame.type === 'message') this.#runMessage(frame);
    else if (frame.type === 'cancel') this.#cancel(frame.id);
    else if (frame.type === 'resume') this.#resume(frame);
    else if (frame.type === 'attach') this.#attach(frame.conversation_id);
    else void this.#sendHistory(frame.limit);
  }

  socketError(error: Error): void {
    // Protocol violations (oversized frame, bad UTF-8) end the socket; ws closes it itself.
    this.#context.logger.debug(
      { err: error, sessionId: this.sessionId },
      'web session socket error',
    );
  }

  socketClosed(): void {
    // Closed by the peer (not by `close` above): replies in progress wait for a resume.
    const dropped = !this.#closing;
    this.#closing = true;
    this.#stopWork(dropped);
    clearTimeout(this.#graceTimer);
    this.#context.registry.remove(this.sessionId);
  }

  /** `keepRunning`: the peer dropped, so its replies wait for a resume (see SessionTurns). */
  #stopWork(keepRunning: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#turns?.release(keepRunning);
  }

  #now(): number {
    return (this.#context.now ?? Date.now)();
  }

  /** Sets the timer for the nearest of the ping, the idle deadline and the expiry. */
  #wake(): void {
    const expiresAt = this.#principal.expiresAt ?? Number.POSITIVE_INFINITY;
    const wakeAt = Math.min(this.#pingAt, this.#idleAt, expiresAt);
    const delay = Math.min(Math.max(0, wakeAt - this.#now()), MAX_TIMER_MS);
    this.#timer = setTimeout(onTimer, delay, this);
  }

  /** The timer came: acts on every deadline that has passed, then sets it for the next one. */
  timer(): void {
    this.#timer = undefined;
    if (this.#closing) return;
    const now = this.#now();
    const { timings } = this.#context;
    const principal = this.#principal;
    if (principal.expiresAt !== undefined && principal.expiresAt <= now) {
      return this.close(CLOSE_CODES.AUTH_ENDED, CREDENTIAL_END_REASONS.expired);
    }
    if (this.#idleAt <= now) {
      // A long streamed reply is activity too; only a quiet session times out.
      if ((this.#turns?.size ?? 0) === 0) {
        return this.close(CLOSE_CODES.IDLE_TIMEOUT, 'idle timeout');
      }
      this.#idleAt = now + timings.idleMs;
    }
    if (this.#pingAt <= now) {
      // Two pings without a pong: the peer (or the path to it) is gone; no close handshake possible.
      if (this.#missedPongs >= 2) {
        this.#ws.terminate();
        return;
      }
      this.#missedPongs += 1;
      this.#ws.ping();
      this.#pingAt = now + timings.heartbeatMs;
    }
    this.#wake();
  }

  /** Closes with 4001 when the credential was revoked or expired; true when it did. */
  #endIfCredentialEnded(): boolean {
    const ended = credentialEnded(this.#principal, this.#context.isRevoked, this.#now());
    if (ended === undefined) return false;
    this.close(CLOSE_CODES.AUTH_ENDED, CREDENTIAL_END_REASONS[ended]);
    return true;
  }

  #runMessage(frame: Extract<ClientFrame, { type: 'message' }>): void {
    if (this.#endIfCredentialEnded()) return;
    const turns = this.#sessionTurns();
    if (turns.has(frame.id)) {
      return this.send(
        errorFrame(
          frame.id,
          new GatewayError('INVALID_BODY', { message: 'A message with this id is still running' }),
        ),
      );
    }
    if (turns.size >= MAX_IN_FLIGHT_PER_SESSION) {
      return this.send(errorFrame(frame.id, new GatewayError('WS_TOO_MANY_IN_FLIGHT')));
    }
    turns.start(this.#conversationId, frame.id, frame.text);
  }

  #resume(frame: Extract<ClientFrame, { type: 'resume' }>): void {
    if (this.#endIfCredentialEnded()) return;
    const turns = this.#sessionTurns();
    if (turns.has(frame.id)) return;
    if (!turns.resume(this.#conversationId, frame.id, frame.after_seq)) {
      this.send(errorFrame(frame.id, new GatewayError('RESUME_NOT_FOUND')));
    }
  }

  #cancel(id: string): void {
    // Cancelling a finished (or unknown) message is a harmless race, not an error.
    if (this.#turns?.cancel(id) !== true) return;
    this.send(errorFrame(id, new GatewayError('MESSAGE_CANCELLED')));
  }

  #attach(id: string): void {
    if (!this.#context.conversations.claim(id, this.#principal.id)) {
      return this.send(errorFrame(undefined, new GatewayError('CONVERSATION_FORBIDDEN')));
    }
    this.#conversationId = id;
    this.send({ type: 'attached', conversation_id: id });
  }

  async #sendHistory(limit: number): Promise<void> {
    const { history, logger } = this.#context;
    const { sessionId } = this;
    const principal = this.#principal;
    const id = this.#conversationId;
    let entries: MemoryEntry[] = [];
    try {
      entries = (await history?.(conversationMemoryKey(principal.id, id), limit)) ?? [];
    } catch (error) {
      // The transcript is a convenience; a memory failure must not end the session.
      logger.warn({ err: error, sessionId }, 'web session history failed');
    }
    this.send({
      type: 'history',
      conversation_id: id,
      messages: entries.flatMap((entry) =>
        entry.role === null
          ? []
          : [{ role: entry.role, text: entry.content, at: entry.createdAt, id: entry.key }],
      ),
    });
  }

  #sessionTurns(): SessionTurns {
    const context = this.#context;
    this.#turns ??= new SessionTurns({
      sessionId: this.sessionId,
      principal: this.#principal,
      clientKey: this.#clientKey,
      dispatch: context.dispatch,
      turns: context.turns,
      send: (frame) => this.send(frame),
      logger: context.logger,
      now: context.now ?? Date.now,
    });
    return this.#turns;
  }
}

// The socket's listeners, shared by every session (`this` is the socket).
function onPong(this: SessionSocket): void {
  this[kSession]?.pong();
}
function onMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
  this[kSession]?.message(data, isBinary);
}
function onError(this: SessionSocket, error: Error): void {
  this[kSession]?.socketError(error);
}
function onClose(this: SessionSocket): void {
  this[kSession]?.socketClosed();
}
function onTimer(session: WebSession): void {
  session.timer();
}
