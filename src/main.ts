import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { loadConfig } from './config/load.js';
import type { Env } from './config/paths.js';
import type { Config } from './config/schema.js';
import { checkStartupConfig } from './config/startup-checks.js';
import { createLogger, createPrettyDestination } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createObserver } from './observability/observer.js';
import {
  CORE_COMPONENTS,
  createHealthRegistry,
  createHeartbeat,
  createScheduler,
} from './runtime/index.js';
import { closeGracefully, createApp } from './server/index.js';
import { loadOrCreateAdminSecret } from './auth/admin-secret.js';
import { selfOriginsFor } from './http/origin-policy.js';
import { wireAuth } from './compose/auth.js';
import { wireChannels } from './compose/channels.js';
import { wireMessagePath } from './compose/message-path.js';
import { createRateLimiter } from './limits/rate-limiter.js';
import { localGatewayUrl, removeRuntimeInfo, writeRuntimeInfo } from './runtime/runtime-info.js';
import { deriveClientKey } from './http/client-key.js';
import { adminRoutes, requireAdmin } from './server/routes/admin.js';
import { pairRoutes } from './server/routes/pair.js';
import { staticRoutes } from './server/routes/static.js';
import { openHomeStateStore } from './state/state-file.js';
import type { RouteRegistrar } from './server/types.js';

/*
 * The composition root: the only place that reads configuration and the environment and wires
 * the parts together. It is one linear function on purpose. To add a feature: create its store
 * or worker where marked, register its cleanup with `onShutdown`, and push its routes.
 */

export interface StartGatewayOptions {
  configPath?: string | undefined;
  hostOverride?: string | undefined;
  portOverride?: number | undefined;
  strict?: boolean;
  env: Env;
  /** Receives the single `gatehouse listening on …` line. */
  stdout: { write(line: string): unknown; isTTY?: boolean };
  /** Where log lines go instead of process stdout (tests capture them here). */
  logDestination?: DestinationStream;
}

/** A running gateway. */
export interface GatewayHandle {
  app: FastifyInstance;
  /** `http://HOST:PORT` with the port actually bound. */
  url: string;
  config: Config;
  /** State directory (memory.db, inbox.db, secrets). */
  home: string;
  logger: Logger;
  /** Graceful stop: drain in-flight requests (up to the shutdown timeout), then close the rest. */
  close(): Promise<void>;
}

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

  const logger = createLogger({
    level: config.observability.log_level,
    destination:
      options.logDestination ??
      (options.stdout.isTTY === true ? await createPrettyDestination() : undefined),
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  if (bind.warning !== undefined) logger.warn(bind.warning);
  if (config.tunnel.provider !== 'none') {
    // The bind policy trusts the operator's statement that a tunnel fronts this port; gatehouse
    // does not start or supervise the tunnel process itself.
    logger.warn(
      { provider: config.tunnel.provider },
      'tunnel.provider is set: make sure that tunnel is running, gatehouse does not start it',
    );
  }
  if (loaded.created) logger.info({ path: loaded.path }, 'wrote a commented config template');
  mkdirSync(home, { recursive: true, mode: 0o700 });

  const shutdown = new ShutdownList();
  try {
    const backend = config.observability.backend;
    const metrics = backend === 'prometheus' ? createMetrics() : null;
    const observer = createObserver({ metrics, logger, logEvents: backend === 'log' });
    const health = createHealthRegistry({ components: CORE_COMPONENTS });

    const scheduler = createScheduler({ health, observer });
    shutdown.onShutdown(() => scheduler.stop());
    const heartbeat = createHeartbeat({
      intervalMs: config.runtime.heartbeat_interval_secs * 1000,
      health,
      observer,
    });
    shutdown.onShutdown(() => heartbeat.stop());

    // Stores, channel workers and feature routes are created here, each followed by its
    // onShutdown(...) so it closes after the HTTP server has drained.
    const store = openHomeStateStore(home);
    shutdown.onShutdown(() => store.close());
    scheduler.every('state-sweep', config.runtime.sweep_interval_secs * 1000, async () => {
      await store.sweep();
    });

    const auth = await wireAuth({
      config,
      configPath: loaded.path,
      home,
      store,
      scheduler,
      logger,
    });
    if (!config.gateway.require_pairing) {
      logger.warn(
        'require_pairing = false: /webhook accepts requests WITHOUT a token. Anyone who can reach this port can use the agent.',
      );
    }
    const adminSecret = await loadOrCreateAdminSecret(home);
    const limiter = (bucket: string, perMinute: number) =>
      createRateLimiter({ store, bucket, perMinute, maxKeys: config.gateway.rate_limit_max_keys });

    const path = wireMessagePath({ config, home, store, observer, logger });
    shutdown.onShutdown(() => path.memory.close());

    // One Origin policy for /pair, /webhook and the WebSocket upgrade.
    let boundPort = config.gateway.port;
    const origins = {
      allowedOrigins: config.channels_config.web.allowed_origins,
      selfOrigins: () => selfOriginsFor(bind.address, boundPort),
    };
    const channels = await wireChannels({
      config,
      home,
      dispatch: path.dispatch,
      authenticator: auth.authenticator,
      authenticateRequest: auth.authenticateRequest,
      revocations: auth.credentials,
      store,
      observer,
      health,
      logger,
      origins,
      limiter,
      agents: [path.agent],
      conversationHistory: (key, limit) => path.memory.history(key, limit),
      adminGuard: requireAdmin(adminSecret),
      clientKeyOf: (request) =>
        deriveClientKey({
          peerIp: request.socket.remoteAddress,
          headers: request.headers,
          trustForwarded: config.gateway.trust_forwarded_headers,
        }),
    });
    shutdown.onShutdown(() => channels.stop(config.gateway.shutdown_timeout_secs * 1000));

    const routes: RouteRegistrar[] = [
      pairRoutes({
        guard: auth.guard,
        limiter: limiter('pair', config.gateway.pair_rate_limit_per_minute),
        origins,
        logger,
      }),
      adminRoutes({ guard: auth.guard, adminSecret }),
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
    const url = listeningUrl(bind.address, app);
    // The last step of start-up, so whoever waits for it finds everything ready. A plain line,
    // not JSON: scripts and the CLI test wait for exactly this.
    options.stdout.write(`gatehouse listening on ${url}\n`);
    const code = auth.guard.currentCode();
    // Printed once, on stdout only: never logged, never in /health.
    if (code !== undefined) options.stdout.write(`gatehouse pairing code: ${code}\n`);
    logger.info({ url, config: loaded.path, home }, 'gateway started');

    return { app, url, config, home, logger, close: () => shutdown.run(logger) };
  } catch (error) {
    await shutdown.run(logger);
    throw error;
  }
}

/**
 * On the first SIGINT/SIGTERM: graceful close, then exit 0. A second signal exits at once (1),
 * for an operator who does not want to wait for the drain deadline.
 */
export function exitOnSignals(handle: GatewayHandle): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    handle.logger.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gatehouse: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** `http://HOST:PORT` with the bound port; IPv6 hosts in brackets. */
function listeningUrl(host: string, app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

type ShutdownStep = () => void | Promise<void>;

/** Cleanup steps, run once, newest first: the server drains before the stores it uses close. */
class ShutdownList {
  #steps: ShutdownStep[] = [];
  #running: Promise<void> | undefined;

  onShutdown(step: ShutdownStep): void {
    this.#steps.push(step);
  }

  run(logger: { error(object: object, message: string): void }): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step();
        } catch (error) {
          // One failing close must not keep the others (stores holding file locks) open.
          logger.error({ err: error }, 'shutdown step failed');
        }
      }
    })();
    return this.#running;
  }
}
