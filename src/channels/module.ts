import type { IncomingMessage, Server } from 'node:http';
import type { EdgePolicy } from '../http/edge-policy.js';
import type { WebChannelOptions } from './web/web-channel.js';
import type { FastifyRequest, preHandlerAsyncHookHandler, RouteHandlerMethod } from 'fastify';
import type { Logger } from 'pino';
import type { Authenticate } from '../auth/authenticate.js';
import type { CredentialRevocations } from '../auth/credential-revocations.js';
import type { Config } from '../config/schema.js';
import type { AgentSpec, Dispatch, Principal } from '../core/types.js';
import type { AllowedOriginOptions } from '../http/request-origin.js';
import type { ErrorShape, PlainRoute } from '../http/route-types.js';
import type { Inbox } from '../inbox/types.js';
import type { MemoryEntry } from '../memory/types.js';
import type { RateLimiter } from '../limits/types.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import type { StateStore } from '../state/types.js';
import type { ChannelAdapter } from './types.js';

/** One route a channel declares. Aliases behave exactly like `path`. */
export interface ChannelRoute {
  /** Key of the handler in the channel's `handlers`. */
  id: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  aliases: readonly string[];
  /** `upgrade`: a WebSocket path served by the channel's `attach` hook instead of a Fastify route. */
  kind?: 'http' | 'upgrade';
  /** How the route's errors are written (OpenAI's shape for its API); the gateway's by default. */
  errorShape?: ErrorShape;
}

/** What serves one declared HTTP route. */
export interface ChannelRouteHandler {
  preHandler?: preHandlerAsyncHookHandler | preHandlerAsyncHookHandler[];
  handler: RouteHandlerMethod;
  /** The same route for requests the plain lane may answer without the framework. */
  plain?: PlainRoute;
}

/** Everything a channel may be built with; assembled once by the composition root. */
export interface ChannelServices {
  config: Config;
  dispatch: Dispatch;
  /** Paired token or JWT in an Authorization header, for a required scope. */
  authenticator: Authenticate;
  /** Authenticates an HTTP request for `scope` (tokens in the URL refused, anonymous keyed by client). */
  authenticateRequest(request: FastifyRequest, scope: string): Promise<Principal>;
  revocations: CredentialRevocations;
  store: StateStore;
  inbox: Inbox;
  observer: Observer;
  health: HealthRegistry;
  logger: Logger;
  /** The gateway's browser-origin policy (its own origins and `allowed_origins`). */
  origins: AllowedOriginOptions;
  /** A rate limiter whose per-minute limit is read from the (reloadable) config. */
  limiter(bucket: string, perMinute: (config: Config) => number): RateLimiter;
  /** Trusted proxies and the Host check, for the WebSocket upgrade (HTTP routes get them from the app). */
  edge?: Pick<EdgePolicy, 'isTrustedProxy' | 'isHostAllowed'>;
  /** With shared state: sessions announced to, and listed across, every instance. */
  shareSessions?: WebChannelOptions['shareSessions'];
  /** Recent entries of a conversation by its memory key (transcripts for the web chat). */
  conversationHistory?: (memoryKey: string, limit: number) => Promise<MemoryEntry[]>;
  /** Configured agents now (they change on reload); the first is the default. */
  agents(): readonly AgentSpec[];
  /** The client key of a raw request (WebSocket upgrades), like Fastify's `request.clientKey`. */
  clientKeyOf(request: IncomingMessage): string;
  /** Loopback + admin-secret guard for operator endpoints. */
  adminGuard: preHandlerAsyncHookHandler;
  /** Records a configuration problem worth logging at start-up (and showing in /health when `unverifiable`). */
  warn(channel: string, reason: string, options?: { unverifiable?: boolean }): void;
}

/** A built, enabled channel. */
export interface ChannelInstance {
  /** Authenticate → parse (→ deliver, for asynchronous channels). */
  adapter?: ChannelAdapter;
  /** By route id; a declared route without a handler answers CHANNEL_NOT_CONFIGURED. */
  handlers: Readonly<Partial<Record<string, ChannelRouteHandler>>>;
  /** Serves the declared `upgrade` paths on the HTTP server; returns a detach function. */
  attach?(server: Server, paths: readonly string[]): () => void;
  /** Closes live sessions (shutdown). */
  closeAll?(code?: number, reason?: string): void;
}

/**
 * A channel: its name, its `channels_config` section, its routes and how to build it. The route
 * table is built from `routes`, so a declared path exists (answering CHANNEL_NOT_CONFIGURED) even
 * while the channel is off.
 */
export interface ChannelModule {
  readonly name: string;
  /** Key of its section under `channels_config`. */
  readonly configSection: string;
  readonly routes: readonly ChannelRoute[];
  /** Builds the channel, or undefined when its section is absent or disabled. */
  create(services: ChannelServices): Promise<ChannelInstance | undefined>;
}
