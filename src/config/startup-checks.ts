import { assertConfiguredJwtSecret } from '../auth/jwt-secret.js';
import { resolveAgents } from '../core/router.js';
import type { AgentSpec } from '../core/types.js';
import { createProviders } from '../providers/registry.js';
import type { Provider } from '../providers/types.js';
import { checkBindPolicy } from '../server/bind-policy.js';
import { customTunnelProblem } from '../tunnel/custom.js';
import { ConfigError } from './config-error.js';
import { inboxBackendProblem } from './inbox-backend.js';
import type { Config } from './schema.js';

/*
 * The refusals `gatehouse start` makes before it touches the network or the disk, in one place so
 * `gatehouse config check` refuses exactly the same configs: a check that passes a config the
 * gateway then rejects would be worse than no check.
 */

/** What the checks learnt that start-up needs: the address to bind and a warning to log. */
export interface StartupCheck {
  bind: { address: string; public: boolean; warning?: string };
}

/**
 * Bind policy, the tunnel section of the chosen provider, the configured JWT secret's length, and that `default_provider` names a provider.
 * Pure apart from building the (offline) provider clients; never creates files, so the generated
 * `jwt.secret` is left to start-up.
 * @throws ConfigError (exit code 2) with the same message `start` prints.
 */
export function checkStartupConfig(config: Config): StartupCheck {
  const bind = checkBindPolicy({
    host: config.gateway.host,
    tunnelProvider: config.tunnel.provider,
    allowPublicBind: config.gateway.allow_public_bind,
  });
  if (!bind.ok) throw new ConfigError(`config error: ${bind.message}`);
  const tunnel = tunnelProblem(config.tunnel);
  if (tunnel !== undefined) throw new ConfigError(`config error: ${tunnel}`);
  const secret = config.gateway.auth.jwt_secret;
  if (secret !== undefined) assertConfiguredJwtSecret(secret);
  const providers = buildProviders(config);
  requireDefaultProvider(config, providers);
  requireAgents(config, providers);
  if (config.memory.backend === 'postgres' && config.memory.url === undefined) {
    throw new ConfigError(
      'config error: memory.backend = "postgres" needs memory.url (or GATEHOUSE_POSTGRES_URL)',
    );
  }
  const inbox = inboxBackendProblem(config);
  if (inbox !== undefined) throw new ConfigError(`config error: ${inbox}`);
  const { address, warning } = bind;
  return { bind: { address, public: bind.public, ...(warning === undefined ? {} : { warning }) } };
}

/**
 * The provider `default_provider` names, or a ConfigError listing the ones that exist.
 * @example requireDefaultProvider(config, createProviders(config)) // the echo provider by default
 */
export function requireDefaultProvider<T>(
  config: Pick<Config, 'default_provider'>,
  providers: ReadonlyMap<string, T>,
): T {
  const provider = providers.get(config.default_provider);
  if (provider === undefined) {
    throw new ConfigError(
      `config error: default_provider = "${config.default_provider}" — no such provider; add a [providers.${config.default_provider}] section or use one of: ${[...providers.keys()].join(', ')}`,
    );
  }
  return provider;
}

/** Why the configured tunnel cannot start, as one line naming the key; undefined when it can. */
export function tunnelProblem(tunnel: Config['tunnel']): string | undefined {
  if (tunnel.provider === 'custom') return customTunnelProblem(tunnel.custom);
  if (
    tunnel.provider === 'cloudflare' &&
    tunnel.cloudflare.token !== undefined &&
    tunnel.cloudflare.url === undefined
  ) {
    return 'tunnel.cloudflare.url is required with tunnel.cloudflare.token (or GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN): the public URL of the named tunnel, e.g. "https://agent.example.com"';
  }
  return undefined;
}

/**
 * Every configured agent, or a ConfigError naming the first bad key: an agent whose provider does
 * not exist, a rule naming an agent that does not exist.
 */
export function requireAgents(
  config: Config,
  providers: ReadonlyMap<string, Provider>,
): Map<string, AgentSpec> {
  const { agents, problems } = resolveAgents(config, providers);
  const [first] = problems;
  if (first !== undefined) throw new ConfigError(`config error: ${first.key} — ${first.message}`);
  return agents;
}

function buildProviders(config: Config): ReadonlyMap<string, Provider> {
  try {
    return createProviders(config);
  } catch (error) {
    // createProvider refuses a [providers.<name>] section whose type it cannot infer: that is an
    // operator's config mistake (exit 2), not a crash. The constructors do no I/O.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`config error: ${message}`, { cause: error });
  }
}
