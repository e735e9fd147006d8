import type { z } from 'zod';
import { formatHttpError, parseUpstreamError } from './error-body.js';
import { sanitizeProviderError } from './sanitize.js';
import { ProviderError } from './types.js';

/** Parses one JSON document from an upstream reply; anything unexpected is a ProviderError. */
export function parseUpstreamJson<T extends z.ZodType>(
  provider: string,
  text: string,
  schema: T,
  secrets: readonly string[],
): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Invalid JSON from upstream (truncated body, HTML page): report it, never echo the body.
    throw new ProviderError(`${provider} returned invalid JSON`, { retryable: true });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // Some gateways (OpenRouter) answer 200 with an error body.
    const detail = parseUpstreamError(value);
    if (detail) {
      const message = formatHttpError(provider, 200, detail);
      throw new ProviderError(sanitizeProviderError(message, secrets), { retryable: true });
    }
    throw new ProviderError(`${provider} returned an unexpected response shape`, {
      retryable: false,
    });
  }
  return parsed.data;
}

/** The in-stream error event both vendors can send after a 200, as a sanitized ProviderError. */
export function streamErrorFrom(
  provider: string,
  value: unknown,
  secrets: readonly string[],
): ProviderError | undefined {
  const detail = parseUpstreamError(value);
  if (!detail) return undefined;
  const label = detail.label ? ` (${detail.label})` : '';
  const message = `${provider} stream error${label}: ${detail.message ?? 'unknown error'}`;
  // Mid-stream failures are upstream trouble (overload, a dropped backend), not a bad request.
  return new ProviderError(sanitizeProviderError(message, secrets), { retryable: true });
}

/** Parses an SSE `data:` field as JSON. */
export function parseEventData(provider: string, data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    // A garbled event means the stream can no longer be trusted to be complete.
    throw new ProviderError(`${provider} stream sent invalid JSON`, { retryable: true });
  }
}
