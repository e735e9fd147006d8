import type { Logger } from 'pino';
import type { Dispatch, DispatchResult, Principal } from '../../core/types.js';
import { DEFAULT_AGENT } from '../../core/routing/rules.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import type { TurnStream, TurnStreams } from '../turn-streams.js';
import { conversationMemoryKey } from './conversations.js';
import { errorFrame } from './frames.js';
import type { ServerFrame } from './frames.js';

export interface SessionTurnsOptions {
  sessionId: string;
  principal: Principal;
  /** The client address, for pipeline stages keyed by client. */
  clientKey: string;
  dispatch: Dispatch;
  /** Turns shared by every session, so a new socket can resume one its predecessor started. */
  turns: TurnStreams;
  send(frame: ServerFrame): void;
  logger: Logger;
  now: () => number;
}

/** A turn this socket follows, and how to stop following it. */
interface Followed {
  key: string;
  stream: TurnStream;
  detach(): void;
}

/**
 * The replies a WebSocket session follows. Each runs as a resumable turn keyed by principal,
 * conversation and message id: when the socket drops, the turn keeps running for the grace period
 * and a socket attached to the same conversation may `resume` it after the last `seq` it saw.
 */
export class SessionTurns {
  readonly #options: SessionTurnsOptions;
  readonly #followed = new Map<string, Followed>();

  constructor(options: SessionTurnsOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#followed.size;
  }

  has(id: string): boolean {
    return this.#followed.has(id);
  }

  /** Starts a new turn for a `message` frame and follows it. */
  start(conversationId: string, id: string, text: string): void {
    const { principal, sessionId, now } = this.#options;
    const key = this.#key(conversationId, id);
    const stream = this.#options.turns.start(key);
    this.#options
      .dispatch({
        message: {
          channel: 'web',
          senderId: principal.id,
          conversationId: conversationMemoryKey(principal.id, conversationId),
          text,
          messageId: id,
          replyTarget: sessionId,
          receivedAt: now(),
        },
        principal,
        clientKey: this.#options.clientKey,
        idempotencyKey: `ws:${sessionId}:${id}`,
        signal: stream.signal,
        onDelta: (delta) => stream.push(delta),
      })
      .then(
        (result) => stream.finish(result),
        (error: unknown) => {
          if (!isGatewayError(error)) {
            this.#options.logger.warn({ err: error, sessionId }, 'web session dispatch failed');
          }
          stream.fail(error);
        },
      )
      .finally(() => this.#options.turns.ended(key, stream));
    this.#follow(id, key, stream, 0);
  }

  /** Follows a turn of this conversation again from after `afterSeq`; false when there is none. */
  resume(conversationId: string, id: string, afterSeq: number): boolean {
    const key = this.#key(conversationId, id);
    const stream = this.#options.turns.get(key);
    if (stream === undefined) return false;
    this.#follow(id, key, stream, afterSeq);
    return true;
  }

  /** `cancel`: aborts the turn at once. False when this socket follows no such turn. */
  cancel(id: string): boolean {
    const followed = this.#followed.get(id);
    if (followed === undefined) return false;
    this.#unfollow(id);
    followed.stream.abort(new GatewayError('MESSAGE_CANCELLED'));
    return true;
  }

  /**
   * Stops following every turn. `keepRunning` (the peer dropped) leaves them running for the
   * grace period, waiting for a resume; otherwise (revoked, killed, shutdown) they are aborted.
   */
  release(keepRunning: boolean): void {
    for (const [id, followed] of [...this.#followed]) {
      this.#unfollow(id);
      const reason = new GatewayError('MESSAGE_CANCELLED');
      if (keepRunning) this.#options.turns.detached(followed.key, followed.stream, reason);
      else followed.stream.abort(reason);
    }
  }

  #key(conversationId: string, id: string): string {
    return `${this.#options.principal.id}\n${conversationId}\n${id}`;
  }

  #follow(id: string, key: string, stream: TurnStream, afterSeq: number): void {
    const { send } = this.#options;
    const followed: Followed = { key, stream, detach: () => undefined };
    this.#followed.set(id, followed);
    followed.detach = stream.attach(
      {
        chunk: (delta, seq) => send({ type: 'chunk', id, delta, seq }),
        done: (result: DispatchResult) => {
          this.#unfollow(id);
          send({
            type: 'done',
            id,
            response: result.response,
            model: result.model,
            agent: result.agent ?? DEFAULT_AGENT,
          });
        },
        error: (error) => {
          this.#unfollow(id);
          send(errorFrame(id, error));
        },
      },
      afterSeq,
    );
  }

  #unfollow(id: string): void {
    const followed = this.#followed.get(id);
    if (followed === undefined) return;
    this.#followed.delete(id);
    followed.detach();
  }
}
