import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { AnthropicProvider } from './anthropic/anthropic-provider.js';
import { EchoProvider } from './echo/echo-provider.js';
import { OpenAiProvider } from './openai/openai-provider.js';
import { createProvider, createProviders, resolveDefaultAgentModel } from './registry.js';

const parse = (input: unknown) => configSchema.parse(input);

describe('createProvider', () => {
  it.each([
    { name: 'echo', config: undefined, type: EchoProvider },
    { name: 'openai', config: undefined, type: OpenAiProvider },
    { name: 'anthropic', config: undefined, type: AnthropicProvider },
    { name: 'openrouter', config: { type: 'openai' as const }, type: OpenAiProvider },
    { name: 'ollama', config: { type: 'openai' as const }, type: OpenAiProvider },
    { name: 'claude', config: { type: 'anthropic' as const }, type: AnthropicProvider },
    { name: 'offline', config: { type: 'echo' as const }, type: EchoProvider },
    { name: 'openai', config: { type: 'anthropic' as const }, type: AnthropicProvider },
  ])('builds $name with type $config.type as $type.name', ({ name, config, type }) => {
    const section = config ? parse({ providers: { [name]: config } }).providers[name] : undefined;
    const provider = createProvider(name, section);
    expect(provider).toBeInstanceOf(type);
    expect(provider.name).toBe(name);
  });

  it('rejects a section without a known type and names the key to set', () => {
    const section = parse({ providers: { mistral: {} } }).providers.mistral;
    expect(() => createProvider('mistral', section)).toThrow(/providers\.mistral\.type/);
  });

  it('rejects an unknown name without a section', () => {
    expect(() => createProvider('groq', undefined)).toThrow(/providers\.groq\.type/);
  });
});

describe('createProviders', () => {
  it('always includes echo, even with no provider sections', () => {
    const providers = createProviders(parse({}));
    expect([...providers.keys()]).toEqual(['echo']);
    expect(providers.get('echo')).toBeInstanceOf(EchoProvider);
  });

  it('includes every [providers.*] section under its own name', () => {
    const providers = createProviders(
      parse({
        providers: {
          openrouter: { type: 'openai', base_url: 'https://openrouter.ai/api/v1', api_key: 'k' },
          anthropic: { api_key: 'k2' },
        },
      }),
    );
    expect([...providers.keys()].sort()).toEqual(['anthropic', 'echo', 'openrouter']);
    expect(providers.get('openrouter')).toBeInstanceOf(OpenAiProvider);
  });

  it('adds default_provider when it is a bare type name without a section', () => {
    const providers = createProviders(parse({ default_provider: 'anthropic' }));
    expect(providers.get('anthropic')).toBeInstanceOf(AnthropicProvider);
  });

  it('never exposes the configured api key through enumerable provider fields', () => {
    const key = 'sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const providers = createProviders(
      parse({ providers: { openrouter: { type: 'openai', api_key: key } } }),
    );
    expect(JSON.stringify([...providers.values()])).not.toContain(key);
  });
});

describe('resolveDefaultAgentModel', () => {
  it('uses default_model when set', () => {
    const config = parse({ default_model: 'gpt-4.1' });
    expect(resolveDefaultAgentModel(config, new OpenAiProvider())).toBe('gpt-4.1');
  });

  it.each([
    { provider: new EchoProvider(), model: 'echo' },
    { provider: new OpenAiProvider(), model: 'gpt-4o-mini' },
    { provider: new AnthropicProvider(), model: 'claude-sonnet-4-5' },
  ])('falls back to $model, the provider default', ({ provider, model }) => {
    expect(resolveDefaultAgentModel(parse({}), provider)).toBe(model);
  });
});
