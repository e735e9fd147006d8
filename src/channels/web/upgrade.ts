import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { hasTokenParam } from '../../auth/bearer.js';
import type { Principal } from '../../core/types.js';
import { isGatewayError } from '../../errors.js';
import { hostNotAllowed, originForbidden } from '../../http/edge-errors.js';
import type { HostPolicy } from '../../http/host-policy.js';
import type { OriginRefusalReporter } from '../../http/origin-refusals.js';
import { createHandshakeGuard } from './handshake-guard.js';
import { checkOrigin } from '../../http/origin-policy.js';
import type { PendingUpgrades } from './pending-upgrades.js';
import { checkUpgradeRequest } from './upgrade-request.js';
import { rejectUpgrade } from './upgrade-response.js';

export interface UpgradeHandlerOptions {
  /** The only paths that upgrade (`/ws` and its alias). */
  paths: readonly string[];
  wss: Pick<WebSocketServer, 'handleUpgrade'>;
  allowedOrigins: readonly string[];
  selfOrigins: () => readonly string[];
  /** Sockets per peer that have not sent a complete request or finished authenticating. */
  pending: PendingUpgrades;
  /** From TCP accept (or the end of the previous response) until a complete request or the 101. */
  handshakeTimeoutMs: number;
  /** The pending cap's key for a socket (its peer IP). */
  peerKeyOf: (socket: Duplex) => string;
  /** Peers not counted at accept (trusted proxies): their sockets carry many clients. */
  isExemptPeer?: (peer: string) => boolean;
  /** The session's client key (forwarded headers when trusted); the cap's key once a request is in. */
  clientKeyOf: (request: IncomingMessage) => string;
  /** The DNS-rebinding check, as on every HTTP route. */
  isHostAllowed?: HostPolicy;
  reportOriginRefusal?: OriginRefusalReporter;
  /** Ticket or Authorization header → principal with `channels:web`; throws GatewayError. */
  authenticate: (request: IncomingMessage, url: URL) => Promise<Principal>;
  /** `conversation`: the `?conversation=` query value, to attach before `ready`. */
  onSession: (
    ws: WebSocket,
    principal: Principal,
    clientKey: string,
    conversation: string | undefined,
  ) => void;
  logger: Logger;
}

/**
 * Wires the upgrade path onto an HTTP server. Every check runs before the 101: path, the RFC 6455
 * handshake fields, secrets in the URL, Origin, the per-peer pending cap, then authentication.
 * Every socket of the server gets the handshake deadline and the pending cap (see
 * `createHandshakeGuard`). Returns a detach function.
 */
export function attachUpgradeHandler(server: Server, options: UpgradeHandlerOptions): () => void {
  const guard = createHandshakeGuard({
    pending: options.pending,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    peerKeyOf: options.peerKeyOf,
    ...(options.isExemptPeer === undefined ? {} : { isExemptPeer: options.isExemptPeer }),
  });

  const onConnection = (socket: Duplex): void => guard.accept(socket);
  const onRequest = (request: IncomingMessage, response: ServerResponse): void =>
    guard.requestStarted(request, response);

  // Shared by every upgraded socket, which keeps it for its whole life.
  const onSocketError = (error: Error): void => {
    // Peers reset half-open upgrades routinely (ECONNRESET); nothing to answer.
    options.logger.debug({ err: error }, 'ws upgrade socket error');
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onSocketError);
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
    const { host } = request.headers;
    if (options.isHostAllowed !== undefined && !options.isHostAllowed(host)) {
      return rejectUpgrade(socket, hostNotAllowed(host));
    }
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    if (!options.paths.includes(url.pathname)) return rejectUpgrade(socket, 'NOT_FOUND');
    const malformed = checkUpgradeRequest(request);
    if (malformed !== undefined) return rejectUpgrade(socket, malformed);
    if (hasTokenParam(url.searchParams.keys())) return rejectUpgrade(socket, 'AUTH_TOKEN_IN_URL');
    const origin = request.headers.origin;
    const allowed = checkOrigin({
      origin,
      allowedOrigins: options.allowedOrigins,
      selfOrigins: options.selfOrigins(),
    });
    if (!allowed) {
      if (origin === undefined) return rejectUpgrade(socket, 'ORIGIN_FORBIDDEN');
      options.reportOriginRefusal?.(origin, url.pathname);
      return rejectUpgrade(socket, originForbidden(origin));
    }

    const clientKey = options.clientKeyOf(request);
    if (!guard.holdForUpgrade(socket, clientKey)) {
      return rejectUpgrade(socket, 'WS_TOO_MANY_PENDING');
    }
    let principal: Principal;
    try {
      principal = await options.authenticate(request, url);
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      return rejectUpgrade(socket, error);
    }
    // The deadline may have destroyed the socket while authentication was running.
    if (socket.destroyed) return;
    guard.upgraded(socket);
    const conversation = url.searchParams.get('conversation') ?? undefined;
    options.wss.handleUpgrade(request, socket, head, (ws) => {
      options.onSession(ws, principal, clientKey, conversation);
    });
  }

  // Behind TLS the request's socket is the TLSSocket, so time that one, not the raw TCP socket.
  const connectionEvent = 'setSecureContext' in server ? 'secureConnection' : 'connection';
  // An idle keep-alive socket is closed at the handshake deadline; advertising no longer an idle
  // time (`Keep-Alive: timeout=`) lets clients retire it first instead of racing the close.
  const keepAliveTimeout = server.keepAliveTimeout;
  if (keepAliveTimeout === 0 || keepAliveTimeout > options.handshakeTimeoutMs) {
    server.keepAliveTimeout = options.handshakeTimeoutMs;
  }
  server.on(connectionEvent, onConnection);
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  return () => {
    server.off(connectionEvent, onConnection);
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    server.keepAliveTimeout = keepAliveTimeout;
  };
}
