import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { checkStartupConfig } from './config/startup-checks.js';
import { createLogger, createPrettyDestination } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createObserver } from './observability/observer.js';
import { countChannelMessages } from './observability/counted-dispatch.js';
import { createHealthRegistry, createHeartbeat, createScheduler } from './runtime/index.js';
import { closeGracefully, createApp } from './server/index.js';
import { loadOrCreateAdminSecret } from './auth/admin-secret.js';
import { selfOriginsFor } from './http/origin-policy.js';
import { wireAuth } from './compose/auth.js';
import { wireChannels } from './compose/channels.js';
import { conversationTranscript } from './compose/conversation-transcript.js';
import { wireMessagePath } from './compose/message-path.js';
import { wireTunnel } from './compose/tunnel.js';
import { shareSessions } from './compose/shared-sessions.js';
import {
  registerInstanceInfo,
  serviceComponents,
  watchMemoryHealth,
} from './compose/service-health.js';
import { createRateLimiter } from './limits/rate-limiter.js';
import { componentStatuses } from './runtime/component-statuses.js';
import { listeningUrl, startupLines } from './runtime/startup-lines.js';
import { localGatewayUrl, removeRuntimeInfo, writeRuntimeInfo } from './runtime/runtime-info.js';
import { normalizeIp, resolveClientAddress } from './http/client-address.js';
import { createEdgePolicy } from './http/edge-policy.js';
import { createOriginRefusalReporter } from './http/origin-refusals.js';
import { acquireStateDirLock } from './runtime/state-dir-lock.js';
import { createReloadHub } from './runtime/reload-hub.js';
import type { RateLimiter } from './limits/types.js';
import { adminRoutes, requireAdmin } from './server/routes/admin.js';
import { pairRoutes } from './server/routes/pair.js';
import { staticRoutes } from './server/routes/static.js';
import { createStateStore } from './state/create-state-store.js';
import { resolveInstanceId } from './runtime/instance-id.js';
import { applyMemoryRetention } from './memory/retention.js';
import { ShutdownList } from './runtime/shutdown-list.js';
import type { RouteRegistrar } from './server/types.js';

/*
 * The composition root: the only place that reads configuration and the environment and wires
 * the parts together. It is one linear function on purpose. To add a feature: create its store
 * or worker where marked, register its cleanup with `onShutdown`, and push its routes.
 */

export { exitOnSignals, reloadOnHangup } from './process-signals.js';

import type { GatewayHandle, StartGatewayOptions } from './gateway-handle.js';

export type { GatewayHandle, StartGatewayOptions } from './gateway-handle.js';

/**
 * Loads the config, runs the start-up checks, wires every component and listens.
 * @throws ConfigError (exit code 2) for invalid config or a refused bind.
 */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayHandle> {
  const loaded = loadConfig({
    path: options.configPath,
    env: options.env,
    strict: options.strict === true,
    overrides: { host: options.hostOverride, port: options.portOverride },
  });
  const { config, home } = loaded;
  // The same refusals as `gatehouse config check` (bind policy, JWT secret, default provider).
  const { bind } = checkStartupConfig(config);

  const instanceId = resolveInstanceId(config.gateway.instance_id);
  // Every log line names its instance, so the logs of several instances can be merged.
  const logger = createLogger({
    level: config.observability.log_level,
    destination:
      options.logDestination ??
      (options.stdout.isTTY === true ? await createPrettyDestination() : undefined),
  }).child({ instance_id: instanceId });
  for (const warning of loaded.warnings) logger.warn(warning);
  if (bind.warning !== undefined) logger.warn(bind.warning);
  // SIGHUP and POST /admin/reload: the same file, flags and environment as this start.
  const reloads = createReloadHub({
    config,
    load: () => {
      const next = loadConfig({
        path: loaded.path,
        env: options.env,
        strict: options.strict === true,
        overrides: { host: options.hostOverride, port: options.portOverride },
      }).config;
      // The checks `start` makes: an agent naming no provider is refused before anything applies.
      checkStartupConfig(next);
      return next;
    },
    logger,
  });
  reloads.onReload('log-level', (next) => {
    logger.level = next.observability.log_level;
  });
  if (loaded.created) logger.info({ path: loaded.path }, 'wrote a commented config template');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  // Before any store opens: a second gateway on this home stops here (exit 2).
  const stateLock = await acquireStateDirLock(home);

  const shutdown = new ShutdownList();
  let shuttingDown = false;
  // Registered first, so it is released last, after every store has closed.
  shutdown.onShutdown(() => stateLock.release());
  try {
    const backend = config.observability.backend;
    const metrics = backend === 'prometheus' ? createMetrics() : null;
    if (metrics !== null) registerInstanceInfo(metrics.registry, instanceId);
    const observer = createObserver({ metrics, logger, logEvents: backend === 'log' });
    const health = createHealthRegistry({ components: serviceComponents(config) });

    const scheduler = createScheduler({ health, observer });
    shutdown.onShutdown(() => scheduler.stop());
    const heartbeat = createHeartbeat({
      intervalMs: config.runtime.heartbeat_interval_secs * 1000,
      health,
      observer,
    });
    shutdown.onShutdown(() => heartbeat.stop());

    // Started once the gateway listens. Registered this early so that its stop runs after the
    // HTTP drain (steps run newest first): requests already inside the tunnel can finish.
    const tunnel = wireTunnel({ config, env: options.env, logger, health });
    shutdown.onShutdown(() => tunnel.stop());
    /** The tunnel's public URL right now (undefined without a tunnel or while it restarts). */
    const currentTunnelUrl: () => string | undefined = () => tunnel.currentUrl();

    // Stores, channel workers and feature routes are created here, each followed by its
    // onShutdown(...) so it closes after the HTTP server has drained.
    const state = await createStateStore({
      config: config.state,
      home,
      onStatus: (status, error) => {
        // Shared-state checks fail closed while Redis is away; /health says why.
        health.report('redis', status === 'ok' ? 'ok' : 'error', error);
        if (status === 'ok') logger.info('redis reachable');
        else logger.error({ err: error }, 'redis unreachable: shared-state requests get 503');
      },
    });
    shutdown.onShutdown(() => state.close());
    if (state.kind === 'redis') health.report('redis', 'ok');
    const store = state.store;
    scheduler.every('state-sweep', config.runtime.sweep_interval_secs * 1000, async () => {
      await store.sweep();
    });

    const auth = await wireAuth({
      config,
      configPath: loaded.path,
      home,
      store,
      shared: state.kind === 'redis' ? { events: state.events } : undefined,
      scheduler,
      logger,
    });
    // Runs before the store closes (steps run newest first).
    shutdown.onShutdown(() => auth.devices.flush());
    if (!config.gateway.require_pairing) {
      logger.warn(
        'require_pairing = false: /webhook accepts requests WITHOUT a token. Anyone who can reach this port can use the agent.',
      );
    }
    const adminSecret = await loadOrCreateAdminSecret(home);
    reloads.onReload('paired-tokens', () => auth.reloadPairedTokens().then(() => undefined));
    // Rebuilt on reload, so a changed per-minute limit applies to the next request.
    const limiter = (bucket: string, read: (current: Config) => number): RateLimiter => {
      const build = () =>
        createRateLimiter({
          store,
          bucket,
          perMinute: read(config),
          maxKeys: config.gateway.rate_limit_max_keys,
        });
      let current = build();
      reloads.onReload(`rate-limit.${bucket}`, () => {
        current = build();
      });
      return { hit: (clientKey, now) => current.hit(clientKey, now) };
    };

    const path = wireMessagePath({ config, home, store, observer, logger });
    shutdown.onShutdown(() => path.memory.close());
    // Providers, agents, routing and stages: new turns use the new build, running ones finish.
    reloads.onReload('message-path', () => path.rebuild(), { critical: true });
    // The synchronous channels count their messages here; inbox channels count at intake.
    const countedDispatch = countChannelMessages(path.dispatch, observer);
    if (config.memory.backend === 'postgres') {
      await watchMemoryHealth(path.memory, health, scheduler, logger);
    }
    scheduler.every('memory-retention', config.runtime.sweep_interval_secs * 1000, async () => {
      const removed = await applyMemoryRetention(path.memory, {
        retentionDays: config.memory.retention_days,
        maxMessagesPerConversation: config.memory.max_messages_per_conversation,
      });
      if (removed > 0) logger.debug({ removed }, 'memory retention removed old entries');
    });
    shutdown.onShutdown(() => path.auditLogs.close());

    let boundPort = config.gateway.port;
    const edge = createEdgePolicy({
      gateway: config.gateway,
      boundAddress: bind.address,
      tunnelUrl: currentTunnelUrl,
    });
    reloads.onReload('allowed-hosts', () => edge.refresh(), { critical: true });
    // One Origin policy for /pair, /webhook, /v1 and the WebSocket: the gateway's own origins, the
    // public URL's and the tunnel's, and `allowed_origins`.
    const origins = {
      allowedOrigins: config.channels_config.web.allowed_origins,
      selfOrigins: (): string[] => [
        ...selfOriginsFor(bind.address, boundPort),
        ...edge.publicOrigins(),
      ],
      reportRefusal: createOriginRefusalReporter(logger),
    };
    const sessionSharing =
      state.kind === 'redis'
        ? await shareSessions({ store, events: state.events, instanceId, scheduler, logger })
        : undefined;
    const channels = await wireChannels({
      config,
      home,
      // Synchronous channels are counted around the dispatch; inbox channels at intake.
      dispatch: countedDispatch,
      inboxDispatch: path.dispatch,
      authenticator: auth.authenticator,
      authenticateRequest: auth.authenticateRequest,
      revocations: auth.credentials,
      store,
      observer,
      health,
      logger,
      origins,
      limiter,
      agents: path.agents,
      // Every agent's session of the conversation: routing may have split it between agents.
      conversationHistory: (key, limit) =>
        conversationTranscript(
          path.memory,
          path.agents().map((agent) => agent.name),
          key,
          limit,
        ),
      adminGuard: requireAdmin(adminSecret),
      edge,
      ...(sessionSharing === undefined ? {} : { shareSessions: sessionSharing }),
      ...(state.redis === undefined ? {} : { redis: state.redis }),
      clientKeyOf: (request) =>
        resolveClientAddress({
          peerIp: request.socket.remoteAddress,
          headers: request.headers,
          isTrustedProxy: edge.isTrustedProxy,
        }),
    });
    shutdown.onShutdown(() => channels.stop(config.gateway.shutdown_timeout_secs * 1000));
    metrics?.watchInbox(channels.inboxCounts);
    metrics?.watchComponents(() => componentStatuses(health));
    scheduler.every('inbox-retention', config.runtime.sweep_interval_secs * 1000, async () => {
      const removed = await channels.sweepInbox();
      if (removed > 0) logger.debug({ removed }, 'inbox retention removed old items');
    });

    const routes: RouteRegistrar[] = [
      pairRoutes({
        guard: auth.guard,
        limiter: limiter('pair', (current) => current.gateway.pair_rate_limit_per_minute),
        origins,
        logger,
        devices: auth.devices,
      }),
      adminRoutes({ guard: auth.guard, adminSecret, reload: () => reloads.reload() }),
      channels.routes,
      staticRoutes(),
    ];

    const app = await createApp({
      config,
      logger,
      observer,
      health,
      metrics,
      isPaired: () => auth.guard.isPaired(),
      edge,
      isShuttingDown: () => shuttingDown,
      trustRequestId: (peerIp) => {
        const peer = peerIp === undefined ? undefined : normalizeIp(peerIp);
        return peer !== undefined && edge.isTrustedProxy(peer);
      },
      instanceId,
      routes,
    });
    shutdown.onShutdown(async () => {
      const deadlineMs = config.gateway.shutdown_timeout_secs * 1000;
      const { forced } = await closeGracefully(app, deadlineMs);
      if (forced) logger.warn({ deadlineMs }, 'shutdown deadline reached; open requests were cut');
    });
    const detachChannels = channels.attach(app.server);
    // Registered after the HTTP drain, so it runs before it: live sessions would otherwise hold
    // their sockets open until the drain deadline.
    shutdown.onShutdown(() => {
      channels.closeSessions(1001, 'gateway shutting down');
      detachChannels();
    });

    await app.listen({ host: bind.address, port: config.gateway.port });
    boundPort = (app.server.address() as AddressInfo).port;
    // A missing binary or no URL in time throws (exit 2) and the catch below closes the server:
    // a public bind that relies on the tunnel never stays open without it.
    const tunnelUrl = await tunnel.start({ host: bind.address, port: boundPort });
    await channels.start();
    heartbeat.start();
    scheduler.start();
    // Channel workers report `channels.<name>` themselves; the group is ok when none failed.
    health.report('channels', 'ok');
    health.report('gateway', 'ok');
    await writeRuntimeInfo(home, {
      url: localGatewayUrl(bind.address, boundPort),
      pid: process.pid,
    });
    shutdown.onShutdown(() => removeRuntimeInfo(home, process.pid));
    const url = listeningUrl(bind.address, (app.server.address() as AddressInfo).port);
    let closed: Promise<void> | undefined;
    const handle: GatewayHandle = {
      app,
      url,
      config,
      home,
      logger,
      instanceId,
      tunnelUrl: currentTunnelUrl,
      reloads,
      close: () =>
        (closed ??= (async () => {
          // /readyz turns 503 first. For `shutdown_delay_secs` requests are still served, so a
          // load balancer that polls it stops sending before the drain refuses anything.
          shuttingDown = true;
          const delaySecs = config.gateway.shutdown_delay_secs;
          if (delaySecs > 0) {
            logger.info({ delaySecs }, 'not ready; the drain begins after the shutdown delay');
            await new Promise((resolve) => setTimeout(resolve, delaySecs * 1000));
          }
          await shutdown.run(logger);
        })()),
      reopenAuditLog: () => path.auditLogs.reopen(),
    };
    options.onRunning?.(handle);
    // The tunnel's URL is where users reach it; otherwise the one the operator configured.
    const publicUrl = tunnelUrl ?? config.gateway.public_url;
    const lines = startupLines({
      url,
      publicUrl,
      code: auth.guard.currentCode(),
      paired: auth.guard.isPaired(),
      requirePairing: config.gateway.require_pairing,
    });
    for (const line of lines) options.stdout.write(line);
    logger.info({ url, publicUrl, config: loaded.path, home }, 'gateway started');
    return handle;
  } catch (error) {
    await shutdown.run(logger);
    throw error;
  }
}
