import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load.js';
import type { Env } from './config/paths.js';
import type { Config } from './config/schema.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createObserver } from './observability/observer.js';
import {
  CORE_COMPONENTS,
  createHealthRegistry,
  createHeartbeat,
  createScheduler,
} from './runtime/index.js';
import { closeGracefully, createApp } from './server/index.js';
import { checkBindPolicy } from './server/bind-policy.js';
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
 * Loads the config, checks the bind policy, wires every component and listens.
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
  const bind = checkBindPolicy({
    host: config.gateway.host,
    tunnelProvider: config.tunnel.provider,
    allowPublicBind: config.gateway.allow_public_bind,
  });
  if (!bind.ok) throw new ConfigError(`config error: ${bind.message}`);

  const logger = createLogger({
    level: config.observability.log_level,
    pretty: options.stdout.isTTY === true,
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  if (bind.warning !== undefined) logger.warn(bind.warning);
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
    const routes: RouteRegistrar[] = [];

    const app = await createApp({
      config,
      logger,
      observer,
      health,
      metrics,
      isPaired: () => config.gateway.paired_tokens.length > 0,
      routes,
    });
    shutdown.onShutdown(async () => {
      const deadlineMs = config.gateway.shutdown_timeout_secs * 1000;
      const { forced } = await closeGracefully(app, deadlineMs);
      if (forced) logger.warn({ deadlineMs }, 'shutdown deadline reached; open requests were cut');
    });

    await app.listen({ host: bind.address, port: config.gateway.port });
    heartbeat.start();
    scheduler.start();
    // Channel workers report `channels.<name>` themselves; the group is ok when none failed.
    health.report('channels', 'ok');
    health.report('gateway', 'ok');
    const url = listeningUrl(bind.address, app);
    // A plain line, not JSON: scripts and the CLI test wait for exactly this.
    options.stdout.write(`gatehouse listening on ${url}\n`);
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
