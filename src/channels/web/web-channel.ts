import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { Authenticate } from '../../auth/authenticate.js';
import type { CredentialRevocations } from '../../auth/credential-revocations.js';
import { hasScope, SCOPE_WEB } from '../../auth/scopes.js';
import type { Config } from '../../config/schema.js';
import type { Dispatch, Principal } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import type { Observer } from '../../observability/types.js';
import { normalizeIp, UNKNOWN_CLIENT } from '../../http/client-address.js';
import type { EdgePolicy } from '../../http/edge-policy.js';
import type { OriginRefusalReporter } from '../../http/origin-refusals.js';
import type { RouteRegistrar } from '../../http/route-types.js';
import { CLOSE_CODES } from './close-codes.js';
import { credentialEnded } from './credential-check.js';
import { createPendingUpgrades } from './pending-upgrades.js';
import { WEB_ROUTES, webHandlers } from './routes.js';
import type { AdminGuard } from './routes.js';
import { channelRouteRegistrar, upgradePaths } from '../route-builder.js';
import type { ChannelRouteHandler } from '../module.js';
import type { runSession, SessionContext, SessionTimings } from './session.js';
import { createSessionRegistry } from './session-registry.js';
import { createConversationRegistry } from './conversations.js';
import { createTurnStreams } from '../turn-streams.js';
import type { MemoryEntry } from '../../memory/types.js';
import type { SessionDirectory, SessionRegistry } from './session-registry.js';
import type { TicketStore } from './tickets.js';
import { attachUpgradeHandler } from './upgrade.js';
import { rejectUpgrade, SECURITY_HEADER_LINES } from './upgrade-response.js';

/** Timings in ms; each defaults to its `channels_config.web` seconds value. */
export interface WebChannelTimings extends SessionTimings {
  handshakeTimeoutMs: number;
  /** How long a reply keeps running after its socket dropped, waiting for a resume. */
  resumeGraceMs: number;
}

export interface WebChannelOptions {
  config: Config;
  dispatch: Dispatch;
  authenticator: Authenticate;
  tickets: TicketStore;
  /**
   * Revocation by `principal.jti` (`createCredentialRevocations`: revoked JWTs and removed paired
   * tokens); a notified handle closes its live sessions with 4001.
   */
  revocations: CredentialRevocations;
  observer: Observer;
  logger: Logger;
  /** The gateway's own origins (see `selfOriginsFor`); a function when the port is known late. */
  selfOrigins: readonly string[] | (() => readonly string[]);
  /** A session's client key (`resolveClientAddress`); defaults to the peer IP. */
  clientKeyOf?: (request: IncomingMessage) => string;
  /** Trusted proxies (exempt from the per-peer pending cap) and the Host check. */
  edge?: Pick<EdgePolicy, 'isTrustedProxy' | 'isHostAllowed'>;
  reportOriginRefusal?: OriginRefusalReporter;
  /** Loopback + admin-secret preHandler (`requireAdmin`); admin routes are omitted without it. */
  adminGuard?: AdminGuard;
  /** Agent every session is bound to. */
  agent?: string;
  /** Recent entries of a conversation (memory), for the `history` frame. */
  history?: (memoryKey: string, limit: number) => Promise<MemoryEntry[]>;
  /** Overrides (tests use short ones). */
  timings?: Partial<WebChannelTimings>;
  /**
   * With shared state: wraps this instance's registry so sessions are announced to the other
   * instances, and gives `sessions list|kill` a directory of all of them.
   */
  shareSessions?: (local: SessionRegistry) => {
    registry: SessionRegistry;
    directory: SessionDirectory;
  };
}

/** The WebSocket channel: routes to register, the upgrade hook to attach, and shutdown. */
export interface WebChannel {
  /** The declared HTTP routes (`WEB_ROUTES`) with their handlers. */
  routes: RouteRegistrar;
  /** The same handlers by route id. */
  handlers: Readonly<Record<string, ChannelRouteHandler>>;
  /**
   * Handles upgrades on the server (Fastify's `app.server`) on `paths` (default: the declared
   * upgrade paths); returns a detach function.
   */
  attach(server: Server, paths?: readonly string[]): () => void;
  closeAll(code?: number, reason?: string): void;
  readonly registry: SessionRegistry;
}

/**
 * Builds the WebSocket channel. Authentication (ticket or Authorization header) completes before
 * the 101, so no unauthenticated frame is ever read: the small pre-auth frame limit the issue asks
 * for is moot, and `maxPayload` is `max_frame_bytes` from the first frame.
 */
export function webChannel(options: WebChannelOptions): WebChannel {
  const web = options.config.channels_config.web;
  const timings: WebChannelTimings = {
    heartbeatMs: web.heartbeat_interval_secs * 1000,
    idleMs: web.idle_timeout_secs * 1000,
    handshakeTimeoutMs: web.handshake_timeout_secs * 1000,
    closeGraceMs: 5000,
    maxBufferedBytes: web.max_buffered_bytes,
    resumeGraceMs: web.resume_grace_secs * 1000,
    ...options.timings,
  };
  const localRegistry = createSessionRegistry(options.observer);
  const shared = options.shareSessions?.(localRegistry);
  const registry = shared?.registry ?? localRegistry;
  const conversations = createConversationRegistry();
  const turns = createTurnStreams({ graceMs: timings.resumeGraceMs });
  const selfOrigins =
    typeof options.selfOrigins === 'function'
      ? options.selfOrigins
      : () => options.selfOrigins as readonly string[];
  const clientKeyOf =
    options.clientKeyOf ?? ((request) => request.socket.remoteAddress ?? 'unknown');
  const sockets = lazySocketRuntime(web.max_frame_bytes);
  options.revocations.onRevoked((jti) => {
    registry.closeByJti(jti, CLOSE_CODES.AUTH_ENDED, 'token revoked');
  });

  async function authenticateUpgrade(request: IncomingMessage, url: URL): Promise<Principal> {
    const ticket = url.searchParams.get('ticket');
    const principal =
      ticket !== null
        ? await options.tickets.consume(ticket)
        : await options.authenticator(request.headers.authorization, SCOPE_WEB);
    // A ticket outlives the checks made when it was issued (a JWT revoked or a paired token removed
    // since): re-check scope and credential. An expiry in between is left to the session, which
    // closes at once with 4001 "token expired" so the client learns why.
    if (!hasScope(principal, SCOPE_WEB)) throw new GatewayError('AUTH_INSUFFICIENT_SCOPE');
    if (credentialEnded(principal, options.revocations.isRevoked, Date.now()) === 'revoked') {
      throw new GatewayError('AUTH_TOKEN_REVOKED');
    }
    return principal;
  }

  const sessionContext: SessionContext = {
    agent: options.agent ?? 'default',
    dispatch: options.dispatch,
    registry,
    isRevoked: options.revocations.isRevoked,
    timings,
    logger: options.logger,
    conversations,
    turns,
    ...(options.history === undefined ? {} : { history: options.history }),
  };

  const handlers = webHandlers({
    authenticator: options.authenticator,
    tickets: options.tickets,
    registry,
    origins: {
      allowedOrigins: web.allowed_origins,
      selfOrigins,
      ...(options.reportOriginRefusal === undefined
        ? {}
        : { reportRefusal: options.reportOriginRefusal }),
    },
    ...(shared === undefined ? {} : { directory: shared.directory }),
    ...(options.adminGuard === undefined ? {} : { adminGuard: options.adminGuard }),
  });
  return {
    routes: channelRouteRegistrar([{ routes: WEB_ROUTES, handlers }]),
    handlers,
    attach(server, paths = upgradePaths(WEB_ROUTES)) {
      return attachUpgradeHandler(server, {
        paths,
        wss: { handleUpgrade: (...args) => sockets.ready().wss.handleUpgrade(...args) },
        allowedOrigins: web.allowed_origins,
        selfOrigins,
        pending: createPendingUpgrades(web.max_pending_per_client),
        handshakeTimeoutMs: timings.handshakeTimeoutMs,
        peerKeyOf,
        clientKeyOf,
        ...(options.edge === undefined
          ? {}
          : {
              isExemptPeer: options.edge.isTrustedProxy,
              isHostAllowed: options.edge.isHostAllowed,
            }),
        ...(options.reportOriginRefusal === undefined
          ? {}
          : { reportOriginRefusal: options.reportOriginRefusal }),
        async authenticate(request, url) {
          // The handshake deadline covers the first load, and the 101 that follows finds it done.
          const [principal] = await Promise.all([
            authenticateUpgrade(request, url),
            sockets.load(),
          ]);
          return principal;
        },
        onSession(ws, principal, clientKey, conversation) {
          sockets.ready().runSession(sessionContext, {
            ws,
            ...(conversation === undefined ? {} : { requestedConversation: conversation }),
            sessionId: randomUUID(),
            principal,
            clientKey,
          });
        },
        logger: options.logger,
      });
    },
    closeAll(code = CLOSE_CODES.GOING_AWAY, reason = 'server shutting down') {
      registry.closeAll(code, reason);
    },
    registry,
  };
}

/** The TCP peer's IP: all that is known of a socket before its request arrives. */
function peerKeyOf(socket: Duplex): string {
  const address = (socket as Partial<Socket>).remoteAddress;
  return address === undefined ? UNKNOWN_CLIENT : (normalizeIp(address) ?? UNKNOWN_CLIENT);
}

/** `ws` and the session loop built on it. */
interface SocketRuntime {
  wss: WebSocketServer;
  runSession: typeof runSession;
}

/**
 * `ws` and the session code cost a noticeable share of start-up time and memory, for a channel
 * many gateways never see used, so they are imported with the first upgrade attempt. `ready()`
 * is for the steps after authentication, which always awaits `load()` first.
 */
function lazySocketRuntime(maxFrameBytes: number): {
  load(): Promise<SocketRuntime>;
  ready(): SocketRuntime;
} {
  let loading: Promise<SocketRuntime> | undefined;
  let loaded: SocketRuntime | undefined;
  return {
    load() {
      loading ??= Promise.all([import('ws'), import('./session.js')]).then(
        ([{ WebSocketServer }, session]) => {
          const wss = new WebSocketServer({
            noServer: true,
            maxPayload: maxFrameBytes,
            clientTracking: false,
            // Compression lets a small frame inflate into a large one and costs memory per socket.
            perMessageDeflate: false,
          });
          // What `checkUpgradeRequest` does not pre-check (a malformed Sec-WebSocket-Protocol)
          // is refused like every other upgrade: a JSON body with the security headers, instead
          // of ws's own text/html answer. Its messages name a header, never a value.
          wss.on('wsClientError', (error, socket) => {
            rejectUpgrade(socket, new GatewayError('BAD_REQUEST', { message: error.message }));
          });
          // The 101 bypasses Fastify too; it carries the same security headers as every response.
          wss.on('headers', (headers) => {
            headers.push(...SECURITY_HEADER_LINES);
          });
          loaded = { wss, runSession: session.runSession };
          return loaded;
        },
      );
      return loading;
    },
    ready() {
      if (loaded === undefined) throw new Error('WebSocket runtime used before load()');
      return loaded;
    },
  };
}
