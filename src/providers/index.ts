export type { ChatMessage, ChatRequest, ChatResult, ChatUsage, Provider } from './types.js';
export { ProviderError } from './types.js';
export { sanitizeProviderError, REDACTED, MAX_SANITIZED_LENGTH } from './sanitize.js';
export {
  createProvider,
  createProviders,
  resolveDefaultAgentModel,
  PROVIDER_TYPES,
} from './registry.js';
export type { ProviderType } from './registry.js';
export { EchoProvider, ECHO_DEFAULT_MODEL, echoText } from './echo/echo-provider.js';
export type { EchoProviderOptions } from './echo/echo-provider.js';
export {
  OpenAiProvider,
  OPENAI_DEFAULT_BASE_URL,
  OPENAI_DEFAULT_MODEL,
} from './openai/openai-provider.js';
export type { OpenAiProviderOptions } from './openai/openai-provider.js';
export {
  AnthropicProvider,
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MODEL,
  ANTHROPIC_DEFAULT_VERSION,
} from './anthropic/anthropic-provider.js';
export type { AnthropicProviderOptions } from './anthropic/anthropic-provider.js';
