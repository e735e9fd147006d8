import type { Config, ProviderConfig } from '../config/schema.js';
import { AnthropicProvider } from './anthropic/anthropic-provider.js';
import { EchoProvider } from './echo/echo-provider.js';
import { OpenAiProvider } from './openai/openai-provider.js';
import type { Provider } from './types.js';

/** Wire protocols a `[providers.<name>]` section can speak. */
export const PROVIDER_TYPES = ['echo', 'openai', 'anthropic'] as const;
/** One of PROVIDER_TYPES. */
export type ProviderType = (typeof PROVIDER_TYPES)[number];

const DEFAULT_TIMEOUT_SECS = 120;

/**
 * Builds the provider for `[providers.<name>]`. The type is `config.type`, else the section name
 * when that is a known type; anything else is a configuration error naming the key to set.
 */
export function createProvider(name: string, config: ProviderConfig | undefined): Provider {
  const type = config?.type ?? (isProviderType(name) ? name : undefined);
  if (type === undefined) {
    throw new Error(
      `Unknown provider type for "${name}": set providers.${name}.type to one of ${PROVIDER_TYPES.join(', ')}`,
    );
  }
  const timeoutMs = (config?.timeout_secs ?? DEFAULT_TIMEOUT_SECS) * 1000;
  switch (type) {
    case 'echo':
      return new EchoProvider({ name });
    case 'openai':
      return new OpenAiProvider({
        name,
        baseUrl: config?.base_url,
        apiKey: config?.api_key,
        timeoutMs,
      });
    case 'anthropic':
      return new AnthropicProvider({
        name,
        baseUrl: config?.base_url,
        apiKey: config?.api_key,
        anthropicVersion: config?.anthropic_version,
        timeoutMs,
      });
  }
}

/**
 * Every configured provider by name: always `echo`, every `[providers.*]` section, and
 * `default_provider` when it is a bare type name without a section (e.g. "openai" with defaults).
 */
export function createProviders(config: Config): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  providers.set('echo', createProvider('echo', config.providers.echo));
  for (const [name, section] of Object.entries(config.providers)) {
    providers.set(name, createProvider(name, section));
  }
  const fallback = config.default_provider;
  if (!providers.has(fallback) && isProviderType(fallback)) {
    providers.set(fallback, createProvider(fallback, undefined));
  }
  return providers;
}

/** The default agent's model: `default_model` when set, else the provider's own default. */
export function resolveDefaultAgentModel(config: Config, provider: Provider): string {
  return config.default_model ?? provider.defaultModel;
}

function isProviderType(value: string): value is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(value);
}
