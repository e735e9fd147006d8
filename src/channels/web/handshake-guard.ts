import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PendingUpgrades } from './pending-upgrades.js';

/**
 * How long a socket over its peer's cap may take to send complete request headers before it is
 * destroyed. Not zero: when the event loop was busy, a burst of ordinary connections is accepted
 * in one batch before any of their (already sent) requests is read, and must not be reset.
 */
export const OVER_CAP_GRACE_MS = 250;

/** Inputs of the pre-authentication socket guard. */
export interface HandshakeGuardOptions {
  /** Per-peer count of sockets that have not yet sent a complete request or authenticated. */
  pending: PendingUpgrades;
  /** How long a socket may take to send a complete request (and to authenticate an upgrade). */
  handshakeTimeoutMs: number;
  /** The key sockets are counted by: the TCP peer, the only thing known before a request. */
  peerKeyOf: (socket: Duplex) => string;
  /**
   * Peers whose fresh sockets are not counted (trusted proxies: one peer for every client). They
   * still get the deadline, and their upgrades count against the client behind them.
   */
  isExemptPeer?: (peer: string) => boolean;
}

/**
 * Slowloris defence for every socket of the server, not only `/ws`: no request has been parsed
 * when a socket connects, so a half-sent upgrade and a half-sent GET look the same.
 */
export interface HandshakeGuard {
  /** A new TCP (or TLS) socket: counted against its peer; over the cap it only gets the grace. */
  accept(socket: Duplex): void;
  /** A plain request's headers are complete: the socket stops counting until its next request. */
  requestStarted(request: IncomingMessage, response: ServerResponse): void;
  /** An upgrade is authenticating; false when its client is at the cap (the socket is not counted). */
  holdForUpgrade(socket: Duplex, clientKey: string): boolean;
  /** The upgrade was accepted: the socket stops counting and its deadline is cleared for good. */
  upgraded(socket: Duplex): void;
}

interface SocketState {
  socket: Duplex;
  release: (() => void) | undefined;
  /** The socket's deadline; re-armed with refresh() between keep-alive requests. */
  timer: NodeJS.Timeout | undefined;
  /** The length `timer` was made with. */
  timerMs: number;
  /** Requests whose response has not closed yet (HTTP/1.1 pipelining can make it more than one). */
  inFlight: number;
}

const kSocketState = Symbol('gatehouse.handshakeSocketState');

/** A socket past its deadline is destroyed unless a request on it is in progress. */
function onDeadline(state: SocketState): void {
  if (state.inFlight === 0) state.socket.destroy();
}

/** A response whose socket the guard tracks, until its 'close'. */
type TrackedResponse = ServerResponse & { [kSocketState]?: SocketState | undefined };

/** Builds the guard; the caller wires it to the server's events (see `attachUpgradeHandler`). */
export function createHandshakeGuard(options: HandshakeGuardOptions): HandshakeGuard {
  const states = new WeakMap<Duplex, SocketState>();

  const arm = (state: SocketState, ms = options.handshakeTimeoutMs): void => {
    if (state.timer !== undefined && state.timerMs === ms) {
      // The same timer restarted (it may have fired during a long request): no new one per request.
      state.timer.refresh();
      return;
    }
    clearTimeout(state.timer);
    state.timer = setTimeout(onDeadline, ms, state);
    state.timer.unref();
    state.timerMs = ms;
  };
  const disarm = (state: SocketState): void => {
    clearTimeout(state.timer);
    state.timer = undefined;
  };
  const release = (state: SocketState): void => {
    state.release?.();
    state.release = undefined;
  };

  const track = (socket: Duplex, slot: (() => void) | undefined): SocketState => {
    const state: SocketState = {
      socket,
      release: slot,
      timer: undefined,
      timerMs: 0,
      inFlight: 0,
    };
    states.set(socket, state);
    socket.on('close', socketClosed);
    return state;
  };

  // One listener for every socket, as for responses below: a socket keeps no closure of the guard.
  function socketClosed(this: Duplex): void {
    const state = states.get(this);
    if (state === undefined) return;
    disarm(state);
    release(state);
  }

  // One listener for every response, the socket's state kept on the response: no closure per
  // request on the path every keep-alive request takes.
  function requestClosed(this: TrackedResponse): void {
    const state = this[kSocketState];
    if (state === undefined) return;
    this[kSocketState] = undefined;
    state.inFlight -= 1;
    // Keep-alive: the next request on this socket gets the same deadline as a new socket's first
    // one, so finishing one quick request cannot buy unlimited time to dribble headers.
    if (state.inFlight === 0 && !state.socket.destroyed) arm(state);
  }

  return {
    accept(socket) {
      const peer = options.peerKeyOf(socket);
      if (options.isExemptPeer?.(peer) === true) {
        arm(track(socket, undefined));
        return;
      }
      const { release: slot, overCap } = options.pending.acquire(peer);
      // A peer holding its cap's worth of slow sockets gets no more slow ones: past the grace a
      // socket still without a complete request is closed (there is no request to answer yet).
      const deadline = overCap
        ? Math.min(OVER_CAP_GRACE_MS, options.handshakeTimeoutMs)
        : options.handshakeTimeoutMs;
      arm(track(socket, slot), deadline);
    },
    requestStarted(request, response) {
      const { socket } = request;
      const state = states.get(socket);
      if (state === undefined) return;
      // From here the request is bounded by the route's timeout and body limit, and counting it
      // would cap how many authenticated requests one client may have in progress. The deadline
      // stays set but spares a socket with a request in progress (see onDeadline).
      release(state);
      state.inFlight += 1;
      (response as TrackedResponse)[kSocketState] = state;
      response.on('close', requestClosed);
    },
    holdForUpgrade(socket, clientKey) {
      const state = states.get(socket);
      // Still counted since accept (a fresh socket); nothing to take.
      if (state?.release !== undefined) return true;
      // A keep-alive socket that already finished a request, a socket from a trusted proxy, or one
      // accepted before the guard was attached: it counts against its client while authenticating.
      const slot = options.pending.tryAcquire(clientKey);
      if (slot === undefined) return false;
      if (state === undefined) arm(track(socket, slot));
      else state.release = slot;
      return true;
    },
    upgraded(socket) {
      const state = states.get(socket);
      if (state === undefined) return;
      disarm(state);
      release(state);
      // A WebSocket from here on, perhaps for days: it keeps nothing of the guard.
      states.delete(socket);
      socket.off('close', socketClosed);
    },
  };
}
