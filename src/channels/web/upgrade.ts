import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../../core/types.js';
import { isGatewayError } from '../../errors.js';
import { checkOrigin } from './origin-policy.js';
import type { PendingUpgrades } from './pending-upgrades.js';
import { rejectUpgrade } from './upgrade-response.js';

/** The only path that upgrades. */
export const WS_PATH = '/ws';

export interface UpgradeHandlerOptions {
  wss: WebSocketServer;
  allowedOrigins: readonly string[];
  selfOrigins: () => readonly string[];
  pending: PendingUpgrades;
  /** From TCP accept until the 101 (or the first plain HTTP request) is complete. */
  handshakeTimeoutMs: number;
  clientKeyOf: (request: IncomingMessage) => string;
  /** Ticket or Authorization header → principal with `channels:web`; throws GatewayError. */
  authenticate: (request: IncomingMessage, url: URL) => Promise<Principal>;
  onSession: (ws: WebSocket, principal: Principal, clientKey: string) => void;
  logger: Logger;
}

/**
 * Wires the upgrade path onto an HTTP server. Every check runs before the 101: path, secrets in
 * the URL, Origin, the per-client pending cap, then authentication. Returns a detach function.
 */
export function attachUpgradeHandler(server: Server, options: UpgradeHandlerOptions): () => void {
  const deadlines = new WeakMap<Duplex, NodeJS.Timeout>();

  const clearDeadline = (socket: Duplex): void => {
    clearTimeout(deadlines.get(socket));
    deadlines.delete(socket);
  };

  // Slowloris defence: a socket that never finishes its request (or its upgrade's authentication)
  // is destroyed, so unauthenticated sockets cannot pile up waiting.
  const onConnection = (socket: Socket): void => {
    const timer = setTimeout(() => socket.destroy(), options.handshakeTimeoutMs);
    timer.unref();
    deadlines.set(socket, timer);
    socket.once('close', () => clearDeadline(socket));
  };
  const onRequest = (request: IncomingMessage): void => clearDeadline(request.socket);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => {
      // Peers reset half-open upgrades routinely (ECONNRESET); nothing to answer.
      options.logger.debug({ err: error }, 'ws upgrade socket error');
    });
    void handleUpgrade(request, socket, head).catch((error: unknown) => {
      options.logger.error({ err: error }, 'ws upgrade failed');
      rejectUpgrade(socket, 'INTERNAL');
    });
  };

  async function handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== WS_PATH) return rejectUpgrade(socket, 'NOT_FOUND');
    if (url.searchParams.has('token') || url.searchParams.has('access_token')) {
      return rejectUpgrade(socket, 'AUTH_TOKEN_IN_URL');
    }
    const origin = request.headers.origin;
    const allowed = checkOrigin({
      origin,
      allowedOrigins: options.allowedOrigins,
      selfOrigins: options.selfOrigins(),
    });
    if (!allowed) return rejectUpgrade(socket, 'ORIGIN_FORBIDDEN');

    const clientKey = options.clientKeyOf(request);
    const release = options.pending.tryAcquire(clientKey);
    if (release === undefined) return rejectUpgrade(socket, 'WS_TOO_MANY_PENDING');
    let principal: Principal;
    try {
      principal = await options.authenticate(request, url);
    } catch (error) {
      release();
      if (!isGatewayError(error)) throw error;
      return rejectUpgrade(socket, error.code);
    }
    release();
    // The deadline may have destroyed the socket while authentication was running.
    if (socket.destroyed) return;
    clearDeadline(socket);
    options.wss.handleUpgrade(request, socket, head, (ws) => {
      options.onSession(ws, principal, clientKey);
    });
  }

  // Behind TLS the request's socket is the TLSSocket, so time that one, not the raw TCP socket.
  const connectionEvent = 'setSecureContext' in server ? 'secureConnection' : 'connection';
  server.on(connectionEvent, onConnection);
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  return () => {
    server.off(connectionEvent, onConnection);
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
  };
}
