import type { Config } from './schema.js';

/**
 * Why the `[inbox]` backend cannot run with the `[state]` backend, as one line naming both keys;
 * undefined when it can. The Redis inbox uses `state.url` and `state.key_prefix`.
 */
export function inboxBackendProblem(config: Pick<Config, 'inbox' | 'state'>): string | undefined {
  if (config.inbox.backend === 'redis' && config.state.backend !== 'redis') {
    return 'inbox.backend = "redis" needs state.backend = "redis" (the Redis inbox uses state.url and state.key_prefix)';
  }
  return undefined;
}
